package e2e_test

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// refusedProxyDocConf proxies the ErrorDocuments of requests the server
// refuses as it reads them to a backend that echoes what it got.
const refusedProxyDocConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LoadModule proxy_module ` + apacheModuleDir + `/mod_proxy.so
LoadModule proxy_http_module ` + apacheModuleDir + `/mod_proxy_http.so
ProxyPass /perr http://@BACKEND@/perr
ErrorDocument 400 /perr/400
ErrorDocument 414 /perr/414
ErrorDocument 417 /perr/417
CustomLog logs/access_log "%s %>s %b"
`

// echoBackend answers each request with its path, its Content-Length and
// the body it read.
func echoBackend(t *testing.T) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "backend "+r.URL.Path+" length "+r.Header.Get("Content-Length")+" body ["+string(b)+"]\n")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln
}

// prefetchFailed is mod_proxy's line for a body it could not read, the
// backend's address left out.
var prefetchFailed = regexp.MustCompile(`\[(proxy:error)\] \[pid [^]]*\] (\(\d+\)[^:]*): \[client [^]]*\] (AH01095): prefetch request body failed`)

// TestRefusedProxiedErrorDocument: the ErrorDocument of a request refused as
// its head was read (a malformed target or field, a field over
// LimitRequestFieldSize, a URI over LimitRequestLine), proxied, fails: as
// apache2's, mod_proxy's prefetch reads the input ap_read_request gave up
// on, which fails with APR_EOF whatever the request's length ("(70014)End of
// file found: ... AH01095"), and the error's own page says the document
// failed ("Additionally, a 400"), %>s 400.
func TestRefusedProxiedErrorDocument(t *testing.T) {
	ln := echoBackend(t)
	p := startPair(t, 1, strings.ReplaceAll(refusedProxyDocConf, "@BACKEND@", ln.Addr().String()), map[string]string{"a.txt": "a\n"})
	p.check([]diffRequest{
		{Raw: "GET http:x HTTP/1.1\r\n\r\n", Want: "Additionally, a 400"},
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: main.test\r\nbadline\r\n\r\n", Want: "Additionally, a 400"},
		{Raw: "POST /a.txt HTTP/1.1\r\nHost: main.test\r\nContent-Length: 5\r\nbadline\r\n\r\nhello", Want: "Additionally, a 400"},
		{Raw: "POST /a.txt HTTP/1.1\r\nHost: main.test\r\nContent-Length: 5\r\nX-Long: " + strings.Repeat("b", 9000) + "\r\n\r\nhello", Want: "Additionally, a 400"},
		{Raw: "GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\nHost: main.test\r\n\r\n", Want: "Additionally, a 414"},
	})
	p.checkLogs("access_log")
	sameLines(t, "AH01095 lines", errorLogLines(t, p.apache, prefetchFailed), errorLogLines(t, p.ours, prefetchFailed))
}

// unreadBodyDocConf points ErrorDocuments 400, 404 and 417 at a CGI script
// that shows its variables and the body it reads, and 400 under /p at the
// echo backend.
const unreadBodyDocConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
LoadModule proxy_module ` + apacheModuleDir + `/mod_proxy.so
LoadModule proxy_http_module ` + apacheModuleDir + `/mod_proxy_http.so
<Directory @DOCS@>
	Options +ExecCGI
	AddHandler cgi-script .cgi
	Require all granted
</Directory>
SetEnvIf Request_URI "." marker=set
ProxyPass /perr http://@BACKEND@/perr
ErrorDocument 400 /e.cgi
ErrorDocument 404 /e.cgi
ErrorDocument 417 /perr/417
CustomLog logs/access_log "%s %>s %{marker}e"
`

