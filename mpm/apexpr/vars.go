package apexpr

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/env"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/sslvars"
)

// Request is what an expression sees of a request: apache2's request_rec
// fields that the variables read. The variable table (Var) is also
// mod_rewrite's %{NAME}.
type Request struct {
	R *http.Request
	// URI is REQUEST_URI: the clean URL-path (r->uri).
	URI string
	// Query is QUERY_STRING.
	Query string
	// Filename is REQUEST_FILENAME and SCRIPT_FILENAME.
	Filename string
	// PathInfo is PATH_INFO (r->path_info).
	PathInfo     string
	DocumentRoot string
	// Env is the request's environment (reqenv(), env()); nil reads empty.
	Env *env.Vars
	// Out is the response's fields (resp()); nil reads empty.
	Out http.Header
	// ContentType is CONTENT_TYPE (r->content_type), "" for none yet.
	ContentType string
	// Status is REQUEST_STATUS, 0 for none yet.
	Status int
	// Vary collects the request fields read (but Host), for the response's
	// Vary, as apache2 adds them.
	Vary []string
}

// varNames are the variables apache2's core knows (util_expr_eval.c's
// tables); a name outside them is a parse error. Built at its first use
// (an expression in the configuration), not at every start.
var varNames = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`TIME_YEAR TIME_MON TIME_DAY TIME_HOUR TIME_MIN TIME_SEC TIME_WDAY TIME
		SERVER_SOFTWARE API_VERSION HTTP_USER_AGENT HTTP_PROXY_CONNECTION HTTP_REFERER HTTP_COOKIE
		HTTP_FORWARDED HTTP_HOST HTTP_ACCEPT REQUEST_METHOD REQUEST_SCHEME REQUEST_URI REQUEST_FILENAME
		REMOTE_HOST REMOTE_IDENT REMOTE_USER SERVER_ADMIN SERVER_NAME SERVER_PORT SERVER_PROTOCOL
		SCRIPT_FILENAME PATH_INFO QUERY_STRING IS_SUBREQ DOCUMENT_ROOT AUTH_TYPE THE_REQUEST CONTENT_TYPE
		HANDLER REQUEST_LOG_ID SCRIPT_USER SCRIPT_GROUP DOCUMENT_URI LAST_MODIFIED CONTEXT_PREFIX
		CONTEXT_DOCUMENT_ROOT REQUEST_STATUS REMOTE_ADDR REMOTE_PORT HTTPS IPV6 CONN_LOG_ID CONN_REMOTE_ADDR HTTP2`) {
		m[n] = true
	}
	return m
})

// KnownVar reports whether ap_expr knows the variable name (any case).
func KnownVar(name string) bool { return varNames()[strings.ToUpper(name)] || isSSLVar(name) }

// isSSLVar says whether name is one of mod_ssl's (ssl_expr_lookup: "SSL_"
// and more, any case).
func isSSLVar(name string) bool { return len(name) > 4 && strings.EqualFold(name[:4], "SSL_") }

// varFields are the HTTP_* variables and the fields they read.
var varFields = map[string]string{
	"HTTP_USER_AGENT": "User-Agent", "HTTP_PROXY_CONNECTION": "Proxy-Connection", "HTTP_REFERER": "Referer",
	"HTTP_COOKIE": "Cookie", "HTTP_FORWARDED": "Forwarded", "HTTP_HOST": "Host", "HTTP_ACCEPT": "Accept",
}

// Header is the request field name's value, noted in Vary (but Host, as
// RFC 7231 7.1.4 says).
func (q *Request) Header(name string) string {
	v := q.R.Header.Get(name)
	if strings.EqualFold(name, "Host") {
		if v == "" {
			v = q.R.Host // a request not from the engine, which keeps the field
		}
		return v
	}
	q.Vary = append(q.Vary, http.CanonicalHeaderKey(name))
	return v
}

