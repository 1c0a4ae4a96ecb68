package cgi

import (
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/internal/aphtml"
	"github.com/httpd-mpm/httpd-mpm/internal/apuri"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// table is an apr_table_t of strings: names compared without case, in the
// order first set.
type table struct{ kv []string }

func (t *table) index(name string) int {
	for i := 0; i < len(t.kv); i += 2 {
		if strings.EqualFold(t.kv[i], name) {
			return i
		}
	}
	return -1
}

// set replaces name's value, or adds it (apr_table_setn: a name's later
// entries go).
func (t *table) set(name, value string) {
	i := t.index(name)
	if i < 0 {
		t.kv = append(t.kv, name, value)
		return
	}
	t.kv[i+1] = value
	for j := i + 2; j < len(t.kv); {
		if strings.EqualFold(t.kv[j], name) {
			t.kv = append(t.kv[:j], t.kv[j+2:]...)
			continue
		}
		j += 2
	}
}

// add appends an entry for name, whether it has one or not
// (apr_table_addn).
func (t *table) add(name, value string) { t.kv = append(t.kv, name, value) }

// get is name's value.
func (t *table) get(name string) (string, bool) {
	if i := t.index(name); i >= 0 {
		return t.kv[i+1], true
	}
	return "", false
}

// defaultPath is apache2's DEFAULT_PATH, PATH when the server has none.
const defaultPath = "/bin:/usr/bin:/usr/ucb:/usr/bsd:/usr/local/bin"

// environ is the script's environment as apache2 builds it: the request's
// variables (mod_env, mod_setenvif), then ap_add_common_vars and
// ap_add_cgi_vars over them, then ap_create_environment's names (every
// character but letters and digits made '_', TZ from the server's).
func (h *Handler) environ(r *http.Request, t *static.Target) []string {
	e := Environ(r, h.Site, &h.Dir, t.Filename, t.PathInfo)
	out := make([]string, 0, len(e)/2+1)
	if !hasName(e, "TZ") {
		if tz, ok := os.LookupEnv("TZ"); ok {
			out = append(out, "TZ="+tz)
		}
	}
	for i := 0; i+1 < len(e); i += 2 {
		out = append(out, envName(e[i])+"="+e[i+1])
	}
	return out
}

func hasName(kv []string, name string) bool {
	for i := 0; i < len(kv); i += 2 {
		if strings.EqualFold(kv[i], name) {
			return true
		}
	}
	return false
}

// Environ is a gateway's environment as name, value pairs in apache2's
// order (r->subprocess_env): the request's variables (mod_env,
// mod_setenvif), then ap_add_common_vars and ap_add_cgi_vars over them, for
// the script filename (SCRIPT_FILENAME) with the path info pathInfo, under
// the directory settings dir (CGIPassAuth, CGIVar). mod_cgi and
// mod_proxy_fcgi both send it.
func Environ(r *http.Request, site Site, dir *Dir, filename, pathInfo string) []string {
	var e table
	if vars := http1.Env(r); vars != nil {
		vars.Each(func(name, value string) { e.set(name, value) })
	}
	// ap_add_common_vars: the request's fields first, an entry each in
	// r->headers_in's order (a field RequestHeader add gave a line of its
	// own has two), straight into the variables when there are none yet,
	// else set over them, the last entry of a name winning.
	var common table
	http1.RequestFields(r, r.Header, nil, func(name, v string) {
		switch {
		case strings.EqualFold(name, "Content-Type"):
			common.add("CONTENT_TYPE", v)
		case strings.EqualFold(name, "Content-Length"):
			common.add("CONTENT_LENGTH", v)
		case strings.EqualFold(name, "Proxy"):
		case strings.EqualFold(name, "Authorization"), strings.EqualFold(name, "Proxy-Authorization"):
			if dir.passAuth != nil && *dir.passAuth {
				if n := httpName(name); n != "" {
					common.add(n, v)
				}
			}
		default:
			if n := httpName(name); n != "" {
				common.add(n, v)
			}
		}
	})
	fromServer(&common, &e, "PATH", defaultPath)
	fromServer(&common, &e, "LD_LIBRARY_PATH", "")
	common.set("SERVER_SIGNATURE", http1.SignatureLine(r))
	common.set("SERVER_SOFTWARE", http1.ServerSoftware(r))
	host, _ := http1.ServerHostPort(r)
	if strings.IndexByte(host, ':') >= 0 {
		host = "[" + host + "]"
	}
	common.set("SERVER_NAME", aphtml.Escape(host))
	local, remote, rport := addrs(r)
	common.set("SERVER_ADDR", local)
	common.set("SERVER_PORT", http1.ServerPort(r))
	common.set("REMOTE_ADDR", remote)
	common.set("DOCUMENT_ROOT", site.DocumentRoot())
	common.set("REQUEST_SCHEME", scheme(r))
	prefix, root := site.Context(r)
	common.set("CONTEXT_PREFIX", prefix)
	common.set("CONTEXT_DOCUMENT_ROOT", root)
	common.set("SERVER_ADMIN", http1.ServerAdmin(r))
	common.set("SCRIPT_FILENAME", filename)
	common.set("REMOTE_PORT", rport)
	if c := http1.ConnFromRequest(r); c != nil {
		if user, ok := c.User(); ok {
			common.set("REMOTE_USER", user)
			common.set("AUTH_TYPE", "Basic")
		}
	}
	if len(e.kv) == 0 {
		e = common
	} else {
		for i := 0; i < len(common.kv); i += 2 {
			e.set(common.kv[i], common.kv[i+1])
		}
	}

	// ap_add_cgi_vars.
	e.set("GATEWAY_INTERFACE", "CGI/1.1")
	e.set("SERVER_PROTOCOL", r.Proto)
	e.set("REQUEST_METHOD", r.Method)
	e.set("QUERY_STRING", r.URL.RawQuery)
	uri := r.RequestURI
	if dir.currentURI != nil && *dir.currentURI {
		uri = r.URL.Path
	}
	e.set("REQUEST_URI", uri)
	if pathInfo == "" {
		e.set("SCRIPT_NAME", r.URL.Path)
	} else {
		e.set("SCRIPT_NAME", r.URL.Path[:findPathInfo(r.URL.Path, pathInfo)])
		e.set("PATH_INFO", pathInfo)
		e.set("PATH_TRANSLATED", site.Translate(r, apuri.EscapePath(pathInfo, false)))
	}
	if p := static.PreviousOf(r); p != nil {
		e.set("REDIRECT_URL", p.Path)
		if p.HasQuery {
			e.set("REDIRECT_QUERY_STRING", p.RawQuery)
		}
	}

	return e.kv
}

// fromServer is env2env: name from the request's variables, else the
// server's environment, else def ("" for none).
func fromServer(common, e *table, name, def string) {
	if v, ok := e.get(name); ok {
		common.set(name, v)
	} else if v, ok := os.LookupEnv(name); ok {
		common.set(name, v)
	} else if def != "" {
		common.set(name, def)
	}
}

// httpName is http2env: "HTTP_" and the field name upper-cased, '-' as
// '_'; "" for a name with another character (not exported).
func httpName(field string) string {
	b := make([]byte, 0, len(field)+5)
	b = append(b, "HTTP_"...)
	for i := 0; i < len(field); i++ {
		c := field[i]
		switch {
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b = append(b, c)
		case c == '-':
			b = append(b, '_')
		default:
			return ""
		}
	}
	return string(b)
}

// envName is ap_create_environment's: a leading digit and every character
// but letters and digits become '_'.
func envName(name string) string {
	clean := true
	for i := 0; i < len(name); i++ {
		if !isAlnum(name[i]) || i == 0 && name[i] >= '0' && name[i] <= '9' {
			clean = false
			break
		}
	}
	if clean {
		return name
	}
	b := []byte(name)
	for i, c := range b {
		if !isAlnum(c) || i == 0 && c >= '0' && c <= '9' {
			b[i] = '_'
		}
	}
	return string(b)
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// addrs are the connection's local IP, the client's IP (mod_remoteip's, if
// it set one) and the peer's port (apache2's c->client_addr->port).
func addrs(r *http.Request) (local, remote, rport string) {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		remote = ap.Addr().Unmap().String()
	} else {
		remote, _, _ = net.SplitHostPort(r.RemoteAddr)
	}
	_, rport, _ = net.SplitHostPort(http1.PeerAddr(r))
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if ta, ok := a.(*net.TCPAddr); ok {
			local = ta.AddrPort().Addr().Unmap().String()
		} else {
			local, _, _ = net.SplitHostPort(a.String())
		}
	}
	return local, remote, rport
}

