package proxy

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/cnum"
	"github.com/httpd-mpm/httpd-mpm/internal/errline"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// maxMemSpool is how much of a request body is read before the request is
// sent (mod_proxy_http's MAX_MEM_SPOOL): a body that fits goes with its length.
const maxMemSpool = 16384

// Target is a request mapped to a backend.
type Target struct {
	URL string // "http://host:port/path?query", or "balancer://name/path?query"
	// Params, for an fcgi:// backend, is the environment sent to it
	// (package cgi's Environ) for r->filename filename; PathInfo its
	// path info (the handler form's).
	Params   func(filename, pathInfo string) []string
	PathInfo string
	// FCGI is mod_proxy_fcgi's configuration for the request
	// (ProxyFCGIBackendType, ProxyFCGISetEnvIf); nil for none.
	FCGI    *FCGIDir
	w       *worker
	b       *balancer
	bad     *refusal // a substitution naming no valid backend
	upgrade string   // the ProxyPass line's upgrade= list ("*": any), "" none
	generic bool     // served by the default reverse proxy worker
	rawPath bool     // the handler form's: SCRIPT_FILENAME is the file's name unescaped
	log     static.LogFunc
	// ErrorOverride is ProxyErrorOverride for the request; ErrorPage then
	// answers in place of a backend's error (ErrorDocument).
	ErrorOverride ErrorOverride
	ErrorPage     func(w http.ResponseWriter, r *http.Request, status int)
	// Error, if not nil, answers an error status of the request's own
	// (an ErrorDocument's page).
	Error func(w http.ResponseWriter, r *http.Request, status int)
	// WSTunnel (ProxyWebsocketFallbackToProxyHttp Off) serves a ws:// URL
	// with mod_proxy_wstunnel's own tunnel (wstunnel).
	WSTunnel bool
}

// fail answers status, an error of the request's own (a backend that
// cannot be reached, say), through its ErrorDocument if any, as apache2's
// ap_die does with the status a proxy handler returns.
func (t *Target) fail(w http.ResponseWriter, r *http.Request, status int) {
	if t.Error != nil {
		t.Error(w, r, status)
		return
	}
	http1.WriteError(w, r, status, "")
}

// proxyError answers status for the reason msg as mod_proxy's ap_proxyerror
// (AH00898, with err) and ap_die: the status line "NNN Proxy Error" and the error
// notes naming msg, on apache2's "Proxy Error" page or through the
// request's ErrorDocument (its text with that status line; a local URL's
// script sees the notes).
func (t *Target) proxyError(w http.ResponseWriter, r *http.Request, logf logFunc, err error, status int, msg string) {
	logf("proxy", err, "AH00898: %s returned by %s", msg, r.URL.Path)
	if t.Error == nil {
		http1.WriteProxyError(w, r, status, msg)
		return
	}
	http1.SetProxyError(w, r, status, msg)
	t.Error(w, r, status)
}

// overrides says whether the server's own page answers in place of a
// backend's answer of status (ProxyErrorOverride), whatever the backend.
func (t *Target) overrides(status int) bool {
	return t.ErrorPage != nil && t.ErrorOverride.Should(status)
}

// Match maps the clean URL-path p and the query through ProxyPass and
// ProxyPassMatch; nil when no line maps it (or a "!" line excludes it).
// hasQuery says the request has a query, an empty one ("/b?") too: the
// backend gets its '?', as apache2 sends it.
func (c *Config) Match(p, query string, hasQuery bool) *Target {
	if c.Empty() {
		return nil
	}
	u, w, b, bad, upgrade, ok := c.match(p, query, hasQuery)
	if !ok {
		return nil
	}
	return &Target{URL: u, w: w, b: b, bad: bad, upgrade: upgrade, generic: w != nil && w.generic}
}

// WebSocket says whether t's backend is a ws:// URL.
func (t *Target) WebSocket() bool { return t.w != nil && t.w.scheme == "ws" }

// ForURL is the Target of the absolute URL a RewriteRule [P] gives (its path
// escaped as mod_proxy's canonicalization does), served as apache2 2.4.71
// serves it: by the worker whose name matches it best, whatever line
// defined it, else the generic worker, a connection per request
// (workerFor); a balancer:// URL by its balancer (one the server lacks:
// 500, AH01144, as apache2 answers it). Nil for a URL it cannot proxy.
func (c *Config) ForURL(u string) *Target {
	u = canonURL(u)
	if isBalancerURL(u) {
		// balancer://slash?z=1: the name ends at the query.
		return &Target{URL: u, b: c.balancerFor(u)}
	}
	w, err := c.workerFor(u)
	if err != nil {
		return nil
	}
	return &Target{URL: u, w: w, generic: w.generic}
}

// genericSettings are the generic worker's parameters.
var genericSettings = workerSettings{disableReuse: true}

