package e2e_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// proxyTraceConf proxies /p to the test's backend (@BE@) in four virtual
// hosts, one per TraceEnable and one without (On, apache2's default); the
// one with Off has a <Location>'s ErrorDocument for 405.
const proxyTraceConf = proxyHTTPModules + mainSite + `<VirtualHost 127.0.0.1:@P0@>
	ServerName on.test
	TraceEnable on
	ProxyPass /p http://@BE@/q
	<Files "h.txt">
		SetHandler "proxy:http://@BE@"
	</Files>
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
	ServerName off.test
	TraceEnable off
	ProxyPass /p http://@BE@/q
	<Location /p>
		ErrorDocument 405 "the location's
	</Location>
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
	ServerName ext.test
	TraceEnable extended
	ProxyPass /p http://@BE@/q
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
	ServerName default.test
	ProxyPass /p http://@BE@/q
</VirtualHost>
`

// TestProxyTrace: a TRACE to a URL that ProxyPass maps goes to mod_proxy,
// as apache2's: passed to the backend under TraceEnable On (a body too:
// mod_proxy has not read it when it checks) and Extended, refused under
// Off with AH01139 (proxy:error) and a 405 the <Location>'s ErrorDocument
// answers. With "Max-Forwards: 0" it is core's, as apache2's mod_proxy
// leaves it: echoed, or refused (not logged) with that ErrorDocument; a
// Max-Forwards above 0 reaches the backend one less, whatever the method.
// A TRACE elsewhere is the engine's, as before: echoed by default too
// (parity18).
func TestProxyTrace(t *testing.T) {
	p := startBackendPair(t, proxyTraceConf, map[string]string{"local.txt": "local\n"})
	var reqs []diffRequest
	for _, host := range []string{"on.test", "off.test", "ext.test", "default.test"} {
		reqs = append(reqs,
			diffRequest{Raw: "TRACE /p/x HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"},
			diffRequest{Raw: "TRACE /p/x HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"},
			diffRequest{Raw: "TRACE /local.txt HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"},
			diffRequest{Raw: "TRACE /p/x HTTP/1.1\r\nHost: " + host + "\r\nMax-Forwards: 0\r\nConnection: close\r\n\r\n"},
			diffRequest{Raw: "TRACE /p/x HTTP/1.1\r\nHost: " + host + "\r\nMax-Forwards: 3\r\nConnection: close\r\n\r\n"})
	}
	reqs = append(reqs, diffRequest{Raw: "GET /p/x HTTP/1.1\r\nHost: off.test\r\nMax-Forwards: 7\r\nConnection: close\r\n\r\n"})
	p.check(reqs)
	p.sameRequestLines()
}

// TestProxyMaxForwards: mod_proxy reads Max-Forwards as apache2's
// proxy_handler does, for every method: one apr_strtoi64 cannot read
// whole (letters, a trailing blank, a negative, too big, two fields
// merged) is 400 "Proxy Error" with AH10188, even for a TRACE that
// TraceEnable Off refuses; an empty one is 0; 0 is core's TRACE or
// OPTIONS, and for any other method 400 with AH00898 (a proxy loop).
func TestProxyMaxForwards(t *testing.T) {
	p := startBackendPair(t, proxyTraceConf, map[string]string{"a.txt": "a\n", "h.txt": "h\n"})
	var reqs []diffRequest
	ask := func(method, host string, fields ...string) string {
		return request(method, "/p/x", host, "", fields...)
	}
	for _, v := range []string{"abc", " 5", "5 ", "+5", "-1", "0x10", "", "9223372036854775807", "99999999999999999999", "00"} {
		f := "Max-Forwards: " + v
		reqs = append(reqs, diffRequest{Raw: ask("GET", "on.test", f)}, diffRequest{Raw: ask("TRACE", "off.test", f)})
	}
	reqs = append(reqs,
		diffRequest{Raw: ask("GET", "on.test", "Max-Forwards: 2", "Max-Forwards: 3")},
		diffRequest{Raw: ask("POST", "on.test", "Max-Forwards: 0"), Want: "Max-Forwards has reached zero - proxy loop?"},
		diffRequest{Raw: ask("DELETE", "off.test", "Max-Forwards: 0")},
		diffRequest{Raw: ask("OPTIONS", "on.test", "Max-Forwards: 0")},
		diffRequest{Raw: ask("OPTIONS", "off.test", "Max-Forwards: 1")},
		diffRequest{Raw: ask("TRACE", "ext.test", "Max-Forwards: 0")},
		diffRequest{Raw: request("GET", "/h.txt", "on.test", "", "Max-Forwards: abc")},
		diffRequest{Raw: request("GET", "/h.txt", "on.test", "", "Max-Forwards: 0")},
		diffRequest{Raw: request("GET", "/h.txt", "on.test", "", "Max-Forwards: 4")})
	p.check(reqs)
	p.compareFields(reqs)
	for _, msg := range []string{
		"AH10188: Max-Forwards value 'abc' could not be parsed",
		"AH00898: Max-Forwards request header could not be parsed returned by /p/x",
		"AH00898: Max-Forwards has reached zero - proxy loop? returned by /p/x",
	} {
		if !strings.Contains(p.apache.srv.ErrorLog(), msg) {
			t.Errorf("apache's error log has no %q", msg)
		}
		if !strings.Contains(p.ours.srv.ErrorLog(), msg) {
			t.Errorf("ours has no %q", msg)
		}
	}
}