// scheme is ap_http_scheme: https over TLS, else http.
func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// findPathInfo is ap_find_path_info: where the path info starts in uri,
// matched from the end (runs of slashes in uri count as one).
func findPathInfo(uri, pathInfo string) int {
	lu, lp := len(uri), len(pathInfo)
	for {
		lu--
		if lu < 0 {
			break
		}
		lp--
		if lp < 0 || uri[lu] != pathInfo[lp] {
			break
		}
		if pathInfo[lp] == '/' {
			for lu > 0 && uri[lu-1] == '/' {
				lu--
			}
		}
	}
	if lu < 0 {
		lu = 0
	}
	for lu < len(uri) && uri[lu] != '/' {
		lu++
	}
	return lu
}

// arguments are the script's argv: the file, then, for a query without '='
// (an ISINDEX query), its '+'-separated words decoded and escaped for a
// shell (default_build_command).
func arguments(file, query string) []string {
	argv := []string{file}
	if query == "" || strings.IndexByte(query, '=') >= 0 {
		return argv
	}
	for _, w := range strings.Split(query, "+") {
		if len(argv) >= 4094 {
			break
		}
		argv = append(argv, escapeShell(apuri.Decode(w)))
	}
	return argv
}

// escapeShell is ap_escape_shell_cmd: a backslash before each character a
// shell would interpret.
func escapeShell(s string) string {
	const special = "&;`'\"|*?~<>^()[]{}$\\\n\xff"
	if !strings.ContainsAny(s, special) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(special, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
