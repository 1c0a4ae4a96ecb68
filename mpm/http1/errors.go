package http1

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/internal/aphtml"
	"github.com/httpd-mpm/httpd-mpm/internal/errline"
)

// WriteError answers r with apache2's error page for status: the same HTML apache2
// 2.4.71 sends (HTML 4.01 doctype, its wording for each status), Content-Type
// "text/html; charset=iso-8859-1", a Content-Length, and, when the Server's
// ServerSignature is on, the <address> line naming Software, the host and the port.
// A HEAD request gets the status and Content-Type only, as from apache2: no page, so
// no Content-Length either (a Content-Length already set on w is removed).
//
// detail is plain text (it is HTML-escaped) shown where apache2 shows a request's
// "error-notes": on the pages for 400, 403, 411, 414, 451, 501 and 502; other pages
// ignore it. Without detail, those pages show the request's SetErrorNotes. Pages for 3xx link to the Location header already set on w. The 405, 411, 413 and
// 501 pages name r.Method; the 417 page quotes r's Expect header.
//
// Outside the engine (a plain net/http server) it works the same, without signature.
func WriteError(w http.ResponseWriter, r *http.Request, status int, detail string) {
	writeErrorPage(w, r, status, aphtml.Escape(detail))
}

// WriteProxyError answers r as mod_proxy's ap_proxyerror: the page of
// status titled "Proxy Error", its notes "The proxy server could not handle
// the request" and the reason message (plain text, escaped), sent with
// its status line ("502 Proxy Error"). It is SetProxyError and WriteError.
func WriteProxyError(w http.ResponseWriter, r *http.Request, status int, message string) {
	SetProxyError(w, r, status, message)
	writeErrorPageOf(w, r, status, proxyNotes(message), true)
}

// SetProxyError prepares the error answer of status to r as mod_proxy's
// ap_proxyerror does for the reason message (plain text): the request's
// error notes (SetErrorNotes, replaced) "The proxy server could not handle
// the request" and the reason, which its error page shows (a status without
// a text of its own, 500, shows them alone), and the status line "NNN Proxy
// Error". The answer then goes as apache2's ap_die sends the status the
// proxy handler returns: WriteError's page, or an ErrorDocument's text with
// that status line, or its local URL (a new request: the standard status
// line), a script there seeing the notes as REDIRECT_ERROR_NOTES.
func SetProxyError(w http.ResponseWriter, r *http.Request, status int, message string) {
	if c := ConnFromRequest(r); c != nil {
		c.setNote(errorNotesName, proxyNotes(message))
		c.setNote(verboseErrorName, "*")
	}
	SetStatusLine(w, strconv.Itoa(status)+" Proxy Error")
}

// proxyNotes are ap_proxyerror's error notes for the reason message.
func proxyNotes(message string) string {
	return "The proxy server could not handle the request<p>Reason: <strong>" + aphtml.Escape(message) + "</strong></p>"
}

// verboseErrorName is the note by which a page of a status without its own
// text shows the error notes alone (apache2's "verbose-error-to" "*").
const verboseErrorName = "verbose-error-to"

// writeErrorPage is WriteError with notes already in HTML.
func writeErrorPage(w http.ResponseWriter, r *http.Request, status int, notes string) {
	writeErrorPageOf(w, r, status, notes, false)
}

// writeErrorPageOf is writeErrorPage; proxy says the page is
// ap_proxyerror's ("Proxy Error", the notes shown) where the status line and
// notes cannot be kept on the request (outside the engine).
func writeErrorPageOf(w http.ResponseWriter, r *http.Request, status int, notes string, proxy bool) {
	if r.Method == http.MethodHead {
		writePage(w, r, status, nil)
		return
	}
	var s *Server
	verbose := proxy
	if c := ConnFromRequest(r); c != nil {
		s = c.srv
		if notes == "" {
			notes, _ = c.notes.vars().Get(errorNotesName)
		}
		verbose = verbose || c.notes.vars().Has(verboseErrorName)
	}
	reason, blank := pageReason(w, status)
	if reason == "" {
		reason = statusText(status)
		if proxy {
			reason = "Proxy Error"
		}
	}
	body := appendErrorPage(make([]byte, 0, 512), s, r, status, blank, reason, notes, verbose, w.Header().Get("Location"))
	writePage(w, r, status, body)
}