// rewriteTraceConf proxies /r with RewriteRule [P] in three virtual hosts,
// one per TraceEnable, and has server-context rules that redirect or
// refuse, a Redirect and a <Location> that denies /r/denied.
const rewriteTraceConf = proxyHTTPModules + mainSite + `LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so
<VirtualHost 127.0.0.1:@P0@>
	ServerName on.test
	TraceEnable on
	RewriteEngine on
	RewriteRule ^/r/(.*) http://@BE@/q/$1 [P]
	RewriteRule ^/moved - [R=301]
	RewriteRule ^/forbidden - [F]
	RewriteRule ^/local /local.txt [PT]
	Redirect /red /local.txt
	<Location /r/denied>
		Require all denied
	</Location>
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
	ServerName off.test
	TraceEnable off
	ErrorDocument 405 "the server's
	RewriteEngine on
	RewriteRule ^/r/(.*) http://@BE@/q/$1 [P]
	RewriteRule ^/forbidden - [F]
	<Location /r>
		ErrorDocument 405 "the location's
	</Location>
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
	ServerName ext.test
	TraceEnable extended
	RewriteEngine on
	RewriteRule ^/r/(.*) http://@BE@/q/$1 [P]
</VirtualHost>
`

// TestRewriteProxyTrace: a TRACE goes through the translate phase before
// core echoes or refuses it, as in apache2: one that a RewriteRule [P]
// proxies is mod_proxy's as one ProxyPass maps (passed on, refused with
// AH01139 under Off, core's with Max-Forwards 0: echoed, or refused under
// the <Location>'s ErrorDocument, after the <Location>'s access checks);
// one a rule or Redirect redirects or refuses gets that answer; the others
// are core's, with the server's ErrorDocument.
func TestRewriteProxyTrace(t *testing.T) {
	p := startBackendPair(t, rewriteTraceConf, map[string]string{"local.txt": "local\n"})
	var reqs []diffRequest
	for _, host := range []string{"on.test", "off.test", "ext.test"} {
		reqs = append(reqs,
			diffRequest{Raw: request("TRACE", "/r/x", host, "")},
			diffRequest{Raw: request("TRACE", "/r/x", host, "abc")},
			diffRequest{Raw: request("TRACE", "/local.txt", host, "")},
			diffRequest{Raw: request("TRACE", "/forbidden", host, "")},
			diffRequest{Raw: request("TRACE", "/r/x", host, "", "Max-Forwards: 0")},
			diffRequest{Raw: request("TRACE", "/r/x", host, "", "Max-Forwards: 3")},
			diffRequest{Raw: request("OPTIONS", "/r/x", host, "", "Max-Forwards: 0")})
	}
	reqs = append(reqs,
		diffRequest{Raw: request("TRACE", "/moved", "on.test", "")},
		diffRequest{Raw: request("TRACE", "/local", "on.test", "")},
		diffRequest{Raw: request("TRACE", "/red", "on.test", "")},
		diffRequest{Raw: request("TRACE", "/r/denied", "on.test", "", "Max-Forwards: 0")})
	p.check(reqs)
	p.compareFields(reqs)
	p.sameRequestLines()
}

// startBackendPair starts a traceBackend and both servers on conf, its
// host:port for @BE@, with the documents docs.
func startBackendPair(t *testing.T, conf string, docs map[string]string) *diffPair {
	t.Helper()
	return startPair(t, 1, strings.ReplaceAll(conf, "@BE@", traceBackend(t)), docs)
}

// traceBackend is a backend on 127.0.0.1 that answers each request with
// its method, URI, body and Max-Forwards field; it returns its host:port.
func traceBackend(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "backend: %s %s body %q max-forwards %q\n", r.Method, r.RequestURI, body, r.Header.Get("Max-Forwards"))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// compareFields compares the status lines and fields (fieldOrder) of both
// servers' answers to reqs.
func (p *diffPair) compareFields(reqs []diffRequest) {
	p.t.Helper()
	raws := make([]string, len(reqs))
	for i, r := range reqs {
		raws[i] = r.Raw
	}
	p.compareEach(raws, (*diffServer).fieldOrder)
}
