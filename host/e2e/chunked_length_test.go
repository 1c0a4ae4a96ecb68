package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChunkedWithLengthParity: a request with both "Transfer-Encoding:
// chunked" and a Content-Length is read as chunked, as apache2's
// ap_read_request does: the Content-Length is dropped (a script sees no
// CONTENT_LENGTH) and the connection closes after the answer, whatever it
// is (a Redirect's 302, a file, a 404, a script's), so that what follows the
// chunks is never read as a request; an invalid Content-Length is still a
// 400 (parity18). Only a handler that reads the body reads it: apache2's
// ap_discard_request_body does nothing on a connection it closes, so a file or
// a Redirect answer at once, malformed chunks or none, and an
// Expect: 100-continue gets no 100 (parity18fix); a script reads the chunks
// (after a 100 when asked).
func TestChunkedWithLengthParity(t *testing.T) {
	docs := map[string]string{"x.txt": "x\n",
		"h/env.cgi": "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"CL=${CONTENT_LENGTH-unset}\"\ncat\n"}
	p := startPair(t, 1, scriptSiteConf+"KeepAlive On\nRedirect /red http://example.com/\n", docs)
	must(t, os.Chmod(filepath.Join(p.apache.docs, "h/env.cgi"), 0o755))
	next := "GET /x.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"
	const chunks = "3\r\nabc\r\n0\r\n\r\n"
	req := func(line string, fields ...string) string { return rawRequest(line, fields...) + chunks }
	const (
		host = "Host: main.test"
		te   = "Transfer-Encoding: chunked"
		cl   = "Content-Length: 3"
	)
	cases := []struct{ name, req string }{
		{"redirect", req("POST /red HTTP/1.1", host, te, cl)},
		{"file", req("POST /x.txt HTTP/1.1", host, te, cl)},
		{"file, Content-Length first", req("POST /x.txt HTTP/1.1", host, cl, te)},
		{"GET of a file", req("GET /x.txt HTTP/1.1", host, te, cl)},
		{"missing file", req("POST /nope HTTP/1.1", host, te, cl)},
		{"HTTP/1.0 keep-alive", req("POST /x.txt HTTP/1.0", "Connection: keep-alive", te, cl)},
		{"script", req("POST /h/env.cgi HTTP/1.1", host, te, cl)},
		{"a request after the chunks", req("POST /x.txt HTTP/1.1", host, "Content-Length: 4", te) + "GET /nope HTTP/1.1\r\n" + host + "\r\n\r\n"},
		{"invalid Content-Length", req("POST /x.txt HTTP/1.1", host, te, "Content-Length: abc")},
	}
	for _, tc := range cases {
		if strings.HasSuffix(tc.name, "script") {
			p.checkScriptFraming(tc.name, tc.req, next)
			continue
		}
		p.checkFraming(tc.name, tc.req, next)
	}
	const (
		bad    = "zz\r\n"
		expect = "Expect: 100-continue"
	)
	// Each alone on its connection: the client sends no more than that.
	for _, tc := range []struct{ name, req string }{
		{"malformed chunks, file", rawRequest("POST /x.txt HTTP/1.1", host, te, cl) + bad},
		{"malformed chunks, redirect", rawRequest("POST /red HTTP/1.1", host, te, cl) + bad},
		{"malformed chunks, script", rawRequest("POST /h/env.cgi HTTP/1.1", host, te, cl) + bad},
		{"no body, file", rawRequest("POST /x.txt HTTP/1.1", host, te, cl)},
		{"no body, redirect", rawRequest("POST /red HTTP/1.1", host, te, cl)},
		{"no body, missing file", rawRequest("POST /nope HTTP/1.1", host, te, cl)},
		{"Expect, no body, file", rawRequest("POST /x.txt HTTP/1.1", host, expect, te, cl)},
		{"Expect, no body, redirect", rawRequest("POST /red HTTP/1.1", host, expect, te, cl)},
		{"Expect, script", req("POST /h/env.cgi HTTP/1.1", host, expect, te, cl)},
		{"Expect, malformed chunks, script", rawRequest("POST /h/env.cgi HTTP/1.1", host, expect, te, cl) + bad},
	} {
		if strings.HasSuffix(tc.name, "script") {
			p.checkScriptFraming(tc.name, tc.req)
			continue
		}
		p.checkFraming(tc.name, tc.req)
	}
	p.check([]diffRequest{{Raw: req("POST /h/env.cgi HTTP/1.1", host, te, cl), Want: "CL=unset\nabc"}})
}