// WriteErrorDocument answers r with status and text as its page, as apache2
// sends the text of an ErrorDocument: Content-Type "text/html;
// charset=iso-8859-1" and a Content-Length, the fields already set on w
// kept; for HEAD, as WriteError, no text and no length. As WriteError's,
// the page is an error page to a HeaderFilter.
func WriteErrorDocument(w http.ResponseWriter, r *http.Request, status int, text string) {
	writePage(w, r, status, []byte(text))
}

// WriteRecursiveError answers r with the page of status for a request whose
// ErrorDocument for status failed itself, with the status failed: apache2's
// recursive error, whose "Additionally" paragraph names status again, not
// the document's error. As apache2 sends that page as the first request's
// and logs the last one's, the access log shows failed as %>s and no body
// (%b "-").
func WriteRecursiveError(w http.ResponseWriter, r *http.Request, status, failed int) {
	writeRecursiveError(w, r, status, status, failed)
}

// WriteRecursiveErrorOf answers r with the page of status, whose
// "Additionally" paragraph names first (apache2's ap_die for an
// ErrorDocument's redirect past LimitInternalRecursion: a 500 naming the
// error), logged as the answer's status.
func WriteRecursiveErrorOf(w http.ResponseWriter, r *http.Request, status, first int) {
	writeRecursiveError(w, r, status, first, 0)
}

// writeRecursiveError writes the page of status naming first; logged, if
// not 0, is the status the access log shows. As apache2's ap_send_error_response for ap_die's first request, the page
// is titled with the response's status line (SetStatusLine, which an
// ErrorDocument's handler restores when the document fails: "502 Proxy
// Error") and shows the first request's notes (OrigNotes: a proxy error's
// reason).
func writeRecursiveError(w http.ResponseWriter, r *http.Request, status, first, logged int) {
	var s *Server
	notes, verbose := "", false
	if c := ConnFromRequest(r); c != nil {
		s = c.srv
		c.logStatus = uint16(logged)
		orig := c.OrigNotes()
		notes, _ = orig.Get(errorNotesName)
		verbose = orig.Has(verboseErrorName)
	}
	reason, blank := "", byte(' ')
	if r.Method != http.MethodHead { // apache2 stops before the title
		reason, blank = pageReason(w, status)
	}
	writePage(w, r, status, appendErrorPageAfter(nil, s, r, status, first, blank, reason, notes, verbose))
}

// ErrorPageType is the Content-Type of the error pages and ErrorDocument
// texts.
const ErrorPageType = "text/html; charset=iso-8859-1"

// writePage sends an error page; for HEAD only its status and type, as
// apache2's ap_send_error_response stops before the page: no body, hence no
// Content-Length (one already set on w is removed).
func writePage(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = []string{ErrorPageType}
	markErrorPage(r)
	if r.Method == http.MethodHead {
		delete(h, "Content-Length")
		w.WriteHeader(status)
		return
	}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	w.Write(body)
}

