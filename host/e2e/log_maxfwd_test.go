package e2e_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// logMaxForwardsConf proxies /p to the trace backend (@BE@), a file by its
// handler, and has backends that refuse, whose ErrorDocuments are proxied
// themselves or a CGI script that prints its Max-Forwards; TraceEnable is
// Off; /f/ goes to a FastCGI backend (@RAW@). The log shows the request's
// fields that mod_proxy sets or adds for the backend.
const logMaxForwardsConf = proxyHTTPModules + mainSite + `LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
LoadModule proxy_fcgi_module ` + apacheModuleDir + `/mod_proxy_fcgi.so
CustomLog logs/mf_log "%m %U %>s mf=%{Max-Forwards}i xff=%{X-Forwarded-For}i xfh=%{X-Forwarded-Host}i via=%{Via}i host=%{Host}i cl=%{Content-Length}i te=%{Transfer-Encoding}i"
ProxyPass /f/ fcgi://@RAW@/srv/
ProxyVia On
TraceEnable off
ProxyPass /p http://@BE@/q
<Files "h.txt">
	SetHandler "proxy:http://@BE@"
</Files>
<Directory @DOCS@/bin>
	Options +ExecCGI
	SetHandler cgi-script
</Directory>
<Location /dead>
	ProxyPass http://127.0.0.1:1/
	ErrorDocument 503 /p/doc
</Location>
<Location /deadcgi>
	ProxyPass http://127.0.0.1:1/
	ErrorDocument 503 /bin/mf.cgi
</Location>
`

// TestLogMaxForwards: as apache2's mod_proxy sets Max-Forwards one less in
// the request's own fields (r->headers_in), the access log's
// %{Max-Forwards}i shows what the backend got, and so does what is served
// after (a local ErrorDocument proxied again gets one less again, a CGI
// script sees it); one that is refused (0, unreadable) is logged as sent.
// The fields mod_proxy adds for the backend (X-Forwarded-*, Via) are made
// on a copy: the log shows the client's. A TRACE with Max-Forwards 1 under
// TraceEnable Off is refused as one with more (AH01139), not as the 0 it
// becomes. mod_proxy_fcgi sets the length of a body it read whole in the
// request's fields too (a chunked one logs its Content-Length and no
// Transfer-Encoding), mod_proxy_http on its copy.
func TestLogMaxForwards(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	rawFCGI(t, ln)
	p := startBackendPair(t, strings.ReplaceAll(logMaxForwardsConf, "@RAW@", ln.Addr().String()), map[string]string{
		"h.txt":      "h\n",
		"bin/mf.cgi": "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"cgi mf=$HTTP_MAX_FORWARDS\"\n",
	})
	must(t, os.Chmod(filepath.Join(p.apache.docs, "bin/mf.cgi"), 0o755))
	mf := func(v string) string { return "Max-Forwards: " + v }
	reqs := []diffRequest{
		{Raw: request("GET", "/p/x", "main.test", "", mf("5"))},
		{Raw: request("GET", "/p/x", "main.test", "")},
		{Raw: request("GET", "/p/x", "main.test", "", mf("0"))},
		{Raw: request("GET", "/p/x", "main.test", "", mf("abc"))},
		{Raw: request("GET", "/p/x", "main.test", "", mf("2"), mf("3"))},
		{Raw: request("GET", "/p/y", "main.test", "", "max-forwards: 7")},
		{Raw: request("OPTIONS", "/p/x", "main.test", "", mf("1"))},
		{Raw: request("POST", "/p/x", "main.test", "b", mf("9"), "X-Forwarded-For: 192.0.2.1", "Via: 1.0 other")},
		{Raw: request("GET", "/h.txt", "main.test", "", mf("4"))},
		{Raw: request("GET", "/dead/x", "main.test", "", mf("5"))},
		{Raw: request("GET", "/deadcgi/x", "main.test", "", mf("5"))},
		{Raw: request("TRACE", "/p/x", "main.test", "", mf("1"))},
		{Raw: request("TRACE", "/p/x", "main.test", "", mf("0"))},
		{Raw: "POST /f/chunked HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n"},
		{Raw: request("POST", "/f/cl", "main.test", "abcd")},
		{Raw: request("GET", "/f/get", "main.test", "")},
		{Raw: "POST /p/chunked HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n"},
	}
	p.check(reqs)
	for _, s := range []*diffServer{p.apache, p.ours} {
		if n := strings.Count(s.srv.ErrorLog(), "AH01139: TRACE forbidden by server configuration"); n != 1 {
			t.Errorf("%s: %d AH01139 lines, want 1 (Max-Forwards 1, not 0)", s.name, n)
		}
	}
	p.checkLogs("mf_log")
}