// TestErrorDocumentReadsUnreadBody: a local ErrorDocument of a request no
// handler saw reads the request's body, as apache2's ap_die redirects
// without discarding it: a 417 (an unknown expectation; the proxied
// document is forwarded the body), core's 404 for an encoded NUL or slash,
// and core's 400 for a path above the root or with a bad %-escape
// (AH10244, which both log at the default LogLevel: fail2ban reads it),
// which apache2 refuses once the post-read phase ran (SetEnvIf:
// REDIRECT_marker), not as it reads the request. The document of a request
// refused as it was read (a bad field) fails to read the body: mod_cgid's
// "(70014)End of file found: ... AH01270".
func TestErrorDocumentReadsUnreadBody(t *testing.T) {
	ln := echoBackend(t)
	p := startPair(t, 1, strings.ReplaceAll(unreadBodyDocConf, "@BACKEND@", ln.Addr().String()), map[string]string{
		"a.txt": "a\n",
		"e.cgi": "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\necho \"RS=[$REDIRECT_STATUS] RU=[$REDIRECT_URL] M=[${REDIRECT_marker-unset}] CL=[$CONTENT_LENGTH]\"\necho \"BODY=[$(head -c 100)]\"\n",
	})
	must(t, os.Chmod(filepath.Join(p.apache.docs, "e.cgi"), 0o755))
	post := func(target, fields, body string) string {
		return "POST " + target + " HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n" + fields + "\r\n" + body
	}
	p.check([]diffRequest{
		{Raw: post("/x", "Expect: x\r\nContent-Length: 5\r\n", "hello"), Want: "body [hello]"},
		{Raw: post("/x", "Expect: x\r\nTransfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"), Want: "body [hello]"},
		{Raw: post("/a%00b", "Content-Length: 5\r\n", "hello"), Want: "BODY=[hello]"},
		{Raw: post("/a%2fb", "Content-Length: 5\r\n", "hello"), Want: "BODY=[hello]"},
		{Raw: post("/a%zz", "Content-Length: 5\r\n", "hello"), Want: "BODY=[hello]"},
		{Raw: post("/a%zz?q", "Content-Length: 0\r\n", ""), Want: "M=[set]"},
		{Raw: post("/../x", "Content-Length: 5\r\n", "hello"), Want: "BODY=[hello]"},
		{Raw: post("/a/%2e%2e/%2e%2e/x", "Content-Length: 5\r\n", "hello"), Want: "BODY=[hello]"},
		// A bad or missing Host (ap_check_request_header's, the framing
		// read) and a target's scheme (ap_post_read_request's).
		{Raw: "POST /x HTTP/1.1\r\nHost: 123\r\nContent-Length: 5\r\n\r\nhello", Want: "BODY=[hello]"},
		{Raw: "POST /x HTTP/1.1\r\nHost: a..b\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", Want: "BODY=[hello]"},
		{Raw: "POST /x HTTP/2.0\r\nContent-Length: 5\r\n\r\nhello", Want: "BODY=[hello]"},
		{Raw: post("ftp://x.test/x", "Content-Length: 5\r\n", "hello"), Want: "BODY=[hello]"},
		// One awaiting a 100 Continue gets none and its 400 at once: an
		// error's body reads as empty (apache2's ap_http_filter).
		{Raw: post("ftp://x.test/x", "Expect: 100-continue\r\nContent-Length: 5\r\n", ""), Want: "CL=[5]"},
		{Raw: post("/x", "Content-Length: 5\r\nbadline\r\n", "hello"), Want: "Additionally, a 400"},
	})
	p.checkLogs("access_log")
	sameLines(t, "AH10244 lines", errorLogLines(t, p.apache, invalidPath), errorLogLines(t, p.ours, invalidPath))
	sameLines(t, "mod_cgid's body line", errorLogLines(t, p.apache, cgidBody), errorLogLines(t, p.ours, cgidBody))
}

// cgidBody is mod_cgid's line for a body it could not read for a script.
var cgidBody = regexp.MustCompile(`\[(cgid:error)\] \[pid [^]]*\] (\(\d+\)[^:]*): \[client [^]]*\] (AH\d+: Error reading request entity data)`)