const errorPageHead = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">
<html><head>
<title>`

// appendErrorPage renders apache2's ap_send_error_response page, titled
// status, blank (the status line's: a space, or a tab a backend sent) and
// reason, which heads it too.
func appendErrorPage(b []byte, s *Server, r *http.Request, status int, blank byte, reason, notes string, verbose bool, location string) []byte {
	b = append(b, errorPageHead...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, blank)
	b = append(b, reason...)
	b = append(b, "</title>\n</head><body>\n<h1>"...)
	b = append(b, reason...)
	b = append(b, "</h1>\n"...)
	b = appendCanned(b, s, r, status, notes, verbose, location)
	b = appendSignature(b, s, r, "<hr>\n")
	return append(b, "</body></html>\n"...)
}

// SignatureLine is apache2's ap_psignature("", r): the <address> line of
// ServerSignature On or EMail, "" when Off or outside the engine.
func SignatureLine(r *http.Request) string {
	var s *Server
	if c := ConnFromRequest(r); c != nil {
		s = c.srv
	}
	return string(appendSignature(nil, s, r, ""))
}

// SetSignature sets the ServerSignature of r's answers, over its server's: apache2's
// per-directory one (<Directory>, <Location>, <Files>). It does nothing for a request
// that did not come from this engine.
func SetSignature(r *http.Request, sig Signature) {
	if c := ConnFromRequest(r); c != nil {
		c.sig, c.sigSet = sig, true
	}
}

// appendSignature appends prefix and the <address> line, if ServerSignature
// wants one.
func appendSignature(b []byte, s *Server, r *http.Request, prefix string) []byte {
	sig := hostOf(s, r).signature
	if c := ConnFromRequest(r); c != nil && c.sigSet {
		sig = c.sig
	}
	if sig != SignatureOff && s != nil && s.Software != "" {
		host, port := signatureHostPort(s, r)
		b = append(b, prefix...)
		b = append(b, "<address>"...)
		b = append(b, aphtml.Escape(s.Software)...)
		b = append(b, " Server at "...)
		if sig == SignatureEMail {
			b = append(b, `<a href="mailto:`...)
			b = append(b, aphtml.Escape(serverAdmin(s, r))...)
			b = append(b, `">`...)
			b = append(b, aphtml.Escape(host)...)
			b = append(b, "</a>"...)
		} else {
			b = append(b, aphtml.Escape(host)...)
		}
		b = append(b, " Port "...)
		b = append(b, port...)
		b = append(b, "</address>\n"...)
	}
	return b
}

func serverAdmin(s *Server, r *http.Request) string {
	if id := identity(s, r); id != nil && id.serverAdmin != "" {
		return id.serverAdmin
	}
	return "[no address given]"
}