// Serve forwards r to t's backend and streams the answer back; log (nil:
// nowhere) gets apache2's error lines.
func (c *Config) Serve(w http.ResponseWriter, r *http.Request, t *Target, log static.LogFunc) {
	logf := func(module string, err error, format string, args ...any) {
		if log != nil {
			log(r, static.LevelError, module, err, fmt.Sprintf(format, args...))
		}
	}
	t.log = log
	if b := t.bad; b != nil {
		if b.module != "" {
			// A scheme's canon refused the URL: the status, served as
			// any other (an ErrorDocument for it).
			logf(b.module, nil, "%s", b.reason)
			t.fail(w, r, b.status)
			return
		}
		if b.canon {
			logf("proxy_http", nil, "AH01083: %s", b.reason)
			t.fail(w, r, b.status)
			return
		}
		t.proxyError(w, r, logf, nil, b.status, b.reason)
		return
	}
	if t.b != nil && t.b.absent {
		// No balancer of that name: apache2's proxy_balancer declines the
		// URL, and no other scheme handler takes it.
		if log != nil {
			log(r, static.LevelWarn, "proxy", nil, "AH01144: No protocol handler was valid for the URL "+r.URL.Path+
				" (scheme 'balancer'). If you are using a DSO version of mod_proxy, make sure the proxy submodules are included in the configuration using LoadModule.")
		}
		t.fail(w, r, http.StatusInternalServerError)
		return
	}
	pre, bodyDone, ok := prefetch(w, r, t, logf)
	if !ok {
		return
	}
	if t.b == nil {
		if !c.forward(w, r, t, t.URL, t.w, pre, bodyDone, logf, nil) {
			t.fail(w, r, http.StatusServiceUnavailable)
		}
		return
	}
	c.balance(w, r, t, pre, bodyDone, logf)
}

// logFunc logs one of apache2's error lines for a request.
type logFunc func(module string, err error, format string, args ...any)

// prefetch reads the first maxMemSpool bytes of r's body; bodyDone says it
// is all there. False when the request was answered (a body cut short or
// badly framed).
func prefetch(w http.ResponseWriter, r *http.Request, t *Target, logf logFunc) (pre []byte, bodyDone, ok bool) {
	bodyDone = true
	if http1.RefusedBody(r) != nil {
		// The ErrorDocument of a request refused as its head was read:
		// apache2's prefetch reads the input ap_read_request gave up on,
		// which fails at once (APR_EOF), whatever the request's length.
		prefetchFailed(w, r, t, logf, errline.EOF)
		return nil, false, false
	}
	chunked := len(r.TransferEncoding) > 0
	if r.Body == nil || r.Body == http.NoBody || (r.ContentLength == 0 && !chunked) {
		return nil, true, true
	}
	pre = make([]byte, maxMemSpool)
	n, err := io.ReadFull(r.Body, pre)
	pre = pre[:n]
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		if r.ContentLength > 0 && int64(n) < r.ContentLength {
			// The client went away mid-body.
			http1.WriteError(w, r, http.StatusBadRequest, "")
			return nil, false, false
		}
	case errors.As(err, new(*http.MaxBytesError)):
		// Over LimitRequestBody: apache2's HTTP_IN filter answers it (with
		// the ErrorDocument), and mod_proxy logs nothing of its own.
		t.fail(w, r, http.StatusRequestEntityTooLarge)
		return nil, false, false
	case err != nil:
		// A body the client frames badly (say a bare LF in its chunks).
		prefetchFailed(w, r, t, logf, err)
		return nil, false, false
	default:
		var one [1]byte
		if m, _ := io.ReadFull(r.Body, one[:]); m == 1 {
			pre = append(pre, one[0])
			bodyDone = false
		}
	}
	return pre, bodyDone, true
}

// prefetchFailed answers a request whose body prefetch could not read
// (err): mod_proxy's AH01095 line, then a 400 (through the ErrorDocument,
// as apache2's ap_die).
func prefetchFailed(w http.ResponseWriter, r *http.Request, t *Target, logf logFunc, err error) {
	client, _, _ := net.SplitHostPort(r.RemoteAddr)
	host, port := "", ""
	if pu, perr := url.Parse(t.URL); perr == nil {
		host, port = pu.Hostname(), pu.Port()
		if t.w != nil {
			host, port = t.w.host, t.w.port
		}
	}
	logf("proxy", err, "AH01095: prefetch request body failed to %s (%s) from %s ()",
		net.JoinHostPort(host, port), host, client)
	t.fail(w, r, http.StatusBadRequest)
}