// Var is the variable name's value (any case) for the request, and whether
// the name is one this server gives a value for.
func (q *Request) Var(name string) (string, bool) {
	r := q.R
	if isSSLVar(name) {
		return sslvars.Var(r, name), true
	}
	upper := strings.ToUpper(name)
	if f, ok := varFields[upper]; ok {
		return q.Header(f), true
	}
	now := time.Now()
	switch upper {
	case "TIME":
		return now.Format("20060102150405"), true
	case "TIME_YEAR":
		return now.Format("2006"), true
	case "TIME_MON":
		return now.Format("01"), true
	case "TIME_DAY":
		return now.Format("02"), true
	case "TIME_HOUR":
		return now.Format("15"), true
	case "TIME_MIN":
		return now.Format("04"), true
	case "TIME_SEC":
		return now.Format("05"), true
	case "TIME_WDAY":
		return strconv.Itoa(int(now.Weekday())), true
	case "HTTPS":
		if r.TLS != nil {
			return "on", true
		}
		return "off", true
	case "HTTP2":
		return "off", true
	case "IPV6":
		host, _, _ := net.SplitHostPort(http1.PeerAddr(r)) // the peer's (c->client_addr), not mod_remoteip's client
		if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
			return "on", true
		}
		return "off", true
	case "IS_SUBREQ":
		return "false", true
	case "SERVER_NAME":
		_, host, _ := SplitSelf(http1.SelfURL(r, ""))
		return host, true
	case "SERVER_PORT":
		_, _, port := SplitSelf(http1.SelfURL(r, ""))
		return port, true
	case "REQUEST_SCHEME":
		scheme, _, _ := SplitSelf(http1.SelfURL(r, ""))
		return scheme, true
	case "SERVER_ADDR":
		if c := http1.ConnFromRequest(r); c != nil {
			if a, ok := c.LocalAddr().(*net.TCPAddr); ok {
				return a.IP.String(), true
			}
		}
		return "", true
	case "CONN_REMOTE_ADDR":
		host, _, _ := net.SplitHostPort(http1.PeerAddr(r)) // the peer, not mod_remoteip's client
		return host, true
	case "REMOTE_ADDR", "REMOTE_HOST":
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		return host, true
	case "REMOTE_PORT":
		_, port, _ := net.SplitHostPort(http1.PeerAddr(r)) // ap_expr's is the peer's
		return port, true
	case "THE_REQUEST":
		return r.Method + " " + r.RequestURI + " " + r.Proto, true
	case "REQUEST_METHOD":
		return r.Method, true
	case "SERVER_PROTOCOL":
		return r.Proto, true
	case "REQUEST_URI", "DOCUMENT_URI":
		return q.URI, true
	case "QUERY_STRING":
		return q.Query, true
	case "REQUEST_FILENAME", "SCRIPT_FILENAME":
		return q.Filename, true
	case "PATH_INFO":
		return q.PathInfo, true
	case "DOCUMENT_ROOT", "CONTEXT_DOCUMENT_ROOT":
		return q.DocumentRoot, true
	case "CONTEXT_PREFIX":
		return "", true
	case "REQUEST_STATUS":
		if q.Status == 0 {
			return "", true
		}
		return strconv.Itoa(q.Status), true
	case "SERVER_SOFTWARE":
		return "Apache", true
	case "REMOTE_USER":
		if c := http1.ConnFromRequest(r); c != nil {
			u, _ := c.User()
			return u, true
		}
		return "", true
	case "AUTH_TYPE":
		if c := http1.ConnFromRequest(r); c != nil {
			return c.AuthType(), true
		}
		return "", true
	case "CONTENT_TYPE":
		return q.ContentType, true
	}
	return "", false
}

// SplitSelf splits "scheme://host[:port]" (http1.SelfURL's) with the port
// filled in.
func SplitSelf(self string) (scheme, host, port string) {
	scheme, hp, _ := strings.Cut(self, "://")
	if strings.HasPrefix(hp, "[") {
		if i := strings.IndexByte(hp, ']'); i >= 0 {
			host, hp = hp[1:i], hp[i+1:]
			port = strings.TrimPrefix(hp, ":")
		}
	} else {
		host, port, _ = strings.Cut(hp, ":")
	}
	if port == "" {
		port = http1.DefaultPort(scheme)
	}
	return scheme, host, port
}

// note is the request's note name (http1.Note: apache2's r->notes), for
// note() and env().
func (q *Request) note(name string) (string, bool) {
	if q.R == nil {
		return "", false
	}
	return http1.Note(q.R, name)
}