// invalidPath is core's line for a path ap_normalize_path refuses, at the
// default LogLevel.
var invalidPath = regexp.MustCompile(`\[(core:error)\] \[pid [^]]*\] \[client [^]]*\] (AH10244: .*)`)

// refusalInfo are core's info lines about requests refused as they are
// read.
var refusalInfo = regexp.MustCompile(`\[(core:info)\] \[pid [^]]*\] \[client [^]]*\] (AH00(?:561|563|565|570): .*)`)

// TestRefusalInfoLines: at LogLevel info, a field over
// LimitRequestFieldSize (its name up to the colon, or its first 80 bytes),
// a request line over LimitRequestLine (the limit), more fields than
// LimitRequestFields and an unknown expectation (the fields' merged
// value) are logged as apache2's ap_read_request logs them (AH00561,
// AH00565, AH00563, AH00570).
func TestRefusalInfoLines(t *testing.T) {
	p := startPair(t, 1, "ServerName main.test\nListen 127.0.0.1:@P0@\nDocumentRoot @DOCS@\nLogLevel info\nLimitRequestLine 300\nLimitRequestFields 4\n", map[string]string{"a.txt": "a\n"})
	p.check([]diffRequest{
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: main.test\r\nX-Long: " + strings.Repeat("b", 9000) + "\r\n\r\n"},
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: main.test\r\n" + strings.Repeat("n", 9000) + "\r\n\r\n"},
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: main.test\r\n" + strings.Repeat("n", 100) + ": x" + strings.Repeat("b", 9000) + "\r\n\r\n"},
		{Raw: "GET /" + strings.Repeat("a", 400) + " HTTP/1.1\r\nHost: main.test\r\n\r\n"},
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: main.test\r\nExpect: x\r\nExpect: y\r\nConnection: close\r\n\r\n"},
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: main.test\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\nX-D: 4\r\n\r\n"},
	})
	must(t, p.apache.stop())
	must(t, p.ours.stop())
	sameLines(t, "core's info lines", errorLogLines(t, p.apache, refusalInfo), errorLogLines(t, p.ours, refusalInfo))
}

// TestRequestLineTimeoutLog: a request line that times out part-way gets
// no answer, and the access log has its line as apache2's: a 408 without a
// request line or URL ("-"), the bytes read counted (%I).
func TestRequestLineTimeoutLog(t *testing.T) {
	p := startPair(t, 1, "ServerName main.test\nListen 127.0.0.1:@P0@\nDocumentRoot @DOCS@\nTimeout 1\nLogFormat \"%r|%U|%s|%>s|%b|%I\" x\nCustomLog logs/access_log x\n", map[string]string{"a.txt": "a\n"})
	p.check([]diffRequest{
		{Raw: "GET /a HT"},
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: main.test\r\nX-A: 1"},
	})
	p.checkLogs("access_log")
}

// TestErrorDocumentBadEscape: a local ErrorDocument URL with a bad
// %-escape is redirected to all the same, as apache2's ap_die, and core
// refuses it: the error's page says so ("Additionally, a 408"), %>s is
// 400, and AH10244 names the document's URL.
func TestErrorDocumentBadEscape(t *testing.T) {
	p := startPair(t, 1, "ServerName main.test\nListen 127.0.0.1:@P0@\nDocumentRoot @DOCS@\nTimeout 1\nErrorDocument 408 /a%zz\nErrorDocument 404 /b%zz?x\nCustomLog logs/access_log \"%r|%U|%s|%>s|%b\"\n", map[string]string{"a.txt": "a\n"})
	p.check([]diffRequest{
		{Raw: "GET /a.txt HTTP/1.1\r\nHost: main.test\r\nX-A: 1", Want: "Additionally, a 408"},
		{Raw: get("/nope", "main.test"), Want: "Additionally, a 404"},
	})
	p.checkLogs("access_log")
	sameLines(t, "AH10244 lines", errorLogLines(t, p.apache, invalidPath), errorLogLines(t, p.ours, invalidPath))
}
