package e2e_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A differential test (apache_test.go) of the answers to HEAD that are
// errors: apache2 sends no error page for HEAD, so no Content-Length,
// and keeps the connection open as after any HEAD; the framing fields
// are compared, and whether a request pipelined after the HEAD is still
// answered.

// headErrorConf: keep-alive on (commonHead turns it off), a short
// Timeout for the 408, a small LimitRequestBody for the 413, a text
// ErrorDocument, a local one and an ErrorDocument for the directory
// redirect.
const headErrorConf = `ServerName main.test
Listen 127.0.0.1:@P0@
KeepAlive On
Timeout 2
LimitRequestBody 10
DocumentRoot @DOCS@
<Directory @DOCS@>
    Require all granted
</Directory>
<Location /denied>
    Require all denied
</Location>
ErrorDocument 403 "Custom forbidden
ErrorDocument 410 /err.html
Redirect gone /gone
ExtendedStatus On
<Location /server-status>
    SetHandler server-status
</Location>
`

// framingFields are the fields askFraming shows by value: those that
// frame and describe a response (Date, Server and the validators aside).
var framingFields = []string{"Content-Length", "Content-Type", "Content-Range", "Location", "Allow",
	"Transfer-Encoding", "Connection", "Keep-Alive"}

// askFraming sends the requests reqs on one connection to s, all at
// once, reads until the server closes and returns what it answered, one
// line per response (parsed with the method of the request it answers):
// the status, framingFields (a Content-Length as N if anyLength: a page
// whose length is each server's own), whether Last-Modified, ETag and
// Accept-Ranges are there, and the body's length; then, if any, the
// bytes that follow as unparseable.
func (s *diffServer) askFraming(t testing.TB, reqs []string, anyLength bool) []string {
	t.Helper()
	raw, err := s.exchange(t, "127.0.0.1", 0, strings.Join(reqs, ""), 20*time.Second)
	if err != nil {
		t.Fatalf("%s: reading until the close: %v (got %q)", s.name, err, raw.String())
	}
	var out []string
	r := bufio.NewReader(bytes.NewReader(raw.Bytes()))
	for i := 0; ; i++ {
		if _, err := r.Peek(1); err != nil {
			return out
		}
		method := http.MethodGet
		if i < len(reqs) {
			method, _, _ = strings.Cut(reqs[i], " ")
		}
		resp, err := http.ReadResponse(r, &http.Request{Method: method})
		if err != nil {
			rest, _ := io.ReadAll(r)
			return append(out, fmt.Sprintf("unparseable %q", rest))
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return append(out, fmt.Sprintf("unreadable body: %v", err))
		}
		var fields []string
		for _, k := range framingFields {
			for _, v := range resp.Header.Values(k) {
				if k == "Content-Length" && anyLength {
					v = "N"
				}
				fields = append(fields, k+": "+v)
			}
		}
		if resp.Close { // net/http takes "Connection: close" out of Header
			fields = append(fields, "Connection: close")
		}
		for _, k := range []string{"Last-Modified", "ETag", "Accept-Ranges"} {
			if resp.Header.Get(k) != "" {
				fields = append(fields, k)
			}
		}
		out = append(out, fmt.Sprintf("%d [%s] body %d", resp.StatusCode, strings.Join(fields, ", "), n))
	}
}

// TestHeadErrorFraming: apache2 answers HEAD of an error (404, 403 with
// a text ErrorDocument, 400, 408, 413, a directory redirect) without
// Content-Length and without a body, on HTTP/1.1 and HTTP/1.0 with
// keep-alive too, and serves the next request on the connection after
// the ones it does not close; "Content-Length: 0" is dropped from any
// HEAD answer; an error answered by a local ErrorDocument keeps the
// document's length; a 412 answers HEAD with the file's length.
func TestHeadErrorFraming(t *testing.T) {
	docs := map[string]string{
		"x.txt":          "x\n",
		"empty.txt":      "",
		"err.html":       "<p>err page</p>\n",
		"sub/index.html": "sub\n",
	}
	p := startPair(t, 1, headErrorConf, docs)
	next := "GET /x.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"
	head := func(path string, more ...string) string {
		return "HEAD " + path + " HTTP/1.1\r\nHost: main.test\r\n" + strings.Join(more, "") + "\r\n"
	}
	long := strings.Repeat("a", 9000)
	cases := []struct {
		name      string
		reqs      []string
		anyLength bool
	}{
		{"404", []string{head("/nope"), next}, false},
		{"404 HTTP/1.0", []string{"HEAD /nope HTTP/1.0\r\n\r\n", next}, false},
		{"404 HTTP/1.0 keep-alive", []string{"HEAD /nope HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", next}, false},
		{"403 text ErrorDocument", []string{head("/denied"), next}, false},
		{"410 local ErrorDocument", []string{head("/gone"), next}, false},
		{"301 directory", []string{head("/sub"), next}, false},
		{"empty file", []string{head("/empty.txt"), next}, false},
		{"empty file HTTP/1.0 keep-alive", []string{"HEAD /empty.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", next}, false},
		{"412", []string{head("/x.txt", "If-Match: \"nope\"\r\n"), next}, false},
		{"server-status?auto", []string{head("/server-status?auto"), next}, true},
		{"400 no Host", []string{"HEAD /x.txt HTTP/1.1\r\n\r\n", next}, false},
		{"400 bad field", []string{head("/x.txt", "bad field\r\n"), next}, false},
		{"400 bad request line", []string{"HEAD /x.txt HTTP/1.1 extra\r\nHost: main.test\r\n\r\n", next}, false},
		{"400 field too long", []string{head("/x.txt", "Foo: "+long+"\r\n"), next}, false},
		{"413", []string{head("/x.txt", "Content-Length: 100\r\n"), next}, false},
		{"408", []string{"HEAD /x.txt HTTP/1.1\r\nHost: main.test\r\n"}, false},
		{"GET 404, for comparison", []string{"GET /nope HTTP/1.1\r\nHost: main.test\r\n\r\n", next}, true},
	}
	for _, tc := range cases {
		want := p.apache.askFraming(t, tc.reqs, tc.anyLength)
		got := p.ours.askFraming(t, tc.reqs, tc.anyLength)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n  apache: %s\n  ours:   %s", tc.name, strings.Join(want, "\n          "), strings.Join(got, "\n          "))
		} else {
			t.Logf("%s: both %s", tc.name, strings.Join(want, "\n    then "))
		}
	}
}
