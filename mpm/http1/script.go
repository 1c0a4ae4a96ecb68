package http1

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// What a script handler (mod_cgi) needs of the engine beyond the request: the
// values apache2 puts in a CGI program's environment, and the connection itself
// for a script that writes the whole response (nph-).

// ServerSoftware is the Server header of the server answering r as ServerTokens
// makes it (apache2's ap_get_server_banner, a CGI program's SERVER_SOFTWARE);
// "" outside the engine.
func ServerSoftware(r *http.Request) string {
	if c := ConnFromRequest(r); c != nil && c.srv.Software != "" {
		return c.srv.Software
	}
	return ""
}

// ServerPort is apache2's ap_get_server_port for r (SERVER_PORT): with
// UseCanonicalName Off or DNS the port of the Host field (not for a request
// marked WithoutURIPort; an empty one, which only an absolute-form target
// gives, is the scheme's default), else the ServerName's, else the scheme's default;
// On: the ServerName's port, else the scheme's default, as %p (apache2's
// local-port fallback is UseCanonicalPhysicalPort On's, which we lack).
func ServerPort(r *http.Request) string {
	var s *Server
	if c := ConnFromRequest(r); c != nil {
		s = c.srv
	}
	return serverPort(identity(s, r), r)
}

// strtolPort is the port apache2's apr_uri_parse makes of an absolute-form
// target's port p with strtol: an optional sign then digits, a long
// (saturated) stored in an apr_port_t, 16 bits, so that 99999 is 34463 and
// -1 65535; ok is false for what strtol does not read whole ("", "-",
// "--1", "1-", "8a"), which apr_uri_parse refuses, port then what strtol
// read of it (8 for "8a", 0 for "--1").
func strtolPort(p string) (port uint16, ok bool) {
	i, neg := 0, false
	if p != "" && (p[0] == '+' || p[0] == '-') {
		i, neg = 1, p[0] == '-'
	}
	ok = i < len(p)
	var n uint64
	saturated := false
	for ; i < len(p); i++ {
		d := uint64(p[i] - '0')
		if d > 9 {
			ok = false
			break
		}
		if n > (math.MaxInt64-d)/10 {
			saturated = true
		}
		n = n*10 + d
	}
	switch {
	case saturated && neg:
		return 0, ok // LONG_MIN's low bits
	case saturated:
		return 0xffff, ok // LONG_MAX's
	case neg:
		return uint16(-int64(n)), ok
	}
	return uint16(n), ok
}

// uriPort is a port of the request's host (a Host field's digits, or an
// absolute-form target's port, strtolPort's) as apache2 keeps it, a
// number: "081" is 81, "00" 0, 99999 34463, "-1" 65535.
func uriPort(p string) string {
	if p != "" && p[0] >= '1' && p[0] <= '9' && (len(p) < 5 || len(p) == 5 && p <= "65535") {
		if _, ok := strtolPort(p); ok {
			return p // the number as written
		}
	}
	n, _ := strtolPort(p)
	return strconv.FormatUint(uint64(n), 10)
}

// serverPort is ServerPort for the server id names (signatureHostPort's port).
func serverPort(id *Identity, r *http.Request) string {
	on := id != nil && id.canonical == CanonicalNameOn
	if !on && r.Host != "" && validTargetHost(r.Host) && !withoutURIPort(r) {
		if _, port := splitHostPort(r.Host); port != "" {
			return uriPort(port)
		}
		if r.Host[len(r.Host)-1] == ':' {
			// An absolute-form target's empty port: its scheme's, as
			// apache2's apr_uri_parse sets it (not the ServerName's).
			return DefaultPort(connScheme(r))
		}
	}
	if u := r.URL; !on && u != nil && u.Host != "" && u.Host != r.Host && !withoutURIPort(r) {
		// An absolute-form target whose host was ignored (another scheme
		// than the connection's) keeps its port where the Host field
		// names none, as apache2's r->parsed_uri: "https://a.test:81/"
		// is 81 over plain HTTP, "https://a.test:/" 443.
		if i := strings.LastIndexByte(u.Host, ':'); i >= 0 && strings.IndexByte(u.Host[i:], ']') < 0 {
			if port := u.Host[i+1:]; port != "" {
				return uriPort(port)
			}
			return DefaultPort(strings.ToLower(u.Scheme))
		}
	}
	if id != nil && id.port != "" {
		return id.port
	}
	return DefaultPort(id.schemeFor(r))
}

type uriPortKey struct{}

