package e2e_test

import (
	"strings"
	"testing"
)

// fcgiHostlessConf: lines and handlers to the FastCGI backend on the unix
// socket @SOCK@ whose fcgi: URL has no host.
const fcgiHostlessConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_fcgi_module /usr/lib/apache2/modules/mod_proxy_fcgi.so
ProxyPass /h1 unix:@SOCK@|fcgi:///x
ProxyPass /h2 unix:@SOCK@|fcgi:/x
ProxyPass /h3 unix:@SOCK@|fcgi:
ProxyPass /h4 unix:@SOCK@|fcgi://
ProxyPass /h5 unix:@SOCK@|fcgi:///
ProxyPassMatch ^/m6/(.*)$ unix:@SOCK@|fcgi:///m/$1
<Files "a.php">
    SetHandler "proxy:unix:@SOCK@|fcgi:///x"
</Files>
<Files "b.php">
    SetHandler "proxy:unix:@SOCK@|fcgi:"
</Files>
<Files "c.php">
    SetHandler "proxy:unix:@SOCK@|fcgi://"
</Files>
`

// TestProxyFCGIHostless: a unix socket's fcgi: URL without a host, as
// apache2 2.4.71 takes it: the lines are accepted (ours said "URL must be
// absolute!"), the worker named with the host localhost
// (ap_proxy_define_worker); "fcgi:" and "fcgi://" map requests to
// fcgi://localhost (ap_proxy_de_socketfy), "fcgi:///x" and "fcgi:/x" as
// written, which mod_proxy_fcgi's canon refuses (400, AH01059); a handler's
// URL has localhost whatever its form (fixup_uds_filename). The answers
// and the error log's AH numbers are compared.
func TestProxyFCGIHostless(t *testing.T) {
	sock, ln := unixBackend(t, "run", "fpm.sock")
	rawFCGI(t, ln)
	conf := strings.ReplaceAll(fcgiHostlessConf, "@SOCK@", sock)
	p := startPair(t, 1, conf, map[string]string{"a.php": "", "b.php": "", "c.php": ""})
	var reqs []string
	for _, path := range []string{"/h1", "/h1/y", "/h1/y?q=1", "/h2", "/h2/y?q", "/h3", "/h3/y", "/h4", "/h4/y?q",
		"/h5/y", "/m6/z", "/a.php", "/b.php", "/c.php"} {
		reqs = append(reqs, "GET "+path+" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
	}
	p.compareProxyAnswers(reqs, strings.NewReplacer())
	p.checkProxyCodes()
	p.compareLogMessages("AH01059")
}
