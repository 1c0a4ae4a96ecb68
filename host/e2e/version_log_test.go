package e2e_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestVersionLog: a request line's version may be any HTTP/x.y with x
// other than 0, as apache2's ap_parse_request_line takes it: HTTP/1.2,
// HTTP/2.0 and HTTP/3.0 on an HTTP/1 connection are served as HTTP/1.1
// (kept alive, "HTTP/1.1" the status line; the Host wanted unless the
// target names the host, and the Host field then wanted of 1.1 alone), the
// version as sent in the access log's %H and %r and a script's
// SERVER_PROTOCOL; HTTP/0.9 as a version and the HTTP/2 preface
// (PRI * HTTP/2.0) are 400s, as is "http/1.1", whose %H is as written. Answers, Connection fields, status lines and
// log lines compared with apache2's.
func TestVersionLog(t *testing.T) {
	conf := mainSite + `LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
<Directory @DOCS@>
	Options +ExecCGI
	AddHandler cgi-script .cgi
</Directory>
LogFormat "%r|%H|%U|%V|%{Host}i|%>s|%b" verlog
CustomLog logs/ver_log verlog
KeepAlive On
`
	script := "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n[%s] [%s]\\n' \"$SERVER_PROTOCOL\" \"$SERVER_NAME\"\n"
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n", "s.cgi": script})
	must(t, os.Chmod(filepath.Join(p.apache.docs, "s.cgi"), 0o755))
	p.check([]diffRequest{
		{Raw: rawRequest("GET /a.txt HTTP/2.0", "Host: main.test") + rawRequest("GET /a.txt HTTP/3.0", "Host: main.test", "Connection: close"), Want: "a\na\n", Connection: true},
		{Raw: rawRequest("GET /a.txt HTTP/1.2", "Host: main.test") + rawRequest("GET /a.txt HTTP/9.9", "Host: main.test", "Connection: close"), Want: "a\na\n", Connection: true},
		{Raw: rawRequest("GET /s.cgi HTTP/2.0", "Host: main.test", "Connection: close"), Want: "[HTTP/2.0] [main.test]", Connection: true},
		{Raw: rawRequest("GET http://abs.test/s.cgi HTTP/2.0", "Connection: close"), Want: "[HTTP/2.0] [abs.test]", Connection: true},
		{Raw: rawRequest("GET http://abs.test/s.cgi HTTP/1.1", "Connection: close"), Connection: true},
		{Raw: rawRequest("GET /a.txt HTTP/2.0"), Connection: true},
		{Raw: rawRequest("GET /a.txt HTTP/0.9", "Host: main.test"), Connection: true},
		// "HTTP" in another case: refused, the version as written in %H and %r.
		{Raw: rawRequest("GET /a.txt http/1.1", "Host: main.test"), Connection: true},
		{Raw: rawRequest("GET /a.txt Http/2.0", "Host: main.test"), Connection: true},
		{Raw: rawRequest("GET /a.txt http/0.9", "Host: main.test"), Connection: true},
		{Raw: rawRequest("GET http://u:p@main.test/ hTTP/1.0", "Host: main.test"), Connection: true},
		{Raw: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Connection: true},
	})
	for _, raw := range []string{
		rawRequest("GET /a.txt HTTP/2.0", "Host: main.test", "Connection: close"),
		rawRequest("GET /a.txt HTTP/0.9", "Host: main.test"),
	} {
		a, _ := p.apache.exchange(t, "127.0.0.1", 0, raw, 10*time.Second)
		o, _ := p.ours.exchange(t, "127.0.0.1", 0, raw, 10*time.Second)
		want, _ := bufio.NewReader(a).ReadString('\n')
		got, _ := bufio.NewReader(o).ReadString('\n')
		if want != got || !strings.HasPrefix(want, "HTTP/1.1 ") {
			t.Errorf("%q: status line %q, apache2's %q", raw, got, want)
		}
	}
	p.checkLogs("ver_log")
}