// WithoutURIPort marks (without true) or unmarks the request of ctx as one
// whose URI names no port, as apache2's subrequest for a URL-path
// (ap_sub_req_lookup_uri parses a URI without host or port): under
// UseCanonicalName Off or DNS, ServerPort and SelfURL then take the
// ServerName's port, else the scheme's default, not the Host field's.
func WithoutURIPort(ctx context.Context, without bool) context.Context {
	return context.WithValue(ctx, uriPortKey{}, without)
}

// withoutURIPort says whether WithoutURIPort marked r's context.
func withoutURIPort(r *http.Request) bool {
	without, _ := r.Context().Value(uriPortKey{}).(bool)
	return without
}

// ServerAdmin is the ServerAdmin of the server answering r, apache2's
// "[no address given]" without one.
func ServerAdmin(r *http.Request) string {
	var s *Server
	if c := ConnFromRequest(r); c != nil {
		s = c.srv
	}
	return serverAdmin(s, r)
}

// Timeout is the Timeout of the server answering r; 0 outside the engine.
func Timeout(r *http.Request) time.Duration {
	if c := ConnFromRequest(r); c != nil {
		return c.timeout()
	}
	return 0
}

// Raw hands the connection of w over to a handler that writes the whole
// response itself, status line and header included (apache2's nph- scripts):
// nothing more is added, the response's status is 200 for the access log, and
// the connection closes after it. It returns nil when w is not the engine's
// or its response has started. Flush sends what was written.
func Raw(w http.ResponseWriter) RawWriter {
	rw, ok := w.(*response)
	if !ok || rw.committed || rw.finished {
		return nil
	}
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	rw.committed, rw.closeAfter, rw.cl = true, true, -1
	rw.pendN = 0
	return &rawWriter{rw}
}

// RawWriter is the connection Raw hands over.
type RawWriter interface {
	Write(p []byte) (int, error)
	Flush() error
}

type rawWriter struct{ w *response }

func (r *rawWriter) Write(p []byte) (int, error) {
	n, err := r.w.c.bw.Write(p)
	r.w.written += int64(n)
	return n, err
}

func (r *rawWriter) Flush() error { return r.w.c.flush() }

// SetStatusLine gives the response of w the status line line ("404 Not
// Here", a CGI script's Status) in place of the standard one, as apache2
// sends r->status_line: only when it is the three digits of the status the
// response is sent with, a space and a reason without CR or LF, an empty
// one too ("500 " goes as it is; "500", the digits alone, is kept but sent
// as the standard line, as apache2's validate_status_line; an error page
// makes either "500 Unknown Reason"); one with a tab or another blank for
// the space ("500\tTab", a backend's) is kept too, for an error page's
// title, but sent as the standard line, as apache2 2.4.71 does; "" goes
// back to the standard one (an internal redirect's new request). A writer
// that wraps the engine's (an ErrorDocument's or mod_dir's, which pass a
// script's answer on) is unwrapped (Unwrap, as http.ResponseController
// does). It does nothing when w is not the engine's or its response has
// started.
func SetStatusLine(w http.ResponseWriter, line string) {
	rw, ok := engineWriter(w)
	if ok && line == "" && !rw.committed && !rw.finished {
		rw.reason = ""
		return
	}
	if !ok || rw.committed || rw.finished || len(line) < 3 || len(line) > 3 && !isBlank(line[3]) || needsSanitize(line) {
		return
	}
	rw.reason = line
}

// isBlank is apr_isspace but for CR and LF: a space, a tab, a vertical
// tab or a form feed.
func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\v' || c == '\f' }

// StatusLine is the status line SetStatusLine gave w's response, "" for
// the standard one or when w is not the engine's (nor wraps it).
func StatusLine(w http.ResponseWriter) string {
	if rw, ok := engineWriter(w); ok {
		return rw.reason
	}
	return ""
}

// engineWriter is the engine's writer w is or wraps (Unwrap), false for
// none.
func engineWriter(w http.ResponseWriter) (*response, bool) {
	for {
		switch t := w.(type) {
		case *response:
			return t, true
		case interface{ Unwrap() http.ResponseWriter }:
			w = t.Unwrap()
		default:
			return nil, false
		}
	}
}

// atoiStatus is the status code a status line starts with, 0 for none.
func atoiStatus(line string) int {
	if len(line) < 4 || line[3] != ' ' {
		return 0
	}
	return statusDigits(line)
}

// statusDigits is the number line's first three bytes are, 0 if they are
// not digits.
func statusDigits(line string) int {
	if len(line) < 3 {
		return 0
	}
	n := 0
	for i := 0; i < 3; i++ {
		c := line[i]
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}
