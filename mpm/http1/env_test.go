package http1

import (
	"net/http"
	"strings"
	"testing"
)

// TestEnvSpecials: the variables the engine reads, set by the handler
// from the X-Env field: nokeepalive closes (not for a request with Via),
// downgrade-1.0 frames as to HTTP/1.0 (a close instead of chunks, keep-alive
// only on the client's keep-alive), force-response-1.0 says HTTP/1.0 to an
// HTTP/1.0 (or downgraded) request and closes.
func TestEnvSpecials(t *testing.T) {
	srv := newTestServer()
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, v := range strings.Fields(r.Header.Get("X-Env")) {
			Env(r).Set(v, "1")
		}
		if r.Header.Get("X-Len") == "" {
			w.(http.Flusher).Flush() // no length: chunks or a close
		}
		w.Write([]byte("body"))
	})
	addr := serve(t, srv)
	next := "GET /2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
	for _, tc := range []struct {
		name, raw     string
		status        string
		chunked, keep bool
	}{
		{"none", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 200 OK", true, true},
		{"nokeepalive", "GET / HTTP/1.1\r\nHost: a\r\nX-Env: nokeepalive\r\n\r\n", "HTTP/1.1 200 OK", true, false},
		{"nokeepalive via proxy", "GET / HTTP/1.1\r\nHost: a\r\nVia: 1.1 p\r\nX-Env: nokeepalive\r\n\r\n", "HTTP/1.1 200 OK", true, true},
		{"downgrade", "GET / HTTP/1.1\r\nHost: a\r\nX-Env: downgrade-1.0\r\n\r\n", "HTTP/1.1 200 OK", false, false},
		{"downgrade keep-alive", "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nX-Env: downgrade-1.0\r\n\r\n", "HTTP/1.1 200 OK", false, false},
		{"downgrade with a length", "GET / HTTP/1.1\r\nHost: a\r\nX-Len: 1\r\nX-Env: downgrade-1.0\r\n\r\n", "HTTP/1.1 200 OK", false, false},
		{"downgrade with a length, keep-alive", "GET / HTTP/1.1\r\nHost: a\r\nX-Len: 1\r\nConnection: keep-alive\r\nX-Env: downgrade-1.0\r\n\r\n", "HTTP/1.1 200 OK", false, true},
		{"force on 1.1", "GET / HTTP/1.1\r\nHost: a\r\nX-Env: force-response-1.0\r\n\r\n", "HTTP/1.1 200 OK", true, true},
		{"force on 1.0", "GET / HTTP/1.0\r\nConnection: keep-alive\r\nX-Env: force-response-1.0\r\n\r\n", "HTTP/1.0 200 OK", false, false},
		{"downgrade and force", "GET / HTTP/1.1\r\nHost: a\r\nX-Env: downgrade-1.0 force-response-1.0\r\n\r\n", "HTTP/1.0 200 OK", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := 1
			if tc.keep {
				want = 2
			}
			resps, closed := exchangeRaw(t, addr, tc.raw+next, want)
			if len(resps) == 0 {
				t.Fatal("no answer")
			}
			r := resps[0]
			if r.StatusLine != tc.status || r.Chunked != tc.chunked || len(resps) != want || !closed {
				t.Errorf("%q, chunked %v, %d answers, closed %v; want %q, chunked %v, %d answers", r.StatusLine, r.Chunked, len(resps), closed, tc.status, tc.chunked, want)
			}
		})
	}
}
