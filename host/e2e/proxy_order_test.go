package e2e_test

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// proxyOrderConf proxies /p to the test's backend (@BE@), with Header
// lines of each kind over the backend's fields.
const proxyOrderConf = proxyHTTPModules + mainSite + `ProxyPass /p http://@BE@/q
ProxyPass /plain http://@BE@/q
<Location /p>
	Header always set A-Always 1
	Header set B-Set 2
	Header echo ^X-Echo
	Header append Vary Cookie
	Header merge Cache-Control no-cache
	Header set X-Backend replaced
	Header always add Z-Added z
	RequestHeader set X-Req r
</Location>
`

// TestProxyFieldOrder: a proxied answer's fields come out in apache2's
// order: Date, Server, the Header always fields, the backend's in its
// order and spelling (Content-Type in its place, the Set-Cookie lines
// last, a field a Header line sets or merges in its place, Vary's tokens
// joined by "," as apache2's fixup_vary, its Content-Length too), then the
// fields Header lines add or echo, in the order of their lines.
func TestProxyFieldOrder(t *testing.T) {
	resp := "HTTP/1.1 200 OK\r\nZ-First: 1\r\nContent-Type: text/plain\r\nVary: Accept\r\nSet-Cookie: a=1\r\n" +
		"X-Backend: b\r\nCache-Control: max-age=5\r\nLast-Modified: Mon, 02 Jan 2006 15:04:05 GMT\r\nETag: \"x\"\r\nSet-Cookie: b=2\r\n" +
		"Link: </l>\r\nA-Mid: m\r\nServer: backend\r\nDate: Mon, 02 Jan 2006 15:04:05 GMT\r\nContent-Length: 3\r\nConnection: close\r\n\r\nhi\n"
	lengthFirst := "HTTP/1.1 200 OK\r\ncontent-length: 3\r\nZ-First: 1\r\nContent-Type: text/plain\r\nA-Mid: m\r\nConnection: close\r\n\r\nhi\n"
	be := rawBackend(t, func(line string) string {
		if strings.Contains(line, "/q/len ") {
			return lengthFirst
		}
		return resp
	})
	p := startPair(t, 1, strings.ReplaceAll(proxyOrderConf, "@BE@", be), map[string]string{"a.txt": "a\n"})
	p.compareEach([]string{
		request("GET", "/p/x", "main.test", "", "X-Echo-1: e1", "X-Echo-2: e2"),
		request("GET", "/plain/x", "main.test", ""),
		request("HEAD", "/p/x", "main.test", ""),
	}, (*diffServer).fieldOrder)
	// The backend's Content-Length line keeps its place and spelling
	// (parity16).
	p.compareEach([]string{
		request("GET", "/plain/x", "main.test", ""),
		request("GET", "/plain/len", "main.test", ""),
		request("HEAD", "/plain/len", "main.test", ""),
		request("GET", "/p/len", "main.test", ""),
	}, (*diffServer).framedFieldOrder)
}

// lineOrderConf adds fields whose names repeat or that the handler (a
// file, a backend) sent already, sets and unsets some of them.
const lineOrderConf = proxyHTTPModules + mainSite + `ProxyPass /p http://@BE@/q
<Location /s>
	Header add X-A 1
	Header echo ^X-Q
	Header add Accept-Ranges foo
	Header add X-B 2
	Header add X-A 3
	Header add X-C 1
	Header add X-C 2
	Header set X-C 3
	Header add X-D 1
	Header unset X-D
	Header add X-D 2
	Header append X-A 4
	Header merge X-B 5
	Header edit X-C 3 three
	Header setifempty X-F f
	Header add Accept-Ranges again
	Header set Accept-Ranges none
</Location>
<Location /e>
	ExpiresActive On
	ExpiresDefault A60
	Header add Cache-Control x
	Header add Expires y
	Header add X-G g
	Header unset Cache-Control
</Location>
<Location /p>
	Header add X-E fromclient
	Header add Zeta added
	Header set Alpha set
	Header add Alpha again
</Location>
`

// TestFieldLineOrder: as in apache2's tables, each field line a Header
// line adds goes at the end, after the handler's fields and the lines
// added before it, even when its name repeats or the handler (a static
// file, a backend) sent that name: the handler's keep their place; a line
// set again keeps the place of its first one, one unset goes, one edited
// goes to the end (review13).
func TestFieldLineOrder(t *testing.T) {
	resp := "HTTP/1.1 200 OK\r\nZeta: z\r\nX-E: echoed?\r\nContent-Type: text/plain\r\nAlpha: a\r\nSet-Cookie: a=1\r\n" +
		"Content-Length: 3\r\nConnection: close\r\n\r\nhi\n"
	be := rawBackend(t, func(string) string { return resp })
	p := startPair(t, 1, strings.ReplaceAll(lineOrderConf, "@BE@", be), map[string]string{"s/a.txt": "a\n", "e/a.txt": "e\n"})
	p.compareEach([]string{
		request("GET", "/s/a.txt", "main.test", "", "X-Q: q", "X-Q2: q2"),
		request("GET", "/e/a.txt", "main.test", ""),
		request("GET", "/p/x", "main.test", ""),
	}, (*diffServer).fieldOrder)
}

// backendFields is s's answer to req, its field lines as sent but Server
// and the framing's (the backend's Date comes through).
func (s *diffServer) backendFields(t *testing.T, req string) string {
	t.Helper()
	raw, _ := s.exchange(t, "127.0.0.1", 0, req, 10*time.Second)
	head, _, _ := strings.Cut(raw.String(), "\r\n\r\n")
	var out []string
	for _, line := range strings.Split(head, "\r\n") {
		name, _, _ := strings.Cut(line, ":")
		if !strings.EqualFold(name, "Server") && !slices.ContainsFunc(headerOrderSkipped, func(v string) bool { return strings.EqualFold(v, name) }) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n  ")
}

// TestProxyRepeatedFields: a backend's field lines whose names repeat keep
// its order, not grouped by name (the Set-Cookie lines last), and its
// Date, Expires and Last-Modified in RFC 850 or asctime form come out in
// RFC 1123 form, as apache2's mod_proxy_http writes them (review14).
func TestProxyRepeatedFields(t *testing.T) {
	resp := "HTTP/1.1 200 OK\r\nDate: Sunday, 06-Nov-94 08:49:37 GMT\r\nX-A: 1\r\nSet-Cookie: a=1\r\nX-B: 2\r\nx-a: 3\r\n" +
		"Expires: Sun Nov  6 09:49:37 1994\r\nSet-Cookie: b=2\r\nX-B: 4\r\nLast-Modified: not a date\r\nContent-Type: text/plain\r\n" +
		"Content-Length: 3\r\nConnection: close\r\n\r\nhi\n"
	be := rawBackend(t, func(string) string { return resp })
	p := startPair(t, 1, strings.ReplaceAll(proxyOrderConf, "@BE@", be), map[string]string{"a.txt": "a\n"})
	p.compareEach([]string{
		request("GET", "/plain/x", "main.test", ""),
		request("GET", "/p/x", "main.test", ""),
	}, (*diffServer).backendFields)
}
