package e2e_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// proxyTraceConf proxies /p to the test's backend (@BE@) in three virtual
// hosts, one per TraceEnable; the one with Off has a <Location>'s
// ErrorDocument for 405.
const proxyTraceConf = `LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<VirtualHost 127.0.0.1:@P0@>
	ServerName on.test
	TraceEnable on
	ProxyPass /p http://@BE@/q
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
`

// TestProxyTrace: a TRACE to a URL that ProxyPass maps goes to mod_proxy,
// as apache2's: passed to the backend under TraceEnable On (a body too:
// mod_proxy has not read it when it checks) and Extended, refused under
// Off with AH01139 (proxy:error) and a 405 the <Location>'s ErrorDocument
// answers. With "Max-Forwards: 0" it is core's, as apache2's mod_proxy
// leaves it: echoed, or refused (not logged) with that ErrorDocument; a
// Max-Forwards above 0 reaches the backend one less, whatever the method.
// A TRACE elsewhere is the engine's, as before.
func TestProxyTrace(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "backend: %s %s body %q max-forwards %q\n", r.Method, r.RequestURI, body, r.Header.Get("Max-Forwards"))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	p := startPair(t, 1, strings.ReplaceAll(proxyTraceConf, "@BE@", ln.Addr().String()), map[string]string{"local.txt": "local\n"})
	var reqs []diffRequest
	for _, host := range []string{"on.test", "off.test", "ext.test"} {
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
