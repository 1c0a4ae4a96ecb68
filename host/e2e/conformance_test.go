package e2e_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// conformanceCase is request bytes in, then the responses expected in order (status
// code, fields that must have a value or, with "", be absent) and whether the server
// must close the connection after them.
type conformanceCase struct {
	name   string
	raw    string
	method []string // methods of the requests, for reading HEAD responses; default GET
	want   []wantResponse
	closes bool
}

type wantResponse struct {
	status int
	header map[string]string
	body   string // exact when set
}

// conformanceCases come from RFC 9110/9112 and from known request-smuggling vectors.
// The engine answers them as apache2 2.4.71 does, with the deliberate differences in
// package http1's documentation (a request with both Content-Length and
// Transfer-Encoding is refused).
func conformanceCases() []conformanceCase {
	bad := func(name, raw string) conformanceCase {
		return conformanceCase{name: name, raw: raw, want: []wantResponse{{status: 400, header: map[string]string{"Connection": "close"}}}, closes: true}
	}
	return []conformanceCase{
		// RFC 9112 framing and routing.
		{name: "HTTP/1.1 keeps alive, pipelined", raw: "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			want: []wantResponse{{status: 200, header: map[string]string{"Connection": "", "Content-Length": "13"}, body: "hello, world\n"},
				{status: 200, header: map[string]string{"Connection": "close"}, body: "hello, world\n"}}, closes: true},
		{name: "HTTP/1.0 keep-alive", raw: "GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /hello.txt HTTP/1.0\r\n\r\n",
			want: []wantResponse{{status: 200, header: map[string]string{"Connection": "Keep-Alive", "Keep-Alive": "timeout=5, max=100"}},
				{status: 200, header: map[string]string{"Connection": "close"}}}, closes: true},
		{name: "HTTP/1.1 needs Host", raw: "GET /hello.txt HTTP/1.1\r\n\r\n", want: []wantResponse{{status: 400}}, closes: true},
		bad("two Host fields", "GET /hello.txt HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
		{name: "absolute-form target, its authority wins over Host", raw: "GET http://example.com/hello.txt HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n",
			want: []wantResponse{{status: 200, body: "hello, world\n"}}, closes: true},
		{name: "OPTIONS *", raw: "OPTIONS * HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			want: []wantResponse{{status: 200, header: map[string]string{"Content-Length": "0"}}}, closes: true},
		{name: "HEAD has the length, no body", raw: "HEAD /hello.txt HTTP/1.1\r\nHost: a\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			method: []string{"HEAD", "GET"},
			want:   []wantResponse{{status: 200, header: map[string]string{"Content-Length": "13"}, body: ""}, {status: 200, body: "hello, world\n"}}, closes: true},
		{name: "304 has neither body nor length", raw: "GET /hello.txt HTTP/1.1\r\nHost: a\r\nIf-None-Match: *\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			want: []wantResponse{{status: 304, header: map[string]string{"Content-Length": "", "Content-Type": ""}}, {status: 200, body: "hello, world\n"}}, closes: true},
		{name: "204-like empty POST answer keeps framing", raw: "OPTIONS /hello.txt HTTP/1.1\r\nHost: a\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			want: []wantResponse{{status: 200, header: map[string]string{"Content-Length": "0"}}, {status: 200, body: "hello, world\n"}}, closes: true},
		{name: "Range and If-Range", raw: "GET /hello.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-4\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-4\r\nIf-Range: \"nomatch\"\r\nConnection: close\r\n\r\n",
			want: []wantResponse{{status: 206, header: map[string]string{"Content-Range": "bytes 0-4/13"}, body: "hello"}, {status: 200, body: "hello, world\n"}}, closes: true},
		{name: "Expect: 100-continue", raw: "POST /hello.txt HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
			want: []wantResponse{{status: 100}, {status: 200, body: "hello, world\n"}}, closes: true},
		{name: "chunked body with trailers, then the next request", raw: "POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			want: []wantResponse{{status: 200}, {status: 200}}, closes: true},
		{name: "unknown Expect", raw: "GET /hello.txt HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n", want: []wantResponse{{status: 417, header: map[string]string{"Connection": "close"}}}, closes: true},
		{name: "HTTP/2.0 on HTTP/1 framing is served as 1.1", raw: "GET /hello.txt HTTP/2.0\r\nHost: a\r\n\r\nGET /hello.txt HTTP/2.0\r\nHost: a\r\nConnection: close\r\n\r\n",
			want: []wantResponse{{status: 200, body: "hello, world\n"}, {status: 200, body: "hello, world\n"}}, closes: true},
		{name: "TRACE is on", raw: "TRACE / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", want: []wantResponse{{status: 200, header: map[string]string{"Content-Type": "message/http"}}}, closes: true},
		{name: "request line over LimitRequestLine", raw: "GET /" + strings.Repeat("a", 8200) + " HTTP/1.1\r\nHost: a\r\n\r\n", want: []wantResponse{{status: 414}}, closes: true},
		{name: "field over LimitRequestFieldSize", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("b", 8200) + "\r\n\r\n", want: []wantResponse{{status: 400}}, closes: true},
		{name: "body over LimitRequestBody", raw: "POST /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 1073741825\r\n\r\n", want: []wantResponse{{status: 413}}, closes: true},

		// Request smuggling: every ambiguity is a 400 and the connection closes, so that
		// nothing left in the buffer is read as a next request; as apache2, chunks with a
		// Content-Length are read as chunks, and the connection closes after the answer.
		{name: "Content-Length and Transfer-Encoding", raw: "POST /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
			want: []wantResponse{{status: 200, header: map[string]string{"Connection": "close"}}}, closes: true},
		{name: "Transfer-Encoding and Content-Length", raw: "POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n",
			want: []wantResponse{{status: 200, header: map[string]string{"Connection": "close"}}}, closes: true},
		bad("Transfer-Encoding and a bad Content-Length", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4x\r\n\r\n0\r\n\r\n"),
		bad("two different Content-Lengths", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"),
		bad("two equal Content-Lengths", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"),
		bad("Content-Length list", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc"),
		bad("negative Content-Length", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"),
		bad("signed Content-Length", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc"),
		bad("hex Content-Length", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 0x3\r\n\r\nabc"),
		bad("chunked not last", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"),
		bad("unknown coding", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"),
		bad("two Transfer-Encoding fields, chunked not last", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n"),
		// Read as chunked, as apache2 reads them, but the connection closes
		// after: a front end may undo the chunks twice.
		{name: "two Transfer-Encoding fields, chunked twice", raw: "POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
			want: []wantResponse{{status: 200, header: map[string]string{"Connection": "close"}}}, closes: true},
		bad("space before the colon", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n"),
		bad("fold before the first field", "POST /hello.txt HTTP/1.1\r\n Transfer-Encoding: chunked\r\nHost: a\r\n\r\n0\r\n\r\n"),
		bad("bare LF line ends", "GET /hello.txt HTTP/1.1\nHost: a\n\n"),
		bad("bare CR in the request line", "GET /hello.txt HTTP/1.1\rHost: a\r\n\r\n"),
		bad("NUL in a field value", "GET /hello.txt HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n"),
		bad("two spaces in the request line", "GET  /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n"),
		bad("invalid chunk size", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n"),
		bad("chunk size overflow", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff3\r\nabc\r\n0\r\n\r\n"),
		bad("chunk without CRLF after its data", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n"),
		bad("bad Host", "GET /hello.txt HTTP/1.1\r\nHost: a b\r\n\r\n"),
		// apache2's fix_hostname (AH00550): an empty label; a vhost name must not be
		// read two ways.
		bad("Host with two dots in a row", "GET /hello.txt HTTP/1.1\r\nHost: a..b\r\n\r\n"),
		// apache2 (HttpProtocolOptions Strict, AH02422): a target with a user name
		// would be routed by the part after the '@'.
		bad("user name in an absolute-form target", "GET http://x@b/hello.txt HTTP/1.1\r\nHost: a\r\n\r\n"),
		// The trailer section is read as header fields, as apache2's
		// read_chunked_trailers does.
		bad("trailer line without a colon", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"),
		bad("fold as the first trailer line", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n X: t\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"),
		bad("trailer name with a space", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX Y: t\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"),
		bad("control byte in a trailer", "POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX: \x01\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"),
		{name: "folded trailer after a field", raw: "POST /hello.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX: t\r\n u\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
			want: []wantResponse{{status: 200}, {status: 200}}, closes: true},
		{name: "chunked on HTTP/1.0 closes after", raw: "POST /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
			want: []wantResponse{{status: 200, header: map[string]string{"Connection": "close"}}}, closes: true},
	}
}

// TestConformance runs the table under every MPM.
func TestConformance(t *testing.T) {
	forEachMPM(t, func(t *testing.T, in *instance, _ string) {
		for _, c := range conformanceCases() {
			resps, closed, err := exchange(in.addr, c.raw, c.method, len(c.want))
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			if len(resps) != len(c.want) {
				t.Errorf("%s: %d responses, want %d", c.name, len(resps), len(c.want))
				continue
			}
			for i, w := range c.want {
				r := resps[i]
				if r.status != w.status {
					t.Errorf("%s: response %d: status %d, want %d", c.name, i+1, r.status, w.status)
				}
				for k, v := range w.header {
					if k == "Connection" && (v == "close" || v == "") {
						// net/http takes "Connection: close" out of the header into Close.
						if r.close != (v == "close") || v == "" && len(r.header["Connection"]) > 0 {
							t.Errorf("%s: response %d: Connection %q (close %v), want %q", c.name, i+1, r.header["Connection"], r.close, v)
						}
						continue
					}
					got, ok := r.header[k]
					switch {
					case v == "" && k != "Allow" && ok:
						t.Errorf("%s: response %d: %s %q, want none", c.name, i+1, k, got)
					case (v != "" || k == "Allow") && (!ok || got[0] != v):
						t.Errorf("%s: response %d: %s %q, want %q", c.name, i+1, k, got, v)
					}
				}
				if w.body != "" || (i < len(c.method) && c.method[i] == "HEAD") {
					if r.body != w.body {
						t.Errorf("%s: response %d: body %q, want %q", c.name, i+1, r.body, w.body)
					}
				}
			}
			if closed != c.closes {
				t.Errorf("%s: closed %v, want %v", c.name, closed, c.closes)
			}
		}
	})
}

type gotResponse struct {
	status int
	header http.Header
	body   string
	close  bool
}

// exchange writes raw on a new connection and reads n responses (a 100 Continue
// counts as one), then whether the server closes within a bound.
func exchange(addr, raw string, methods []string, n int) ([]gotResponse, bool, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, false, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		return nil, false, err
	}
	br := bufio.NewReader(c)
	var out []gotResponse
	req := 0
	for len(out) < n {
		method := "GET"
		if req < len(methods) {
			method = methods[req]
		}
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			return out, false, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return out, false, err
		}
		out = append(out, gotResponse{resp.StatusCode, resp.Header, string(body), resp.Close})
		if resp.StatusCode != http.StatusContinue {
			req++
		}
	}
	// The server must close within KeepAliveTimeout (5 s) only if it said so; a
	// connection it keeps open is still open after a short wait.
	c.SetReadDeadline(time.Now().Add(1 * time.Second))
	var b [1]byte
	k, err := br.Read(b[:])
	if k > 0 {
		return out, false, nil
	}
	return out, err == io.EOF || isReset(err), nil
}

func isReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "connection reset")
}
