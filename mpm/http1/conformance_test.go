package http1

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testHandler answers by path; /echo describes the request it received.
func testHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		var keys []string
		for k := range r.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(w, "method=%s path=%s query=%s proto=%s %d.%d host=%s uri=%s cl=%d te=%v close=%v\n",
			r.Method, r.URL.Path, r.URL.RawQuery, r.Proto, r.ProtoMajor, r.ProtoMinor, r.Host,
			r.RequestURI, r.ContentLength, r.TransferEncoding, r.Close)
		for _, k := range keys {
			fmt.Fprintf(w, "%s=%q\n", k, r.Header[k])
		}
		fmt.Fprintf(w, "body=%q\n", body)
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		chunk := strings.Repeat("x", 1000)
		for n > 0 {
			k := min(n, len(chunk))
			io.WriteString(w, chunk[:k])
			n -= k
		}
	})
	mux.HandleFunc("/sized", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("Content-Length", strconv.Itoa(n))
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, strings.Repeat("y", n))
	})
	mux.HandleFunc("/short", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		io.WriteString(w, "12345")
	})
	mux.HandleFunc("/flush", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first,")
		w.(http.Flusher).Flush()
		io.WriteString(w, "second")
	})
	mux.HandleFunc("/304", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"x"`)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusNotModified)
		io.WriteString(w, "must not appear")
	})
	mux.HandleFunc("/204", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/ignore", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ignored the body")
	})
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Leak", "no")
		panic("boom")
	})
	mux.HandleFunc("/inject", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-A", "a\r\nSet-Cookie: evil=1")
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/fold", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-A", "a\r\n \tb")
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/close", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		io.WriteString(w, "bye")
	})
	mux.HandleFunc("/404", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, http.StatusNotFound, "")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", r.Method, r.URL.Path)
	})
	return mux
}

func newTestServer() *Server {
	return &Server{
		Handler:          testHandler(),
		KeepAlive:        true,
		KeepAliveTimeout: 5 * time.Second,
		Timeout:          10 * time.Second,
		ServerName:       "www.example.com",
		Software:         testSoftware,
		ServerSignature:  SignatureOn,
		// apache2's default; the Server's zero value means unlimited.
		MaxKeepAliveRequests: 100,
	}
}

const absent = "<absent>"

type wantResp struct {
	status string            // status line
	header map[string]string // value, or absent
	body   string            // exact body unless empty; "~x" means "contains x"
	names  []string          // exact field-name order, if set
}

type convCase struct {
	name    string
	tweak   func(*Server)
	raw     string
	methods []string
	want    []wantResp
	closed  bool
}

var bigLine = "GET /" + strings.Repeat("a", 8200) + " HTTP/1.1\r\nHost: h\r\n\r\n"

func conformanceCases() []convCase {
	many := ""
	for i := 0; i < 101; i++ {
		many += fmt.Sprintf("X-F%d: v\r\n", i)
	}
	return []convCase{
		{
			name: "1.1 keep-alive by default, no Connection header",
			raw:  "GET /hello HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 200 OK", body: "GET /hello",
				header: map[string]string{"Content-Length": "10", "Connection": absent, "Keep-Alive": absent, "Server": testSoftware},
				names:  []string{"Date", "Server", "Content-Length"}}},
		},
		{
			name: "1.1 with keep-alive token gets Keep-Alive and Connection",
			raw:  "GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 200 OK",
				header: map[string]string{"Keep-Alive": "timeout=5, max=100", "Connection": "Keep-Alive"},
				names:  []string{"Date", "Server", "Content-Length", "Keep-Alive", "Connection"}}},
		},
		{
			name:   "1.1 Connection: close",
			raw:    "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 200 OK", header: map[string]string{"Connection": "close"}}},
			closed: true,
		},
		{
			name:   "1.0 without keep-alive closes",
			raw:    "GET / HTTP/1.0\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 200 OK", header: map[string]string{"Connection": "close", "Content-Length": "5"}}},
			closed: true,
		},
		{
			name: "1.0 keep-alive",
			raw:  "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\nGET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
			want: []wantResp{
				{status: "HTTP/1.1 200 OK", body: "GET /", header: map[string]string{"Keep-Alive": "timeout=5, max=100", "Connection": "Keep-Alive"}},
				{status: "HTTP/1.1 200 OK", body: "GET /x", header: map[string]string{"Keep-Alive": "timeout=5, max=99", "Connection": "Keep-Alive"}},
			},
		},
		{
			name:   "1.0 keep-alive with unknown length closes (close-delimited)",
			raw:    "GET /stream?n=5000 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 200 OK", body: strings.Repeat("x", 5000), header: map[string]string{"Connection": "close", "Content-Length": absent, "Transfer-Encoding": absent}}},
			closed: true,
		},
		{
			name: "1.1 unknown length over the buffer is chunked",
			raw:  "GET /stream?n=5000 HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 200 OK", body: strings.Repeat("x", 5000), header: map[string]string{"Transfer-Encoding": "chunked", "Content-Length": absent}}},
		},
		{
			name: "unknown length that fits gets Content-Length",
			raw:  "GET /stream?n=4096 HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 200 OK", body: strings.Repeat("x", 4096), header: map[string]string{"Content-Length": "4096", "Transfer-Encoding": absent}}},
		},
		{
			name: "Flush commits chunked",
			raw:  "GET /flush HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 200 OK", body: "first,second", header: map[string]string{"Transfer-Encoding": "chunked"}}},
		},
		{
			name:    "HEAD keeps Content-Length, sends no body",
			raw:     "HEAD /sized?n=1234 HTTP/1.1\r\nHost: h\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n",
			methods: []string{"HEAD", "GET"},
			want: []wantResp{
				{status: "HTTP/1.1 200 OK", header: map[string]string{"Content-Length": "1234", "Content-Type": "text/plain"}},
				{status: "HTTP/1.1 200 OK", body: "GET /after"},
			},
		},
		{
			name:    "HEAD of an unsized small body gets its length",
			raw:     "HEAD /stream?n=100 HTTP/1.1\r\nHost: h\r\n\r\n",
			methods: []string{"HEAD"},
			want:    []wantResp{{status: "HTTP/1.1 200 OK", header: map[string]string{"Content-Length": "100"}}},
		},
		{
			name:    "HEAD never says Content-Length: 0 (apache2's header filter)",
			raw:     "HEAD /sized?n=0 HTTP/1.1\r\nHost: h\r\n\r\nHEAD /stream?n=0 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n",
			methods: []string{"HEAD", "HEAD", "GET"},
			want: []wantResp{
				{status: "HTTP/1.1 200 OK", header: map[string]string{"Content-Length": absent, "Content-Type": "text/plain"}},
				{status: "HTTP/1.1 200 OK", header: map[string]string{"Content-Length": absent, "Connection": "Keep-Alive"}},
				{status: "HTTP/1.1 200 OK", body: "GET /after"},
			},
		},
		{
			name:    "HEAD of an error page: no page, no length, the connection stays",
			raw:     "HEAD /404 HTTP/1.1\r\nHost: h\r\n\r\nHEAD /404 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n",
			methods: []string{"HEAD", "HEAD", "GET"},
			want: []wantResp{
				{status: "HTTP/1.1 404 Not Found", header: map[string]string{"Content-Length": absent, "Content-Type": "text/html; charset=iso-8859-1", "Connection": absent}},
				{status: "HTTP/1.1 404 Not Found", header: map[string]string{"Content-Length": absent, "Connection": "Keep-Alive"}},
				{status: "HTTP/1.1 200 OK", body: "GET /after"},
			},
		},
		{
			name:    "HEAD refused for a bad field gets no page",
			raw:     "HEAD /x HTTP/1.1\r\nHost: h\r\nbad field\r\n\r\n",
			methods: []string{"HEAD"},
			want:    []wantResp{{status: "HTTP/1.1 400 Bad Request", header: map[string]string{"Content-Length": absent, "Connection": "close"}}},
			closed:  true,
		},
		{
			name:    "HEAD refused for its request line gets no page",
			raw:     "HEAD /x HTTP/1.1 extra\r\nHost: h\r\n\r\n",
			methods: []string{"HEAD"},
			want:    []wantResp{{status: "HTTP/1.1 400 Bad Request", header: map[string]string{"Content-Length": absent, "Connection": "close"}}},
			closed:  true,
		},
		{
			name: "304 has no body and no Content-Length or Content-Type",
			raw:  "GET /304 HTTP/1.1\r\nHost: h\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{
				{status: "HTTP/1.1 304 Not Modified", header: map[string]string{"Content-Length": absent, "Content-Type": absent, "Etag": `"x"`}},
				{status: "HTTP/1.1 200 OK", body: "GET /after"},
			},
		},
		{
			name: "204 has no body",
			raw:  "GET /204 HTTP/1.1\r\nHost: h\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{
				{status: "HTTP/1.1 204 No Content", header: map[string]string{"Content-Length": absent}},
				{status: "HTTP/1.1 200 OK", body: "GET /after"},
			},
		},
		{
			name: "pipelined requests are answered in order",
			raw: "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n" +
				"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /4 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
			want: []wantResp{
				{status: "HTTP/1.1 200 OK", body: "GET /1"},
				{status: "HTTP/1.1 200 OK", body: "GET /2"},
				{status: "HTTP/1.1 200 OK", body: `~body="abc"`},
				{status: "HTTP/1.1 200 OK", body: "GET /4", header: map[string]string{"Connection": "close"}},
			},
			closed: true,
		},
		{
			name: "unread body is drained before the next request",
			raw:  "POST /ignore HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789GET /next HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{
				{status: "HTTP/1.1 200 OK", body: "ignored the body"},
				{status: "HTTP/1.1 200 OK", body: "GET /next"},
			},
		},
		{
			name: "unread chunked body is drained before the next request",
			raw:  "POST /ignore HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{
				{status: "HTTP/1.1 200 OK", body: "ignored the body"},
				{status: "HTTP/1.1 200 OK", body: "GET /next"},
			},
		},
		{
			name: "chunked request body is decoded (extensions, trailers)",
			raw: "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
				"5;ext=1\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Trailer: t\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 200 OK", body: `~body="hello, world!!!"`}},
		},
		{
			name: "chunked request body: request fields",
			raw:  "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 200 OK", body: "~cl=-1 te=[chunked] close=false"}},
		},
		{
			name:   "malformed chunk size",
			raw:    "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
			want:   []wantResp{{status: "HTTP/1.1 500 Internal Server Error", header: map[string]string{"Connection": "close"}}},
			closed: true,
		},
		{
			name: "Transfer-Encoding with Content-Length: chunked, without the length, and close",
			raw:  "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /echo HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 200 OK", header: map[string]string{"Connection": "close"},
				body: "method=POST path=/echo query= proto=HTTP/1.1 1.1 host=h uri=/echo cl=-1 te=[chunked] close=false\nHost=[\"h\"]\nTransfer-Encoding=[\"chunked\"]\nbody=\"abc\"\n"}},
			closed: true,
		},
		{
			// apache2 (ap_is_chunked) reads any list that ends in chunked as
			// chunks, the codings before it left to the handler, and keeps
			// the connection.
			name: "Transfer-Encoding gzip, chunked: chunked, the connection kept",
			raw:  "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{
				{status: "HTTP/1.1 200 OK", header: map[string]string{"Connection": absent}, body: "~te=[chunked] close=false\nHost=[\"h\"]\nTransfer-Encoding=[\"gzip, chunked\"]\nbody=\"abc\"\n"},
				{status: "HTTP/1.1 200 OK", body: "GET /after"},
			},
		},
		{
			// apache2 keeps this one too; a front end may undo the chunks twice.
			name: "Transfer-Encoding chunked twice: chunked, and close",
			raw:  "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{
				{status: "HTTP/1.1 200 OK", header: map[string]string{"Connection": "close"}, body: "~body=\"abc\"\n"},
			},
			closed: true,
		},
		{
			name:   "Transfer-Encoding chunked, gzip is 400",
			raw:    "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 400 Bad Request"}},
			closed: true,
		},
		{
			name:   "unsupported transfer coding is 400",
			raw:    "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 400 Bad Request"}},
			closed: true,
		},
		{
			name: "request line over the limit is 414 with apache2's page",
			raw:  bigLine,
			want: []wantResp{{status: "HTTP/1.1 414 Request-URI Too Long",
				header: map[string]string{"Connection": "close", "Content-Type": "text/html; charset=iso-8859-1"},
				body: apachePage("414 Request-URI Too Long", "Request-URI Too Long",
					"<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n</p>\n", "www.example.com Port 80")}},
			closed: true,
		},
		{
			name:   "request line at apache2's limit (8191 bytes) passes",
			raw:    "GET /" + strings.Repeat("a", 8191-14) + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 200 OK"}},
			closed: true,
		},
		{
			name: "header field over the limit is 400 with apache2's note",
			raw:  "GET / HTTP/1.1\r\nHost: h\r\nX-Long: " + strings.Repeat("b", 8190) + "\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 400 Bad Request",
				body: apachePage("400 Bad Request", "Bad Request",
					"<p>Your browser sent a request that this server could not understand.<br />\nSize of a request header field exceeds server limit.</p>\n", "www.example.com Port 80")}},
			closed: true,
		},
		{
			name: "more than 100 fields is 400",
			raw:  "GET / HTTP/1.1\r\nHost: h\r\n" + many + "\r\n",
			want: []wantResp{{status: "HTTP/1.1 400 Bad Request",
				body: "~The number of request header fields exceeds this server's limit.</p>"}},
			closed: true,
		},
		{
			name:   "header without colon is 400",
			raw:    "GET / HTTP/1.1\r\nHost: h\r\nfoo bar\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 400 Bad Request"}},
			closed: true,
		},
		{
			name:   "space before colon is 400",
			raw:    "GET / HTTP/1.1\r\nHost: h\r\nFoo : bar\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 400 Bad Request"}},
			closed: true,
		},
		{
			name:   "control character in a value is 400",
			raw:    "GET / HTTP/1.1\r\nHost: h\r\nFoo: a\x01b\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 400 Bad Request"}},
			closed: true,
		},
		{
			name:   "bare LF is 400",
			raw:    "GET / HTTP/1.1\nHost: h\n\n",
			want:   []wantResp{{status: "HTTP/1.1 400 Bad Request"}},
			closed: true,
		},
		{
			name: "bad request line is 400 with the ServerName in the signature",
			raw:  "GARBAGE\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 400 Bad Request",
				body: apachePage("400 Bad Request", "Bad Request",
					"<p>Your browser sent a request that this server could not understand.<br />\n</p>\n", "www.example.com Port 80")}},
			closed: true,
		},
		{
			name:   "two spaces in the request line is 400",
			raw:    "GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 400 Bad Request"}},
			closed: true,
		},
		{
			name:   "lower-case protocol is 400",
			raw:    "GET / http/1.1\r\nHost: h\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 400 Bad Request"}},
			closed: true,
		},
		{
			// As apache2's: a later version is served as HTTP/1.1 (kept alive,
			// chunked), the status line HTTP/1.1's.
			name: "HTTP/2.0 on this connection is served as 1.1",
			raw:  "GET /stream?n=5000 HTTP/2.0\r\nHost: h\r\n\r\nGET /echo HTTP/3.0\r\nHost: h\r\nConnection: close\r\n\r\n",
			want: []wantResp{
				{status: "HTTP/1.1 200 OK", body: strings.Repeat("x", 5000), header: map[string]string{"Transfer-Encoding": "chunked", "Connection": absent}},
				{status: "HTTP/1.1 200 OK", body: "~proto=HTTP/3.0 3.0 host=h "},
			},
			closed: true,
		},
		{
			name:   "HTTP/0.9 as a version is 400",
			raw:    "GET / HTTP/0.9\r\nHost: h\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 400 Bad Request"}},
			closed: true,
		},
		{
			name:   "HTTP/1.1 without Host is 400",
			raw:    "GET / HTTP/1.1\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 400 Bad Request"}},
			closed: true,
		},
		{
			name:   "HTTP/1.1 without Host is 400 even in absolute form",
			raw:    "GET http://other.example/echo HTTP/1.1\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 400 Bad Request", body: "~Server at other.example Port 80"}},
			closed: true,
		},
		{
			name: "HTTP/1.2 without Host takes the host from its absolute-form target",
			raw:  "GET http://other.example/echo HTTP/1.2\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 200 OK", body: "~host=other.example "}},
		},
		{
			name:   "HTTP/1.2 without Host in origin form is 400",
			raw:    "GET /echo HTTP/1.2\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 400 Bad Request"}},
			closed: true,
		},
		{
			name:   "HTTP/1.0 in absolute form without Host is fine",
			raw:    "GET http://other.example/echo HTTP/1.0\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 200 OK", body: "~host=other.example "}},
			closed: true,
		},
		{
			name:   "two Host fields is 400",
			raw:    "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 400 Bad Request"}},
			closed: true,
		},
		{
			name:   "invalid Host is 400",
			raw:    "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 400 Bad Request"}},
			closed: true,
		},
		{
			name:   "invalid Content-Length is 400",
			raw:    "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 400 Bad Request"}},
			closed: true,
		},
		{
			// The site refuses it (apache2's AH10244), as an origin-form one.
			name:   "percent-encoding error in an absolute target's path goes to the handler",
			raw:    "GET http://h/a%zz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 200 OK", body: "GET /a%zz"}},
			closed: true,
		},
		{
			name:   "HTTP/1.0 without Host is fine",
			raw:    "GET /x HTTP/1.0\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 200 OK", body: "GET /x"}},
			closed: true,
		},
		{
			name: "leading empty lines are skipped",
			raw:  "\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 200 OK", body: "GET /x"}},
		},
		{
			name: "request fields reach the handler",
			raw:  "GET /echo?a=1&b=%20 HTTP/1.1\r\nhost: Example.COM:8080\r\nx-multi: 1\r\nX-MULTI: 2\r\nfolded: a\r\n  b\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 200 OK", body: "method=GET path=/echo query=a=1&b=%20 proto=HTTP/1.1 1.1 host=Example.COM:8080 uri=/echo?a=1&b=%20 cl=0 te=[] close=false\n" +
				"Folded=[\"a b\"]\nHost=[\"Example.COM:8080\"]\nX-Multi=[\"1\" \"2\"]\nbody=\"\"\n"}},
		},
		{
			name: "absolute-form target: Host comes from the target",
			raw:  "GET http://other.example:81/echo?q HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 200 OK", body: "~path=/echo query=q proto=HTTP/1.1 1.1 host=other.example:81 uri=http://other.example:81/echo?q "}},
		},
		{
			name: "escaped path is decoded",
			raw:  "GET /a%20b/c%2Fd HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 200 OK", body: "GET /a b/c/d"}},
		},
		{
			name: "unknown method reaches the handler",
			raw:  "BREW /pot HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 200 OK", body: "BREW /pot"}},
		},
		{
			name: "Expect: 100-continue gets 100 when the body is read",
			raw:  "POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
			want: []wantResp{
				{status: "HTTP/1.1 100 Continue"},
				{status: "HTTP/1.1 200 OK", body: `~body="hi"`},
			},
		},
		{
			name: "unknown expectation is 417 and closes (as apache2)",
			raw:  "GET / HTTP/1.1\r\nHost: h\r\nExpect: foo\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{
				{status: "HTTP/1.1 417 Expectation Failed", header: map[string]string{"Connection": "close"},
					body: apachePage("417 Expectation Failed", "Expectation Failed",
						"<p>The expectation given in the Expect request-header\nfield could not be met by this server.\nThe client sent<pre>\n    Expect: foo\n</pre>\n</p><p>Only the 100-continue expectation is supported.</p>\n", "h Port 80")},
			},
			closed: true,
		},
		// apache2 discards the body a 2xx answer left unread before the
		// answer goes out (ap_finalize_request_protocol), its HTTP_IN filter
		// sending the "100 Continue" first, since none of the answer went out
		// yet: the connection is kept, and a body that fails then is answered
		// instead, as without Expect.
		{
			name: "Expect: 100-continue, a body a 2xx answer left is read after a 100",
			raw:  "POST /ignore HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabcGET /after HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{
				{status: "HTTP/1.1 100 Continue"},
				{status: "HTTP/1.1 200 OK", header: map[string]string{"Connection": absent}, body: "ignored the body"},
				{status: "HTTP/1.1 200 OK", body: "GET /after"},
			},
		},
		{
			name: "Expect: 100-continue, a body an answer of a declared length left is read after a 100",
			raw:  "POST /sized?n=100 HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{
				{status: "HTTP/1.1 100 Continue"},
				{status: "HTTP/1.1 200 OK", header: map[string]string{"Connection": absent, "Content-Length": "100"}},
				{status: "HTTP/1.1 200 OK", body: "GET /after"},
			},
		},
		{
			name: "Expect: 100-continue, malformed chunks a 2xx answer left are a 400 after a 100",
			raw:  "POST /sized?n=100 HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
			want: []wantResp{
				{status: "HTTP/1.1 100 Continue"},
				{status: "HTTP/1.1 400 Bad Request", header: map[string]string{"Connection": "close", "Content-Length": absent}, body: "~Your browser sent a request that this server could not understand."},
			},
			closed: true,
		},
		{
			// Chunks past maxDrain are not read: the answer must say so
			// (apache2 reads them all and keeps the connection).
			name: "Expect: 100-continue, chunks past the drain limit a 2xx answer left: 100, then close",
			raw:  "POST /ignore HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n" + "40000\r\n" + strings.Repeat("a", 0x40000) + "\r\n10\r\n" + strings.Repeat("b", 16) + "\r\n0\r\n\r\n" + "GET /after HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{
				{status: "HTTP/1.1 100 Continue"},
				{status: "HTTP/1.1 200 OK", header: map[string]string{"Connection": "close"}, body: "ignored the body"},
			},
			closed: true,
		},
		{
			name: "chunks past the drain limit a 2xx answer left: close, said in the answer",
			raw:  "POST /ignore HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + "40000\r\n" + strings.Repeat("a", 0x40000) + "\r\n10\r\n" + strings.Repeat("b", 16) + "\r\n0\r\n\r\n" + "GET /after HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{
				{status: "HTTP/1.1 200 OK", header: map[string]string{"Connection": "close"}, body: "ignored the body"},
			},
			closed: true,
		},
		{
			name:  "Expect: 100-continue, chunks over LimitRequestBody a 2xx answer left are a 413 after a 100",
			tweak: func(s *Server) { s.LimitRequestBody = 5 },
			raw:   "POST /ignore HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n",
			want: []wantResp{
				{status: "HTTP/1.1 100 Continue"},
				{status: "HTTP/1.1 413 Request Entity Too Large", header: map[string]string{"Connection": "close", "Content-Length": absent}},
			},
			closed: true,
		},
		{
			name:  "Expect: 100-continue, a body a 2xx answer left that stalls is a 408 after a 100",
			tweak: func(s *Server) { s.Timeout = 300 * time.Millisecond },
			raw:   "POST /ignore HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\nabc",
			want: []wantResp{
				{status: "HTTP/1.1 100 Continue"},
				{status: "HTTP/1.1 408 Request Timeout", header: map[string]string{"Connection": "close", "Content-Length": absent}},
			},
			closed: true,
		},
		{
			// apache2 sends that 408 without a Content-Length, as its 413 and
			// 400 there, with or without Expect.
			name:  "a body a 2xx answer left that stalls is a 408, unframed",
			tweak: func(s *Server) { s.Timeout = 300 * time.Millisecond },
			raw:   "POST /sized?n=100 HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc",
			want: []wantResp{{status: "HTTP/1.1 408 Request Timeout", header: map[string]string{"Connection": "close", "Content-Length": absent},
				body: "~<p>Server timeout waiting for the HTTP request from the client.</p>"}},
			closed: true,
		},
		// No 100 once some of the answer went out, or would have (apache2
		// holds 8 KiB of it, this engine 4 KiB of a declared length), nor for
		// a length the engine would not read whole: the body stays unread
		// and the connection closes.
		{
			name:   "Expect: 100-continue, an answer flushed before its end gets no 100 and closes",
			raw:    "POST /flush HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 200 OK", header: map[string]string{"Connection": "close"}, body: "first,second"}},
			closed: true,
		},
		{
			name:   "Expect: 100-continue, an answer of a declared length over 4 KiB gets no 100 and closes",
			raw:    "POST /sized?n=5000 HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 200 OK", header: map[string]string{"Connection": "close", "Content-Length": "5000"}}},
			closed: true,
		},
		{
			name:   "Expect: 100-continue, a length over maxDrain a 2xx answer left gets no 100 and closes",
			raw:    "POST /ignore HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 300000\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 200 OK", header: map[string]string{"Connection": "close"}, body: "ignored the body"}},
			closed: true,
		},
		{
			// As apache2's HTTP_IN filter, the read fails (before "100
			// Continue"); the handler answers.
			name:   "body over LimitRequestBody fails the handler's read",
			tweak:  func(s *Server) { s.LimitRequestBody = 10 },
			raw:    "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 500 Internal Server Error", body: "http: request body too large\n"}},
			closed: true,
		},
		{
			// apache2 discards the body a handler left before the response
			// goes out (ap_finalize_request_protocol): its failure answers.
			name:   "body over LimitRequestBody a handler ignored is 413",
			tweak:  func(s *Server) { s.LimitRequestBody = 10 },
			raw:    "POST /ignore HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n01234567890",
			want:   []wantResp{{status: "HTTP/1.1 413 Request Entity Too Large", body: "~The requested resource does not allow request data with POST requests"}},
			closed: true,
		},
		{
			// apache2's HTTP_IN filter refuses a Content-Length over the
			// limit before it would send "100 Continue" (review20).
			name:   "body over LimitRequestBody with Expect a handler ignored is 413",
			tweak:  func(s *Server) { s.LimitRequestBody = 10 },
			raw:    "POST /ignore HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 413 Request Entity Too Large", body: "~The requested resource does not allow request data with POST requests"}},
			closed: true,
		},
		{
			name:  "body over LimitRequestBody with Expect after an error page is a recursive 413",
			tweak: func(s *Server) { s.LimitRequestBody = 10 },
			raw:   "POST /404 HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 413 Request Entity Too Large", header: map[string]string{"Connection": "close", "Content-Length": absent},
				body: "~<p>Additionally, a 404 Not Found\nerror was encountered"}},
			closed: true,
		},
		{
			// The body stalls past Timeout while it is discarded: a recursive
			// 408, without a Content-Length as apache2 sends it (review20).
			name:  "a body stalled after an error page is a recursive 408, unframed",
			tweak: func(s *Server) { s.Timeout = 300 * time.Millisecond },
			raw:   "POST /404 HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc",
			want: []wantResp{{status: "HTTP/1.1 408 Request Timeout", header: map[string]string{"Connection": "close", "Content-Length": absent},
				body: "~<p>Additionally, a 404 Not Found\nerror was encountered"}},
			closed: true,
		},
		{
			// The engine reads at most maxDrain bytes of a body the handler
			// left, once: over that the connection closes after the answer
			// (review20: a second drain after the answer read another 256 KiB).
			name:   "a chunked body over maxDrain a handler ignored closes the connection",
			raw:    "POST /ignore HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + strings.Repeat("19000\r\n"+strings.Repeat("c", 0x19000)+"\r\n", 3) + "0\r\n\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 200 OK", body: "ignored the body"}},
			closed: true,
		},
		{
			name: "malformed chunks after an error page are a recursive 400",
			raw:  "POST /404 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 400 Bad Request", header: map[string]string{"Connection": "close", "Content-Length": absent},
				body: "~<p>Additionally, a 404 Not Found\nerror was encountered"}},
			closed: true,
		},
		{
			name:   "chunked body over LimitRequestBody is 413",
			tweak:  func(s *Server) { s.LimitRequestBody = 10 },
			raw:    "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n" + strings.Repeat("z", 32) + "\r\n0\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 500 Internal Server Error"}},
			closed: true,
		},
		{
			name:  "MaxKeepAliveRequests: N kept-alive responses, then close",
			tweak: func(s *Server) { s.MaxKeepAliveRequests = 2 },
			raw:   strings.Repeat("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 4),
			want: []wantResp{
				{status: "HTTP/1.1 200 OK", header: map[string]string{"Keep-Alive": "timeout=5, max=2"}},
				{status: "HTTP/1.1 200 OK", header: map[string]string{"Keep-Alive": "timeout=5, max=1"}},
				{status: "HTTP/1.1 200 OK", header: map[string]string{"Connection": "close", "Keep-Alive": absent}},
			},
			closed: true,
		},
		{
			name:   "KeepAlive off closes",
			tweak:  func(s *Server) { s.KeepAlive = false },
			raw:    "GET / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 200 OK", header: map[string]string{"Connection": "close"}}},
			closed: true,
		},
		{
			name:   "draining answers with Connection: close",
			tweak:  func(s *Server) { s.StartDraining() },
			raw:    "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 200 OK", header: map[string]string{"Connection": "close"}}},
			closed: true,
		},
		{
			name:   "handler asking for close",
			raw:    "GET /close HTTP/1.1\r\nHost: h\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 200 OK", body: "bye", header: map[string]string{"Connection": "close"}}},
			closed: true,
		},
		{
			name:   "handler panic is a 500 without the handler's headers",
			raw:    "GET /panic HTTP/1.1\r\nHost: h\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 500 Internal Server Error", header: map[string]string{"X-Leak": absent, "Connection": "close"}, body: "~[no address given] to inform them"}},
			closed: true,
		},
		{
			// apache2's header filter refuses it (AH02430): a 500 that names the
			// status it replaces, without the handler's fields, and a close.
			name: "CR LF in a response header value cannot inject a field",
			raw:  "GET /inject HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 500 Internal Server Error", header: map[string]string{"X-A": absent, "Set-Cookie": absent},
				body: "~<p>Additionally, a 200 OK\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>"}},
			closed: true,
		},
		{
			// A fold passes apache2's check, which writes it as one space.
			name: "a folded response header value is sent unfolded",
			raw:  "GET /fold HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 200 OK", header: map[string]string{"X-A": "a b"}}},
		},
		// TRACE, checked against apache2 2.4.71 with TraceEnable Off, On and Extended.
		{
			name: "TRACE off (the default here) is 405 with an empty Allow, for any path",
			raw:  "TRACE /nothere HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 405 Method Not Allowed", header: map[string]string{"Allow": "", "Connection": absent},
				body: "~<p>The requested method TRACE is not allowed for this URL.</p>"}},
		},
		{
			name:  "TRACE on echoes the request line and fields as received",
			tweak: func(s *Server) { s.TraceEnable = TraceOn },
			raw:   "TRACE /x?q HTTP/1.1\r\nhost: h\r\nX-a:  b \r\nX-Fold: one\r\n two\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 200 OK", header: map[string]string{"Content-Type": "message/http"},
				body: "TRACE /x?q HTTP/1.1\r\nhost: h\r\nX-a: b\r\nX-Fold: one two\r\n\r\n"}},
		},
		{
			name:  "TRACE on with a body is 413 and closes",
			tweak: func(s *Server) { s.TraceEnable = TraceOn },
			raw:   "TRACE / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
			want: []wantResp{{status: "HTTP/1.1 413 Request Entity Too Large", header: map[string]string{"Connection": "close"},
				body: "~does not allow request data with TRACE requests"}},
			closed: true,
		},
		{
			name:   "TRACE on with an empty chunked body is still 413",
			tweak:  func(s *Server) { s.TraceEnable = TraceOn },
			raw:    "TRACE / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			want:   []wantResp{{status: "HTTP/1.1 413 Request Entity Too Large"}},
			closed: true,
		},
		{
			name:  "TRACE extended echoes the body, then the connection goes on",
			tweak: func(s *Server) { s.TraceEnable = TraceExtended },
			raw:   "TRACE / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n",
			want: []wantResp{
				{status: "HTTP/1.1 200 OK", body: "TRACE / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nabc"},
				{status: "HTTP/1.1 200 OK", body: "GET /next"},
			},
		},
		{
			name: "WriteError 404 with signature and Host port",
			raw:  "GET /404 HTTP/1.1\r\nHost: Example.org.:8080\r\n\r\n",
			want: []wantResp{{status: "HTTP/1.1 404 Not Found",
				names: []string{"Date", "Server", "Content-Length", "Content-Type"},
				body: apachePage("404 Not Found", "Not Found",
					"<p>The requested URL was not found on this server.</p>\n", "example.org Port 8080")}},
		},
	}
}

// apachePage is apache2's error page with ServerSignature On and testSoftware.
func apachePage(title, h1, canned, hostPort string) string {
	return "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n" +
		"<html><head>\n<title>" + title + "</title>\n</head><body>\n<h1>" + h1 + "</h1>\n" + canned +
		"<hr>\n<address>" + testSoftware + " Server at " + hostPort + "</address>\n</body></html>\n"
}

func TestConformance(t *testing.T) {
	for _, tc := range conformanceCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer()
			if tc.tweak != nil {
				tc.tweak(srv)
			}
			addr := serve(t, srv)
			resps, closed := exchangeRaw(t, addr, tc.raw, len(tc.want), tc.methods...)
			for i, want := range tc.want {
				got := resps[i]
				if got.StatusLine != want.status {
					t.Errorf("response %d: status %q, want %q (body %q)", i+1, got.StatusLine, want.status, got.Body)
				}
				for k, v := range want.header {
					gv, ok := got.Header[http.CanonicalHeaderKey(k)]
					switch {
					case v == absent && ok:
						t.Errorf("response %d: %s: %q, want none", i+1, k, gv)
					case v != absent && (!ok || gv[0] != v):
						t.Errorf("response %d: %s: %q, want %q", i+1, k, gv, v)
					}
				}
				if want.names != nil && strings.Join(got.Names(), ",") != strings.Join(want.names, ",") {
					t.Errorf("response %d: fields %v, want %v", i+1, got.Names(), want.names)
				}
				switch {
				case strings.HasPrefix(want.body, "~"):
					if !strings.Contains(got.Body, want.body[1:]) {
						t.Errorf("response %d: body %q does not contain %q", i+1, got.Body, want.body[1:])
					}
				case want.body != "" && got.Body != want.body:
					t.Errorf("response %d: body\n%q\nwant\n%q", i+1, got.Body, want.body)
				}
				if cl := got.Header.Get("Content-Length"); cl != "" && !strings.HasPrefix(tc.methods0(i), "HEAD") && cl != strconv.Itoa(len(got.Body)) {
					t.Errorf("response %d: Content-Length %s but body has %d bytes", i+1, cl, len(got.Body))
				}
			}
			if closed != tc.closed {
				t.Errorf("connection closed = %v, want %v", closed, tc.closed)
			}
		})
	}
}

func (tc convCase) methods0(i int) string {
	if i < len(tc.methods) {
		return tc.methods[i]
	}
	return "GET"
}