// balance serves r through t's balancer as mod_proxy_balancer does: a
// member chosen, and on a connection refused it put in error and another
// tried, up to maxattempts; 503 when none is left.
func (c *Config) balance(w http.ResponseWriter, r *http.Request, t *Target, pre []byte, bodyDone bool, logf logFunc) {
	b := t.b
	for attempt := 0; ; attempt++ {
		m, why := b.pick(r, t.URL)
		if m == nil {
			logf("proxy_balancer", nil, "%s", why)
			t.fail(w, r, http.StatusServiceUnavailable)
			return
		}
		if e := http1.Env(r); e != nil {
			e.Set("BALANCER_NAME", b.name)
			e.Set("BALANCER_WORKER_NAME", m.w.name+m.w.path)
			route := m.routeName()
			e.Set("BALANCER_WORKER_ROUTE", route)
			if sticky, _ := b.stickyNames(); sticky != "" && b.route(r, t.URL) != route {
				e.Set("BALANCER_ROUTE_CHANGED", "1")
			}
		}
		fail := func() {
			if b.fail(m) {
				logf("proxy", nil, "AH00959: ap_proxy_connect_backend disabling worker for (%s:%s) for %ds",
					m.w.host, m.w.port, int(m.retryTime().Seconds()))
			}
		}
		answered := func() bool {
			// Deferred: a transfer that fails part way ends the request
			// with a panic (http.ErrAbortHandler), and a member whose busy
			// count stayed up would get nothing more from bybusyness.
			defer b.done(m)
			return c.forward(w, r, t, b.memberURL(m, t.URL), m.w, pre, bodyDone, logf, fail)
		}()
		if answered {
			return
		}
		if m.usable() || attempt >= b.attempts() {
			t.fail(w, r, http.StatusServiceUnavailable)
			return
		}
	}
}

// forward sends r to the backend URL u through the worker wk and passes
// its answer on. False, with nothing written, when the backend cannot be
// reached (apache2's 503): connectFailed (if not nil) is called then, after
// the AH00957 line.
func (c *Config) forward(w http.ResponseWriter, r *http.Request, t *Target, u string, wk *worker, pre []byte, bodyDone bool, logf logFunc, connectFailed func()) bool {
	_, u = deSocket(u)
	pu, err := url.Parse(u)
	if err != nil || pu.Host == "" {
		http1.WriteError(w, r, http.StatusBadRequest, "")
		return true
	}
	chunked := len(r.TransferEncoding) > 0
	timeout, connectTimeout := c.timeouts(r, wk)
	if wk.scheme == "fcgi" {
		return c.serveFCGI(w, r, t, wk, pu, pre, bodyDone, chunked, timeout, connectTimeout, logf, connectFailed)
	}
	force10, noReuse, fresh := noKeepAlive(r)
	noReuse = noReuse || wk.settings.disableReuse
	if wk.scheme == "ws" && t.WSTunnel {
		return c.wstunnel(w, r, t, wk, pu, pre, bodyDone, chunked, force10, timeout, connectTimeout, logf, connectFailed)
	}
	// mod_proxy_http forwards the client's Upgrade field when the line's
	// upgrade= list (a ws:// URL: "WebSocket") names it.
	// A balancer member's own upgrade= serves the lines to its balancer.
	upgrades := t.upgrade
	if upgrades == "" {
		upgrades = wk.settings.upgrade
	}
	upgrade := ""
	if v := r.Header.Get("Upgrade"); v != "" && !force10 && canUpgrade(upgrades, wk.scheme, v) {
		upgrade = v
	}
	c.warnNoHost(r, t)
	head := c.requestHead(r, pu, pre, bodyDone, chunked, force10, noReuse, upgrade)

	var resp *http.Response
	var names []string
	var bc *bconn
	for attempt := 0; ; attempt++ {
		bc = nil
		if !fresh {
			bc = wk.get()
		}
		if bc == nil {
			bc, err = wk.dial(connectTimeout, timeout)
			var dnsErr *net.DNSError
			if errors.As(err, &dnsErr) {
				t.proxyError(w, r, logf, nil, http.StatusInternalServerError, "DNS lookup failure for: "+wk.host)
				return true
			}
			if err != nil {
				wk.connectFailed(err, "http", logf, connectFailed)
				logf("proxy_http", nil, "AH01114: HTTP: failed to make connection to backend: %s", wk.host)
				return false
			}
		}
		bc.timeout = timeout
		resp, names, err = send(bc, head, pre, r.Body, bodyDone, chunked, r.Method)
		if err == nil {
			break
		}
		bc.Close()
		if bc.reused && bodyDone && attempt == 0 && !isTimeout(err) {
			continue // a keep-alive race: once more on a new connection
		}
		if msg := badField(err); msg != "" {
			// apache2 passes the field on and its HTTP output filter
			// refuses the answer: 500, through the ErrorDocument.
			logf("http", nil, "%s", msg)
			w.Header().Set("Connection", "close")
			t.fail(w, r, http.StatusInternalServerError)
			return true
		}
		// A timeout too is a 502 in apache2 2.4.71 (not 504).
		var long *fieldTooLong
		if errors.As(err, &long) {
			logf("proxy_http", nil, "AH10124: %s", long.Error())
		} else {
			logf("proxy_http", err, "AH01102: error reading status line from remote server %s:%s", wk.host, wk.port)
		}
		t.proxyError(w, r, logf, nil, http.StatusBadGateway, "Error reading from remote server")
		return true
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		c.switchProtocols(w, r, t, resp, names, bc, upgrade, timeout, logf)
		return true
	}
	if t.overrides(resp.StatusCode) {
		c.override(w, r, t, resp, bc, wk)
		return true
	}
	if noReuse {
		resp.Close = true // the connection is not kept for another request
	}
	// An Upgrade the backend offers goes back to the client when the line
	// could upgrade to it (a 426, say).
	offer := resp.Header.Get("Upgrade")
	if offer != "" && !canUpgrade(upgrades, wk.scheme, offer) {
		offer = ""
	}
	c.answer(w, r, resp, t.answerStatus(r, resp.StatusCode), names, bc, wk, offer)
	return true
}

