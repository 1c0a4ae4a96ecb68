package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readErrorDocConf has two name-based servers on one address, each with its
// own ErrorDocuments: an existing page, a missing one, a text and a CGI
// script (errorDocCGIConf's 404 overridden in both).
const readErrorDocConf = errorDocCGIConf + `<VirtualHost 127.0.0.1:@P0@>
	ServerName main.test
	DocumentRoot @DOCS@
	ErrorDocument 400 /e400.html
	ErrorDocument 404 /missing.html
	ErrorDocument 414 /e.cgi
	ErrorDocument 417 /e.cgi
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
	ServerName other.test
	DocumentRoot @DOCS@
	ErrorDocument 400 /missing.html
	ErrorDocument 404 "other 404"
	ErrorDocument 414 "other 414"
	ErrorDocument 417 "other 417"
</VirtualHost>
`

// TestReadErrorDocument: a request refused while its head is read (a
// malformed request line or field, a bad Host, a field over the limits, bad
// framing, a URI over LimitRequestLine) is answered
// with the ErrorDocument of the connection's default server whatever its
// Host names, as apache2's ap_read_request passes them to ap_die before it
// picks the virtual host; an ErrorDocument that fails adds apache2's
// "Additionally" paragraph. A 417 (after the host is known) and a 404 for an
// encoded NUL (core's, after the request is read) take the ErrorDocument of
// the Host's server.
func TestReadErrorDocument(t *testing.T) {
	p := startPair(t, 1, readErrorDocConf, map[string]string{
		"e400.html": "E400 page\n",
		"e.cgi":     "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nE [%s] [%s] [%s] [%s] [%s]\\n' \"$REDIRECT_STATUS\" \"$REQUEST_METHOD\" \"$REDIRECT_REQUEST_METHOD\" \"$REDIRECT_URL\" \"$REQUEST_URI\"\n",
	})
	must(t, os.Chmod(filepath.Join(p.apache.docs, "e.cgi"), 0o755))
	long := "/" + strings.Repeat("a", 9000)
	var many strings.Builder
	for range 101 {
		many.WriteString("X-F: 1\r\n")
	}
	p.check([]diffRequest{
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: other.test\r\nbadline\r\nConnection: close\r\n\r\n", Want: "E400 page"},
		{Raw: "HEAD /a.txt HTTP/1.1\r\nHost: other.test\r\nbadline\r\nConnection: close\r\n\r\n"},
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: bad..host\r\nConnection: close\r\n\r\n", Want: "E400 page"},
		{Raw: "GET /a.txt HTTP/1.1\r\nConnection: close\r\n\r\n", Want: "E400 page"},
		// HttpProtocolOptions Strict's host checks (ours served them).
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: 123\r\nConnection: close\r\n\r\n", Want: "E400 page"},
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: 1.2.3\r\nConnection: close\r\n\r\n", Want: "E400 page"},
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: 01.2.3.4\r\nConnection: close\r\n\r\n", Want: "E400 page"},
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: 1.2.3.4.5\r\nConnection: close\r\n\r\n", Want: "E400 page"},
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: a.1b\r\nConnection: close\r\n\r\n", Want: "E400 page"},
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: a.-b:80\r\nConnection: close\r\n\r\n", Want: "E400 page"},
		{Raw: "GET http://123/a.txt HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n", Want: "E400 page"},
		{Raw: "GET http://1.2.3/a.txt HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n", Want: "E400 page"},
		{Raw: "GET http://a.1b/a.txt HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n", Want: "E400 page"},
		{Raw: "GET /e400.html HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", Want: "E400 page"},
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: other.test\r\nContent-Length: x\r\nConnection: close\r\n\r\n", Want: "E400 page"},
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: other.test\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n", Want: "E400 page"},
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: other.test\r\nX-Long: " + strings.Repeat("b", 9000) + "\r\n\r\n", Want: "E400 page"},
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: other.test\r\n" + many.String() + "\r\n", Want: "E400 page"},
		{Raw: "GET /a b c HTTP/1.1\r\nHost: other.test\r\n\r\n", Want: "E400 page"},
		{Raw: "GET " + long + " HTTP/1.1\r\nHost: other.test\r\n\r\n", Want: "Additionally, a 414"},
		{Raw: "GET /a%zz HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n", Want: "Additionally, a 400"},
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: other.test\r\nExpect: x\r\nConnection: close\r\n\r\n", Want: "other 417"},
		{Raw: "POST /a.txt?q HTTP/1.1\r\nHost: main.test\r\nExpect: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", Want: "E [417]"},
		{Raw: "GET /a%00b HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n", Want: "Additionally, a 404"},
		{Raw: "GET /a%00b HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n", Want: "other 404"},
	})
}

// readErrorScriptConf: absHostConf's scripts, the main server's
// ErrorDocument 400 one of them, SetEnvIf marks every request that reaches
// the post-read phase, and a log keeps the lines of the marked ones.
const readErrorScriptConf = absHostConf + `SetEnvIf Request_URI ^ SEEN=1
ErrorDocument 400 /h/e.cgi
CustomLog logs/seen_log "%U %>s" env=SEEN
`

// TestReadErrorDocumentScript: a 400 for a bad or missing Host (apache2's
// ap_check_request_header) or for a target's scheme other than http and
// https (ap_post_read_request, after mod_setenvif's hook: the document
// gets REDIRECT_SEEN, the request a seen_log line) leaves the input
// usable, so a CGI ErrorDocument answers it (ours said "Additionally"
// for both, and logged no seen_log line); bad framing does not
// (die_unusable_input).
func TestReadErrorDocumentScript(t *testing.T) {
	e := "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"rs=$REDIRECT_SEEN st=$REDIRECT_STATUS url=$REDIRECT_URL q=$REDIRECT_QUERY_STRING\"\n"
	p := startPair(t, 1, readErrorScriptConf, map[string]string{"h/e.cgi": e, "a.txt": "a\n"})
	must(t, os.Chmod(filepath.Join(p.apache.docs, "h/e.cgi"), 0o755))
	p.check([]diffRequest{
		{Raw: rawRequest("GET ftp://abs.test/a.txt?x=1 HTTP/1.1", "Host: main.test", "Connection: close"), Want: "rs=1 st=400 url=/a.txt q=x=1\n"},
		{Raw: rawRequest("GET ftp:/a.txt HTTP/1.1", "Host: main.test", "Connection: close"), Want: "rs=1 st=400 url=/a.txt q=\n"},
		{Raw: rawRequest("HEAD FTP://abs.test/a.txt HTTP/1.1", "Host: main.test", "Connection: close")},
		{Raw: rawRequest("GET /a.txt HTTP/1.1", "Host: main.test:", "Connection: close"), Want: "rs= st=400 url=/a.txt q=\n"},
		{Raw: rawRequest("GET /a.txt HTTP/1.1", "Host: a..b", "Connection: close"), Want: "rs= st=400 url=/a.txt q=\n"},
		{Raw: rawRequest("GET /a.txt HTTP/1.1", "Connection: close"), Want: "rs= st=400 url=/a.txt q=\n"},
		{Raw: rawRequest("GET /a.txt HTTP/1.1", "Host: a..b", "Content-Length: x", "Connection: close"), Want: "Additionally, a 400"},
	})
	p.checkLogs("seen_log")
}