// appendCanned appends apache2's status-specific text (get_canned_error_string),
// notes where it shows a request's error notes, and, verbose, those alone for a
// status without a text of its own.
func appendCanned(b []byte, s *Server, r *http.Request, status int, notes string, verbose bool, location string) []byte {
	esc := aphtml.Escape
	withNotes := func(b []byte, prefix string) []byte {
		b = append(b, prefix...)
		b = append(b, notes...)
		return append(b, "</p>\n"...)
	}
	switch status {
	case http.StatusMultipleChoices:
		return appendVariants(b, r)
	case http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return append(append(append(b, `<p>The document has moved <a href="`...), esc(location)...), "\">here</a>.</p>\n"...)
	case http.StatusSeeOther:
		return append(append(append(b, `<p>The answer to your request is located <a href="`...), esc(location)...), "\">here</a>.</p>\n"...)
	case http.StatusUseProxy:
		// apache2 prints an empty proxy location here whatever Location says.
		return append(b, "<p>This resource is only accessible through the proxy\n<br />\nYou will need to configure your client to use that proxy.</p>\n"...)
	case http.StatusUnauthorized, http.StatusProxyAuthRequired:
		return append(b, "<p>This server could not verify that you\nare authorized to access the document\nrequested.  Either you supplied the wrong\ncredentials (e.g., bad password), or your\nbrowser doesn't understand how to supply\nthe credentials required.</p>\n"...)
	case http.StatusBadRequest:
		return withNotes(b, "<p>Your browser sent a request that this server could not understand.<br />\n")
	case http.StatusForbidden:
		return withNotes(b, "<p>You don't have permission to access this resource.")
	case http.StatusNotFound:
		return append(b, "<p>The requested URL was not found on this server.</p>\n"...)
	case http.StatusMethodNotAllowed:
		return append(append(append(b, "<p>The requested method "...), esc(r.Method)...), " is not allowed for this URL.</p>\n"...)
	case http.StatusNotAcceptable:
		return appendVariants(append(b, "<p>An appropriate representation of the requested resource could not be found on this server.</p>\n"...), r)
	case http.StatusRequestTimeout:
		return append(b, "<p>Server timeout waiting for the HTTP request from the client.</p>\n"...)
	case http.StatusGone:
		return append(b, "<p>The requested resource is no longer available on this server and there is no forwarding address.\nPlease remove all references to this resource.</p>\n"...)
	case http.StatusLengthRequired:
		return withNotes(b, "<p>A request of the requested method "+esc(r.Method)+" requires a valid Content-length.<br />\n")
	case http.StatusPreconditionFailed:
		return append(b, "<p>The precondition on the request for this URL evaluated to false.</p>\n"...)
	case http.StatusRequestEntityTooLarge:
		return append(b, "The requested resource does not allow request data with "+esc(r.Method)+" requests, or the amount of data provided in\nthe request exceeds the capacity limit.\n"...)
	case http.StatusRequestURITooLong:
		return withNotes(b, "<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n")
	case http.StatusUnsupportedMediaType:
		return append(b, "<p>The supplied request data is not in a format\nacceptable for processing by this resource.</p>\n"...)
	case http.StatusRequestedRangeNotSatisfiable:
		return append(b, "<p>None of the range-specifier values in the Range\nrequest-header field overlap the current extent\nof the selected resource.</p>\n"...)
	case http.StatusExpectationFailed:
		if v := r.Header["Expect"]; len(v) > 0 {
			b = append(b, "<p>The expectation given in the Expect request-header\nfield could not be met by this server.\nThe client sent<pre>\n    Expect: "...)
			b = append(b, esc(strings.Join(v, ", "))...) // apache2's merged fields
			b = append(b, "\n</pre>\n"...)
		} else {
			b = append(b, "<p>No expectation was seen, the Expect request-header \nfield was not presented by the client.\n"...)
		}
		return append(b, "</p><p>Only the 100-continue expectation is supported.</p>\n"...)
	case http.StatusMisdirectedRequest:
		return append(b, "<p>The client needs a new connection for this\nrequest as the requested host name does not match\nthe Server Name Indication (SNI) in use for this\nconnection.</p>\n"...)
	case http.StatusUnprocessableEntity:
		return append(b, "<p>The server understands the media type of the\nrequest entity, but was unable to process the\ncontained instructions.</p>\n"...)
	case http.StatusLocked:
		return append(b, "<p>The requested resource is currently locked.\nThe lock must be released or proper identification\ngiven before the method can be applied.</p>\n"...)
	case http.StatusFailedDependency:
		return append(b, "<p>The method could not be performed on the resource\nbecause the requested action depended on another\naction and that other action failed.</p>\n"...)
	case http.StatusUpgradeRequired:
		// apache2's text really ends without </p>.
		return append(b, "<p>The requested resource can only be retrieved\nusing SSL.  The server is willing to upgrade the current\nconnection to SSL, but your client doesn't support it.\nEither upgrade your client, or try requesting the page\nusing https://\n"...)
	case http.StatusPreconditionRequired:
		return append(b, "<p>The request is required to be conditional.</p>\n"...)
	case http.StatusTooManyRequests:
		return append(b, "<p>The user has sent too many requests\nin a given amount of time.</p>\n"...)
	case http.StatusRequestHeaderFieldsTooLarge:
		return append(b, "<p>The server refused this request because\nthe request header fields are too large.</p>\n"...)
	case http.StatusUnavailableForLegalReasons:
		return withNotes(b, "<p>Access to this URL has been denied for legal reasons.<br />\n")
	case http.StatusNotImplemented:
		return withNotes(b, "<p>"+esc(r.Method)+" not supported for current URL.<br />\n")
	case http.StatusBadGateway: // apache2's text has CRLF line ends here
		return withNotes(b, "<p>The proxy server received an invalid\r\nresponse from an upstream server.<br />\r\n")
	case http.StatusServiceUnavailable:
		return append(b, "<p>The server is temporarily unable to service your\nrequest due to maintenance downtime or capacity\nproblems. Please try again later.</p>\n"...)
	case http.StatusGatewayTimeout:
		return append(b, "<p>The gateway did not receive a timely response\nfrom the upstream server or application.</p>\n"...)
	case http.StatusVariantAlsoNegotiates:
		return append(b, "<p>A variant for the requested resource\n<pre>\n\n</pre>\nis itself a negotiable resource. This indicates a configuration error.</p>\n"...)
	case http.StatusInsufficientStorage:
		return append(b, "<p>The method could not be performed on the resource\nbecause the server is unable to store the\nrepresentation needed to successfully complete the\nrequest.  There is insufficient free space left in\nyour storage allocation.</p>\n"...)
	case http.StatusLoopDetected:
		return append(b, "<p>The server terminated an operation because\nit encountered an infinite loop.</p>\n"...)
	case http.StatusNotExtended:
		return append(b, "<p>A mandatory extension policy in the request is not\naccepted by the server for this resource.</p>\n"...)
	case http.StatusNetworkAuthenticationRequired:
		return append(b, "<p>The client needs to authenticate to gain\nnetwork access.</p>\n"...)
	}
	// 500 and every status without its own text: the notes alone when
	// they are to be shown (ap_proxyerror's).
	if verbose && notes != "" {
		return append(append(b, notes...), "<p />\n"...)
	}
	b = append(b, "<p>The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request.</p>\n<p>Please contact the server administrator at \n "...)
	b = append(b, esc(serverAdmin(s, r))...)
	return append(b, " to inform them of the time this error occurred,\n and the actions you performed just before this error.</p>\n<p>More information about this error may be available\nin the server error log.</p>\n"...)
}