// answerStatus is the status of the answer to r passing on a backend's
// answer of status backend: a local ErrorDocument's error status when
// ProxyErrorOverride would override it and a body is sent (not for a HEAD,
// a 204 or a 304), as mod_proxy_http keeps an error status when "the error
// document is itself reverse proxied and was successful"; else backend.
func (t *Target) answerStatus(r *http.Request, backend int) int {
	st := static.RequestStatus(r)
	if backend != http.StatusNoContent && backend != http.StatusNotModified && !static.HeaderOnly(r) && t.overrides(st) {
		return st
	}
	return backend
}

// connectFailed logs a failed connection to the worker's backend for the
// scheme ("http", "WS") as ap_proxy_connect_backend (AH00957), then calls
// then, if not nil.
func (wk *worker) connectFailed(err error, scheme string, logf logFunc, then func()) {
	if wk.sock != "" {
		logf("proxy", err, "AH02454: %s: attempt to connect to Unix domain socket %s (%s:%s) failed", scheme, wk.sock, wk.host, wk.port)
	} else {
		addr := net.JoinHostPort(wk.host, wk.port)
		logf("proxy", err, "AH00957: %s: attempt to connect to %s (%s:%s) failed", scheme, addr, wk.host, wk.port)
	}
	if then != nil {
		then()
	}
}

// noKeepAlive reads the variables by which apache2 does not keep a backend
// connection for another request: force-proxy-request-1.0 (an HTTP/1.0
// request, force10) and proxy-nokeepalive; and proxy-initial-not-pooled, by
// which a client connection's first request takes no idle connection
// (fresh).
func noKeepAlive(r *http.Request) (force10, noReuse, fresh bool) {
	e := http1.Env(r)
	if e == nil || e.Len() == 0 {
		return false, false, false
	}
	force10 = e.Has("force-proxy-request-1.0")
	noReuse = force10 || e.Has("proxy-nokeepalive")
	if e.Has("proxy-initial-not-pooled") {
		conn := http1.ConnFromRequest(r)
		fresh = conn != nil && conn.Requests() <= 1
	}
	return force10, noReuse, fresh
}

// badField is apache2's HTTP output filter's line (AH02429, AH02430) for a
// field of a backend's answer whose name or value has bytes HTTP does not
// allow there (a bare CR, say), when err is Go's refusal of such a line;
// "" otherwise.
func badField(err error) string {
	var pe textproto.ProtocolError
	if !errors.As(err, &pe) {
		return ""
	}
	quoted, ok := strings.CutPrefix(string(pe), "malformed MIME header line: ")
	if !ok {
		return ""
	}
	line, uerr := strconv.Unquote(quoted)
	if uerr != nil {
		return ""
	}
	name, value, ok := strings.Cut(line, ":")
	if !ok {
		return ""
	}
	if name == "" || strings.IndexFunc(name, func(c rune) bool { return c >= 0x80 || !keepToken(byte(c)) }) >= 0 {
		return "AH02429: Response header name '" + name + "' contains invalid characters, aborting request"
	}
	return "AH02430: Response header '" + name + "' value of '" + strings.TrimLeft(value, " \t") + "' contains invalid characters, aborting request"
}

