package http1

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRequestDone: the hook sees every answered request, with its status and body
// bytes, including requests the engine answered itself; the Handler finds its Conn.
func TestRequestDone(t *testing.T) {
	type done struct {
		line   string
		status int
		bytes  int64
		tagged bool
	}
	var mu sync.Mutex
	var got []done
	srv := &Server{
		KeepAlive: true,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c := ConnFromRequest(r)
			if c == nil {
				t.Error("ConnFromRequest = nil in a handler")
			} else {
				c.Tag = "seen"
			}
			if r.URL.Path == "/missing" {
				http.NotFound(w, r)
				return
			}
			io.WriteString(w, "hello")
		}),
		RequestDone: func(c *Conn, r *http.Request, status int, n int64) {
			mu.Lock()
			got = append(got, done{r.Method + " " + r.RequestURI, status, n, c.Tag == "seen"})
			mu.Unlock()
		},
	}
	addr := serve(t, srv)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(nc, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET /missing HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n\r\n")
	io.ReadAll(nc)
	mu.Lock()
	defer mu.Unlock()
	want := []done{{"GET /a", 200, 5, true}, {"HEAD /a", 200, 0, true}, {"GET /missing", 404, 19, true}, {"GET /b", 400, -1, true}}
	if len(got) != len(want) {
		t.Fatalf("RequestDone calls %+v, want %d", got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.line != w.line || g.status != w.status || (w.bytes >= 0 && g.bytes != w.bytes) || g.bytes < 0 || !g.tagged {
			t.Errorf("call %d = %+v, want %+v", i, g, w)
		}
	}
	if !strings.HasPrefix(got[3].line, "GET") {
		t.Errorf("engine-answered request seen as %q", got[3].line)
	}
}