// signatureHostPort is what apache2 shows in the signature and puts in URLs pointing
// back at the server (ap_get_server_name and ap_get_server_port). With
// UseCanonicalName Off: the request's host, lower-cased, without a trailing dot or
// IPv6 brackets, and the port from Host (not for a request marked WithoutURIPort),
// else from ServerName, else the scheme's default. Without a usable Host it is ServerName's, else the connection's local
// address. On: ServerName's host and port, else the default port. DNS: the host is
// the local address's reverse-DNS name, else ServerName's; the port is as with Off.
func signatureHostPort(s *Server, r *http.Request) (host, port string) {
	id := identity(s, r)
	mode := CanonicalNameOff
	if id != nil {
		mode = id.canonical
	}
	if mode != CanonicalNameOn && r.Host != "" && validTargetHost(r.Host) {
		host = RequestHost(r.Host)
	}
	switch mode {
	case CanonicalNameOn:
		host = id.host
	case CanonicalNameDNS:
		host = id.localName(r)
		if host == "" {
			host = id.host
		}
	}
	if host == "" {
		if id != nil {
			host = id.host
		}
		if host == "" {
			if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
				host, _ = splitHostPort(a.String())
			}
		}
		if host == "" {
			host = "localhost"
		}
	}
	return host, serverPort(id, r)
}

// ServerHostPort returns the host and port apache2 uses when it builds a URL pointing
// back at itself, e.g. the Location of a directory redirect. With UseCanonicalName Off
// (CanonicalNameOff): the request's host (lower-cased, no trailing dot, IPv6 without
// brackets) and the port from Host; without Host, the Server's ServerName and its
// port; the port defaults to 80 (443 with TLS). On and DNS: see CanonicalName. Outside the engine the fallbacks are the connection's local
// address and "localhost".
func ServerHostPort(r *http.Request) (host, port string) {
	var s *Server
	if c := ConnFromRequest(r); c != nil {
		s = c.srv
	}
	return signatureHostPort(s, r)
}

// SetVariantList keeps list (HTML) as r's variant list, which apache2's 300
// and 406 pages show (mod_negotiation's "variant-list" note).
func SetVariantList(r *http.Request, list string) {
	if c := ConnFromRequest(r); c != nil {
		c.variants = list
	}
}

func appendVariants(b []byte, r *http.Request) []byte {
	if c := ConnFromRequest(r); c != nil {
		b = append(b, c.variants...)
	}
	return b
}