// keepToken says whether c may be in an HTTP token (a field's name).
func keepToken(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// timeouts are the worker's I/O timeout (its timeout=, else ProxyTimeout,
// else the server's Timeout) and its connection timeout.
func (c *Config) timeouts(r *http.Request, wk *worker) (timeout, connectTimeout time.Duration) {
	timeout = wk.settings.timeout
	if timeout == 0 && c != nil {
		timeout = c.timeout
	}
	if conn := http1.ConnFromRequest(r); timeout == 0 && conn != nil {
		timeout = conn.Timeout() // the server's Timeout
	}
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	connectTimeout = wk.settings.connectTimeout
	if connectTimeout == 0 {
		connectTimeout = timeout
	}
	return timeout, connectTimeout
}

// isTimeout says whether err is a timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// warnNoHost logs apache2's AH01092 for a request that requestHead sends
// the ServerName as its Host: ProxyPreserveHost with no Host field.
func (c *Config) warnNoHost(r *http.Request, t *Target) {
	if !c.preserveHost || t.log == nil {
		return
	}
	if _, ok := http1.FirstValue(r, r.Header, "Host"); !ok {
		t.log(r, static.LevelWarn, "proxy", nil, "AH01092: no HTTP 0.9 request (with no host line) on incoming request and preserve host set forcing hostname to be "+
			http1.ServerHostname(r)+" for uri "+r.URL.Path)
	}
}

// requestHead is the request line and fields sent to the backend, as
// ap_proxy_create_hdrbrgd and mod_proxy_http write them.
func (c *Config) requestHead(r *http.Request, pu *url.URL, pre []byte, bodyDone, chunked, force10, noReuse bool, upgrade string) []byte {
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	delete(h, "Transfer-Encoding")
	delete(h, "Content-Length")
	delete(h, "Proxy-Connection")
	for _, v := range h["Connection"] {
		for _, tok := range strings.Split(v, ",") {
			if tok = strings.TrimSpace(tok); tok != "" {
				delete(h, http.CanonicalHeaderKey(tok))
			}
		}
	}
	for _, k := range [...]string{"Connection", "Keep-Alive", "Upgrade", "Trailer", "Te", "Expect"} {
		delete(h, k)
	}
	// apache2's saved_host: the Host field's first entry, as RequestHeader
	// left it (the parser put an absolute-form target's host in it); none
	// when the request has no Host field (HTTP/1.0 without one, or
	// RequestHeader unset it): then no X-Forwarded-Host, and
	// ProxyPreserveHost sends the ServerName (apache2's AH01092). An
	// empty one (RequestHeader set Host "") is sent as it is.
	saved, hasHost := http1.FirstValue(r, r.Header, "Host")
	host := saved
	if c.preserveHost && !hasHost {
		host = http1.ServerHostname(r)
	}
	if !c.preserveHost {
		host = pu.Host
		if pu.Port() == "80" {
			host = strings.TrimSuffix(host, ":80")
		}
		if !c.preserveHost {
			host = strings.ToLower(host)
		}
	}
	delete(h, "Host")
	// The fields the proxy adds that r did not have, which go last.
	var fresh [len(proxyAdded)]string
	switch c.via {
	case ViaBlock:
		delete(h, "Via")
	case ViaOn, ViaFull:
		fresh[0] = mergen(r, h, "Via", via(r, c.via))
	}
	if !c.addHeadersOff {
		ip := r.RemoteAddr
		if ap, err := netip.ParseAddrPort(ip); err == nil {
			ip = ap.Addr().Unmap().String()
		}
		fresh[1] = mergen(r, h, "X-Forwarded-For", ip)
		if hasHost {
			fresh[2] = mergen(r, h, "X-Forwarded-Host", saved)
		}
		fresh[3] = mergen(r, h, "X-Forwarded-Server", http1.ServerHostname(r))
	}
	var b strings.Builder
	uri := pu.EscapedPath()
	if pu.Opaque != "" {
		uri = pu.Opaque
	}
	if uri == "" {
		uri = "/"
	}
	if pu.RawQuery != "" || pu.ForceQuery {
		uri += "?" + pu.RawQuery
	}
	proto := " HTTP/1.1\r\nHost: "
	if force10 {
		proto = " HTTP/1.0\r\nHost: "
	}
	b.WriteString(r.Method + " " + uri + proto + host + "\r\n")
	writeFields(&b, h, r, fresh[:])
	switch {
	case bodyDone && (len(pre) > 0 || r.ContentLength > 0 || chunked):
		b.WriteString("Content-Length: " + strconv.Itoa(len(pre)) + "\r\n")
	case !bodyDone && chunked:
		b.WriteString("Transfer-Encoding: chunked\r\n")
	case !bodyDone:
		b.WriteString("Content-Length: " + strconv.FormatInt(r.ContentLength, 10) + "\r\n")
	}
	switch {
	case force10: // no Connection field: HTTP/1.0 closes
		b.WriteString("\r\n")
	case upgrade != "":
		b.WriteString("Connection: Upgrade\r\nUpgrade: " + upgrade + "\r\n\r\n")
	case noReuse:
		b.WriteString("Connection: close\r\n\r\n")
	default:
		b.WriteString("Connection: Keep-Alive\r\n\r\n")
	}
	return []byte(b.String())
}

// proxyAdded are the fields the proxy adds to a request, in the order
// ap_proxy_create_hdrbrgd adds them: after the others when r had none.
var proxyAdded = [...]string{"Via", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Server"}

// writeFields writes the request fields h (r's, changed) as mod_proxy_http
// forwards apache2's r->headers_in (http1.RequestFields): those the client
// sent in its order and spelling, a repeated one's lines as one (apache2
// merges them as it reads the request), then the lines RequestHeader
// added, in their order and spelling (a field the client sent that was
// removed since, http1.RemovedField, among them), then the others in name
// order, then fresh's, the proxy's own that r had not (proxyAdded's order,
// "" for one it merged into r's or did not add).
func writeFields(b *strings.Builder, h http.Header, r *http.Request, fresh []string) {
	http1.RequestFields(r, h, fresh, func(name, v string) {
		b.WriteString(name + ": " + fieldValue(v) + "\r\n")
	})
	for _, k := range fresh {
		for _, v := range h[k] {
			b.WriteString(k + ": " + fieldValue(v) + "\r\n")
		}
	}
}

// fieldValue is v as mod_proxy_http writes it, blanks around kept (a
// RequestHeader value's, or the ", " apr_table_mergen joins an empty one
// with: X-Forwarded-Host "main.test, "), a CR or LF a space.
func fieldValue(v string) string {
	if strings.ContainsAny(v, "\r\n") {
		v = strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
	}
	return v
}

// mergen is apr_table_mergen on r's fields h (a copy): v joined with ", "
// to the value of the field's first entry (the client's, its repeated lines
// one: http1.MergeSent), or, when h has none, a new field. It returns k if
// the field is new, else "".
func mergen(r *http.Request, h http.Header, k, v string) string {
	http1.MergeSent(r, h, k, http1.RequestLines(r))
	if old := h[k]; len(old) > 0 {
		old[0] += ", " + v // h is r's fields cloned: the values are its own
		return ""
	}
	h[k] = []string{v}
	return k
}

// mergeAll is v joined to the values of h's field k, all made one, with
// ", " (the answer's Via).
func mergeAll(h http.Header, k, v string) {
	if old := h[k]; len(old) > 0 {
		h[k] = []string{strings.Join(old, ", ") + ", " + v}
		return
	}
	h[k] = []string{v}
}

// via is the Via element this server adds: the protocol version, the server's
// name and port, and for ProxyVia Full its software.
func via(r *http.Request, v Via) string {
	host, port := http1.ServerHostPort(r)
	if host == http1.RequestHost(r.Host) {
		host = http1.ServerHostname(r)
	}
	s := strconv.Itoa(r.ProtoMajor) + "." + strconv.Itoa(r.ProtoMinor) + " " + host
	if port != "" && port != "80" {
		s += ":" + port
	}
	if v == ViaFull {
		s += " (Apache/2.4.71)"
	}
	return s
}

// send writes the request and reads the answer's head (interim 1xx answers
// skipped).
func send(bc *bconn, head, pre []byte, body io.Reader, bodyDone, chunked bool, method string) (*http.Response, []string, error) {
	if err := writeRequest(bc.bw, head, pre, body, bodyDone, chunked); err != nil {
		return nil, nil, err
	}
	bc.headLeft = maxHead + 1
	defer func() { bc.headLeft = 0 }()
	for {
		names, err := peekFieldNames(bc.br)
		if isTimeout(err) {
			// The backend was silent for the timeout: apache2's socket
			// timeout ends the head there (reading on would wait once more).
			return nil, nil, err
		}
		raw := bufferedLine(bc.br) // what peekFieldNames could read: no read more
		line := string(bytes.TrimSuffix(raw, []byte("\r")))
		status, ok := statusLine(line)
		src := bc.br
		if ok && len(line) > 12 && line[12] != ' ' && line[9] != '1' {
			// "HTTP/1.1 500\tTab": apache2 takes the status from the
			// three digits whatever follows them, Go refuses the line.
			// Read from the line with a space there, then from the
			// connection, which takes no other request: src reads ahead.
			bc.br.Discard(len(raw) + 1)
			src = bufio.NewReader(io.MultiReader(strings.NewReader(line[:12]+" "+line[13:]+"\n"), bc.br))
		}
		resp, err := http.ReadResponse(src, &http.Request{Method: method})
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, nil, err
		}
		if err := fieldsFit(resp.Header); err != nil {
			return nil, nil, err
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			continue
		}
		if ok {
			resp.Status = status
		}
		resp.Close = resp.Close || src != bc.br
		return resp, names, nil
	}
}

// statusLine is mod_proxy_http's status line (r->status_line) of a
// backend's answer whose first line is line, ok when that is "HTTP/#.#
// ###...": what follows "HTTP/1.1 ", as the backend sent it (blanks at the
// end kept: "500 Oops  ", "500  "), a space added after three digits
// alone ("500 ").
func statusLine(line string) (status string, ok bool) {
	if len(line) < 12 || !strings.HasPrefix(line, "HTTP/") || line[6] != '.' || line[8] != ' ' ||
		!cnum.Digits(line[5:6]) || !cnum.Digits(line[7:8]) || !cnum.Digits(line[9:12]) {
		return "", false
	}
	if len(line) == 12 {
		return line[9:] + " ", true
	}
	return line[9:], true
}

// writeRequest writes the request's head and its body to bw, and flushes:
// pre, then the rest of body unless bodyDone, chunked again when the head
// says so (requestHead).
func writeRequest(bw *bufio.Writer, head, pre []byte, body io.Reader, bodyDone, chunked bool) error {
	bw.Write(head)
	if !bodyDone && chunked {
		cw := &chunkWriter{w: bw}
		cw.Write(pre)
		if _, err := io.Copy(cw, body); err != nil {
			return err
		}
		bw.WriteString("0\r\n\r\n")
	} else {
		bw.Write(pre)
		if !bodyDone {
			if _, err := io.Copy(bw, body); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// peekFieldNames are the names of the field lines of the answer head br
// holds next, in their order and spelling (a name once per line), read
// without consuming it; nil when the head does not fit in br's buffer or
// cannot be read, with the reading's error in that case.
func peekFieldNames(br *bufio.Reader) ([]string, error) {
	var head []byte
	for n := 1; head == nil; n = br.Buffered() + 1 {
		if n > br.Size() {
			return nil, nil
		}
		if _, err := br.Peek(n); err != nil {
			return nil, err
		}
		b, _ := br.Peek(br.Buffered())
		if i := bytes.Index(b, []byte("\n\r\n")); i >= 0 {
			head = b[:i+1]
		} else if i := bytes.Index(b, []byte("\n\n")); i >= 0 {
			head = b[:i+1]
		}
	}
	var names []string
	for i, line := range bytes.Split(head, []byte("\n")) {
		if i == 0 || len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
			continue // the status line, a continuation
		}
		k, _, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		names = append(names, string(bytes.TrimRight(k, " \t")))
	}
	return names, nil
}

// bufferedLine is the first line br holds, without its LF, read without
// consuming it and without reading (valid until br is read); nil when br
// holds no whole line.
func bufferedLine(br *bufio.Reader) []byte {
	b, _ := br.Peek(br.Buffered())
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return nil
}

// maxField is the longest field line of a backend's answer, as apache2's
// (HUGE_STRING_LEN, its ProxyIOBufferSize default: AH10124 past it), and
// maxHead what a child reads of an answer's head at most (apache2 has no
// bound but the time each line may take).
const (
	maxField = 8192
	maxHead  = 1 << 20
)

// fieldTooLong is a field line of a backend's answer longer than maxField.
type fieldTooLong struct{ line string }

func (e *fieldTooLong) Error() string {
	trunc := min(len(e.line), 128) / 2
	return fmt.Sprintf("header size is over the limit allowed by ResponseFieldSize (%d bytes). Bad response header: '%s[...]%s'",
		maxField, e.line[:trunc], e.line[len(e.line)-trunc:])
}

// fieldsFit checks h's lines against maxField.
func fieldsFit(h http.Header) error {
	for k, vs := range h {
		for _, v := range vs {
			if len(k)+2+len(v) >= maxField-1 {
				return &fieldTooLong{k + ": " + v}
			}
		}
	}
	return nil
}

// chunkWriter writes each Write as one chunk.
type chunkWriter struct{ w *bufio.Writer }

func (c *chunkWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.w.WriteString(strconv.FormatInt(int64(len(p)), 16) + "\r\n")
	c.w.Write(p)
	_, err := c.w.WriteString("\r\n")
	return len(p), err
}

// responseHop are the fields of a backend's answer never passed on.
var responseHop = [...]string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Te", "Trailer", "Upgrade", "Transfer-Encoding"}

// answer passes the backend's answer on with status, streaming its body. Its fields
// keep the order and spelling of names, the backend's, the Set-Cookie
// lines last, as apache2's mod_proxy_http puts them in headers_out.
//
// offer, if not "", is the Upgrade field sent back with "Connection: Upgrade".
func (c *Config) answer(w http.ResponseWriter, r *http.Request, resp *http.Response, status int, names []string, bc *bconn, wk *worker, offer string) {
	out := w.Header()
	for _, v := range resp.Header["Connection"] {
		for _, tok := range strings.Split(v, ",") {
			if tok = strings.TrimSpace(tok); tok != "" {
				resp.Header.Del(tok)
			}
		}
	}
	for _, k := range responseHop {
		delete(resp.Header, k)
	}
	for k, v := range resp.Header {
		out[k] = v
	}
	if len(resp.TransferEncoding) > 0 {
		delete(out, "Content-Length") // the backend's, if any, is not the body's
	}
	if c.via == ViaOn || c.via == ViaFull {
		mergeAll(out, "Via", via(r, c.via))
	}
	if offer != "" {
		out["Connection"], out["Upgrade"] = []string{"Upgrade"}, []string{offer}
	}
	for _, k := range [...]string{"Location", "Content-Location", "Uri"} {
		if v := out[k]; len(v) > 0 {
			out[k] = []string{c.reverseURL(r, v[0])}
		}
	}
	if len(c.cookiePaths)+len(c.cookieDomains) > 0 {
		for i, v := range out["Set-Cookie"] {
			out["Set-Cookie"][i] = c.reverseCookie(v)
		}
	}
	for _, k := range [...]string{"Date", "Expires", "Last-Modified"} {
		for i, v := range out[k] {
			if t, err := http.ParseTime(v); err == nil {
				out[k][i] = t.UTC().Format(http.TimeFormat) // date_canon: RFC 850 and asctime dates to RFC 1123
			}
		}
	}
	if names != nil {
		isCookie := func(n string) bool { return strings.EqualFold(n, "Set-Cookie") }
		if n := len(names); slices.ContainsFunc(names, isCookie) {
			names = slices.DeleteFunc(names, isCookie)
			for range n - len(names) {
				names = append(names, "Set-Cookie")
			}
		}
		http1.SetFieldOrder(r, &http1.FieldOrder{Handler: names})
	}
	// The backend's answer, an error status too, is the request's: no
	// ErrorDocument replaces it without ProxyErrorOverride.
	static.OwnAnswer(r, true)
	// Sent with the backend's status line (send: "200 Fine  ", "500 "), as
	// apache2's r->status_line, when it is status's and valid.
	http1.SetStatusLine(w, resp.Status)
	w.WriteHeader(status)
	var err error
	if r.Method != http.MethodHead {
		_, err = io.Copy(&flushWriter{w: w, left: resp.ContentLength}, resp.Body)
	}
	resp.Body.Close()
	if err != nil || resp.Close {
		bc.Close()
		if err != nil {
			panic(http.ErrAbortHandler) // the client sees the answer cut short, as from apache2
		}
		return
	}
	wk.put(bc)
}

// override answers in place of the backend's error resp, as mod_proxy_http
// with ProxyErrorOverride: the answer's body read and dropped (its
// connection kept), its fields dropped but a 401's WWW-Authenticate, the
// server's own error answer for its status, with the backend's status line
// (apache2's r->status_line: "500 Oops" on the page and an ErrorDocument's
// text, not a local ErrorDocument's request).
func (c *Config) override(w http.ResponseWriter, r *http.Request, t *Target, resp *http.Response, bc *bconn, wk *worker) {
	_, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		bc.Close()
	} else {
		wk.put(bc)
	}
	if v := resp.Header["Www-Authenticate"]; resp.StatusCode == http.StatusUnauthorized && len(v) > 0 {
		w.Header()["Www-Authenticate"] = v
	}
	// The backend's status line (send): "500 Oops  ", an empty reason's
	// "500 ", which an error page titles "500 Unknown Reason".
	http1.SetStatusLine(w, resp.Status)
	t.ErrorPage(w, r, resp.StatusCode)
}

// flushWriter flushes after each write: a streamed answer goes on as it
// comes, but for its last bytes when left, what the backend still has to
// send (-1: unknown), says there are no more. Those go when the handler
// returns, after the balancer member is released (its busy count down), as
// apache2's core output filter holds a small last write until the end of
// the request: a client that has the whole answer and asks the
// balancer-manager page next never sees the member busy with it.
type flushWriter struct {
	w    http.ResponseWriter
	left int64
}

func (f *flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if f.left >= 0 {
		f.left -= int64(n)
	}
	if err == nil && f.left != 0 {
		// Through the writers that wrap the connection's (mod_dir's
		// FallbackResource subrequest's, an ErrorDocument's), which may
		// flush by FlushError or Unwrap only.
		http.NewResponseController(f.w).Flush()
	}
	return n, err
}

// reverseURL is ap_proxy_location_reverse_map: a URL of a backend that a
// ProxyPassReverse line names becomes the server's own.
func (c *Config) reverseURL(r *http.Request, u string) string {
	for _, rv := range c.reverses {
		if len(u) >= len(rv.real) && strings.EqualFold(u[:len(rv.real)], rv.real) {
			p := rv.fake + u[len(rv.real):]
			if strings.HasSuffix(rv.fake, "/") && strings.HasPrefix(u[len(rv.real):], "/") {
				p = rv.fake + u[len(rv.real)+1:]
			}
			return http1.SelfURL(r, p)
		}
	}
	return u
}

// reverseCookie maps a Set-Cookie's path and domain attributes
// (ProxyPassReverseCookiePath and ProxyPassReverseCookieDomain).
func (c *Config) reverseCookie(v string) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		k, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "path":
			// apache2 puts the public path in place of the whole path.
			for _, rv := range c.cookiePaths {
				if strings.HasPrefix(val, rv.fake) {
					parts[i] = k + "=" + rv.real
					break
				}
			}
		case "domain":
			for _, rv := range c.cookieDomains {
				if len(val) >= len(rv.fake) && strings.EqualFold(val[:len(rv.fake)], rv.fake) {
					parts[i] = k + "=" + rv.real
					break
				}
			}
		}
	}
	return strings.Join(parts, ";")
}
