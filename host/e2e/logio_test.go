package e2e_test

import (
	"strings"
	"testing"
	"time"
)

// logioConf logs mod_logio's byte counts beside the request line, once
// in a format of its own and once in Debian's combinedio's last fields.
const logioConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
KeepAlive On
LogFormat "%I %O %S %>s \"%r\"" io
LogFormat "%>s %b %I %O" combinedio
CustomLog logs/io_log io
CustomLog logs/combinedio_log combinedio
<Directory @DOCS@>
    Require all granted
</Directory>
`

// TestLogio: %I (bytes received: request line, header, body), %O (bytes
// sent: header and body) and %S (both) as apache2 logs them, for files
// small and large, HEAD, ranges, error pages, a request body the server
// discards (with Content-Length and chunked), a request the engine
// refuses and requests pipelined on one connection.
func TestLogio(t *testing.T) {
	docs := map[string]string{
		"a.txt":   "a\n",
		"big.bin": strings.Repeat("0123456789abcdef", 20000),
	}
	p := startPair(t, 1, logioConf, docs)
	var reqs []diffRequest
	for _, raw := range []string{
		get("/a.txt", "main.test"),
		get("/big.bin", "main.test"),
		get("/missing", "main.test"),
		request("GET", "/big.bin", "main.test", "", "Range: bytes=10-99"),
		"GET /a.txt HTTP/1.0\r\n\r\n",
		request("POST", "/a.txt", "main.test", "hello=world"),
		"POST /missing HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nHost: main.test\r\nBad header\r\n\r\n",
		// Pipelined on one connection: each request counts its own bytes.
		"POST /a.txt?p HTTP/1.1\r\nHost: main.test\r\nContent-Length: 3\r\n\r\nabcGET /big.bin?p HTTP/1.1\r\nHost: main.test\r\n\r\n" +
			"GET /missing?p HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
	} {
		reqs = append(reqs, diffRequest{Raw: raw})
	}
	p.check(reqs)
	// A HEAD's answer does not parse here: only its log lines are compared.
	head := request("HEAD", "/a.txt", "main.test", "")
	for _, s := range []*diffServer{p.apache, p.ours} {
		if _, err := s.exchange(t, "127.0.0.1", 0, head, 5*time.Second); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	p.checkLogs("io_log", "combinedio_log")
}

// TestLogioRefused: %I of a request refused before its header is all read
// counts what apache2 read of it: for a bad request line or a 414, the
// line; for a bad or too long field, the lines up to it (a bad field
// line, the next line too: ap_get_mime_headers_core reads on for an
// obs-fold before it looks at a line); for a field past
// LimitRequestFields, the line after it; for an invalid or repeated Host,
// the whole head; for a target apache2's request-line parsing refuses (its
// apr_uri_parse fails, a user in it, CONNECT without a port), the line
// and any blank lines before it (ours counted the fields too).
func TestLogioRefused(t *testing.T) {
	p := startPair(t, 1, logioConf+"LimitRequestFields 4\n", map[string]string{"a.txt": "a\n"})
	long := strings.Repeat("x", 9000)
	var reqs []diffRequest
	for _, raw := range []string{
		"GET /a.txt HTTP/1.1 x\r\nHost: main.test\r\nX-A: 1\r\n\r\n",
		"GET /a.txt\x01 HTTP/1.1\r\nHost: main.test\r\n\r\n",
		"GET /" + long + " HTTP/1.1\r\nHost: main.test\r\nX-A: 1\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nHost: main.test\r\nX-A: 1\r\nBad header\r\nX-B: 2\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nHost: main.test\r\nX-A: 1\r\nX-Long: " + long + "\r\nX-B: 2\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nX-A: 1\r\nHost: a b\r\nX-B: 2\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nX-A: 1\r\nHost: a\r\nHost: b\r\nX-B: 2\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nHost: main.test\r\n X-A: 1\r\nX-B: 2\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nHost: main.test\r\nX-A : 1\r\nX-B: 2\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nHost: main.test\r\nX-A: 1\nX-B: 2\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nHost: main.test\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\nX-D: 4\r\nX-E: 5\r\n\r\n",
		"GET http://u@main.test/a.txt HTTP/1.1\r\nHost: main.test\r\nX-A: 1\r\n\r\n",
		"\r\n\nGET http://u:p@main.test/a.txt HTTP/1.1\r\nHost: main.test\r\nX-A: 1\r\n\r\n",
		"GET http:a.txt HTTP/1.1\r\nHost: main.test\r\nX-A: 1\r\n\r\n",
		"GET http://main.test:8a/a.txt HTTP/1.1\r\nHost: main.test\r\nX-A: 1\r\n\r\n",
		"GET http://[::1/a.txt HTTP/1.1\r\nHost: main.test\r\nX-A: 1\r\n\r\n",
		"CONNECT main.test HTTP/1.1\r\nHost: main.test\r\nX-A: 1\r\n\r\n",
		"CONNECT u@main.test:443 HTTP/1.1\r\nHost: main.test\r\nX-A: 1\r\n\r\n",
		"GET ftp://main.test/a.txt HTTP/1.1\r\nHost: main.test\r\nX-A: 1\r\n\r\n",
	} {
		reqs = append(reqs, diffRequest{Raw: raw})
	}
	p.check(reqs)
	p.checkLogs("io_log", "combinedio_log")
}