// appendErrorPageAfter is the page of status sent while answering another
// status, first (apache2's recursive error): status's page, with a paragraph
// naming first before the signature; reason ("" for the standard one),
// blank, notes and verbose as appendErrorPage's.
func appendErrorPageAfter(b []byte, s *Server, r *http.Request, status, first int, blank byte, reason, notes string, verbose bool) []byte {
	const end = "</body></html>\n"
	if reason == "" {
		reason, blank = statusText(status), ' '
	}
	b = appendErrorPage(b, s, r, status, blank, reason, notes, verbose, "")
	cut := len(b) - len(end) - len(appendSignature(nil, s, r, "<hr>\n"))
	tail := string(b[cut:])
	b = append(b[:cut], "<p>Additionally, a "...)
	b = strconv.AppendInt(b, int64(first), 10)
	b = append(b, ' ')
	b = append(b, statusText(first)...)
	b = append(b, "\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>\n"...)
	return append(b, tail...)
}

// pageReason is the reason an error page of status is titled with, apache2's
// ap_send_error_response's r->status_line when it accepts it: the three
// digits of status, then nothing or a blank, then nothing or a letter or
// digit ("500 <b>x</b>" is sent as the status line but not shown); and the
// blank that comes before it in the title ("500\tTab"). An empty reason is
// "Unknown Reason", in the status line too. It is "" for the standard one.
func pageReason(w http.ResponseWriter, status int) (reason string, blank byte) {
	rw, ok := engineWriter(w)
	if !ok || len(rw.reason) < 3 || statusDigits(rw.reason) != status || len(rw.reason) > 3 && !isBlank(rw.reason[3]) {
		return "", ' '
	}
	if len(rw.reason) <= 4 {
		rw.reason = rw.reason[:3] + " Unknown Reason"
	} else if c := rw.reason[4]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
		return "", ' '
	}
	return rw.reason[4:], rw.reason[3]
}

// Refused reports whether r is a request the engine refused as it read its
// head (malformed, over a limit, an expectation it does not meet), which it
// answers through Server.ErrorPage: as apache2's ap_read_request, before any
// module's post-read phase (mod_setenvif's, mod_remoteip's) ran for it.
func Refused(r *http.Request) bool { return r.Context().Value(refusedKey{}) != nil }

// BodyUnread reports whether r is a request refused before any handler
// could read or discard its body, whose ErrorDocument's request reads it
// (apache2's ap_die redirects without discarding it): one refused as its
// head was read (Refused), or once the post-read phase ran (a target's
// scheme, ap_post_read_request's).
func BodyUnread(r *http.Request) bool {
	return Refused(r) || r.Context().Value(unreadKey{}) != nil
}

// unreadKey marks the context of a request refused after the post-read
// phase (BodyUnread).
type unreadKey struct{}

// RefusedBody is nil but for a request the engine refused before it could
// read its body (a malformed or overlong request line or field, bad
// framing; not a bad or missing Host nor a 417): a body whose reads fail,
// as apache2's do once ap_read_request gave up on the connection's input
// (die_unusable_input), which fails an ErrorDocument's script that reads
// it ("Additionally, ...").
func RefusedBody(r *http.Request) io.ReadCloser {
	if v, _ := r.Context().Value(refusedKey{}).(refusal); v == refusedInput {
		return unusableBody{}
	}
	return nil
}

// refusedKey marks the context of a request the engine refused (Refused);
// its value is a refusal.
type refusedKey struct{}

// refusal says whether the input of a refused request is left unusable.
type refusal uint8

const (
	refusedInput refusal = iota + 1 // as its head was read
	refusedAfter                    // once it was read whole (a bad or missing Host, a 417: ap_check_request_header's)
)

// unusableBody is RefusedBody's.
type unusableBody struct{}

func (unusableBody) Read([]byte) (int, error) { return 0, errUnusable }

// errUnusable is an unusableBody's reads' error: an unexpected EOF, which
// apache2's modules log as APR_EOF ("(70014)End of file found: ").
var errUnusable = fmt.Errorf("%w (%w)", io.ErrUnexpectedEOF, errline.EOF)

func (unusableBody) Close() error { return nil }
