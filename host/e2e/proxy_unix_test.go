package e2e_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// proxyUnixConf: ProxyPass lines to the HTTP backend on the unix socket
// @SOCK@, with and without a host in their http: URL, and to a socket
// nothing listens on (@DEAD@).
const proxyUnixConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
ProxyPass /u1 unix:@SOCK@|http:///x
ProxyPass /u2 unix:@SOCK@|http:/x
ProxyPass /u3 unix:@SOCK@|http:
ProxyPass /u4 unix:@SOCK@|http://h.test/p
ProxyPass /u5 unix:@SOCK@|http://
ProxyPass /d1 unix:@DEAD@|http://dead.test/x
ProxyPass /d2 unix:@DEAD@|http://localhost/x/d2
`

// TestProxyUnixHTTP: mod_proxy_http to a unix domain socket, as apache2
// 2.4.71 (ours refused any unix: URL but fcgi's): unix:/s|http://h/p
// sends Host h, one without a host localhost; "http:" and "http://" map
// requests to http://localhost, "http:///x" and "http:/x" as written,
// which mod_proxy_http's canon refuses (400, AH01083, its words compared);
// a socket nothing listens on is a 503 (AH02454, AH01114), but a line
// whose URL (its socket aside) a worker's name starts shares that worker
// and its socket (AH01145).
func TestProxyUnixHTTP(t *testing.T) {
	sock, ln := unixBackend(t, "run", "http.sock")
	proxyBackend(t, ln)
	dead := filepath.Join(filepath.Dir(sock), "dead.sock")
	conf := strings.NewReplacer("@SOCK@", sock, "@DEAD@", dead).Replace(proxyUnixConf)
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	var reqs []string
	for _, path := range []string{"/u1/y", "/u2/y?q", "/u3/y", "/u3/y?q=1", "/u4/y", "/u5", "/d1/y", "/d2/y"} {
		reqs = append(reqs, "GET "+path+" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
	}
	p.compareProxyAnswers(reqs, strings.NewReplacer())
	p.checkProxyCodes()
	p.compareLogMessages("AH01083")
}
