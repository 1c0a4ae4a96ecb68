package http1

import (
	"bufio"
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
	nc := dialServer(t, srv)
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

// TestRequestDoneRecursiveError: the page of a failed local ErrorDocument
// (WriteRecursiveError) goes out with the error's status, but the hook sees
// the document's failure as the status and no body bytes, as apache2 logs
// its last request (%>s, %b "-"); the next request on the connection is
// its own again.
func TestRequestDoneRecursiveError(t *testing.T) {
	type done struct {
		status int
		bytes  int64
	}
	var mu sync.Mutex
	var got []done
	srv := &Server{
		KeepAlive: true,
		Handler:   failedDocument(http.StatusForbidden),
		RequestDone: func(c *Conn, r *http.Request, status int, n int64) {
			mu.Lock()
			got = append(got, done{status, n})
			mu.Unlock()
		},
	}
	nc := dialServer(t, srv)
	io.WriteString(nc, "GET /failed HTTP/1.1\r\nHost: x\r\n\r\nGET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	out, _ := io.ReadAll(nc)
	if !strings.HasPrefix(string(out), "HTTP/1.1 404 Not Found\r\n") || !strings.Contains(string(out), "Additionally, a 404 Not Found") {
		t.Errorf("answer %q, want the 404 page with its Additionally paragraph", out)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []done{{403, 0}, {200, 5}}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("RequestDone calls %+v, want %+v", got, want)
	}
}

// failedDocument answers /failed with the 404 page of a local ErrorDocument
// that failed with failed (WriteRecursiveError), anything else with
// "hello".
func failedDocument(failed int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/failed" {
			WriteRecursiveError(w, r, http.StatusNotFound, failed)
			return
		}
		io.WriteString(w, "hello")
	})
}

// TestRecursiveErrorDropsConnection: a failed local ErrorDocument whose
// failure is a status apache2 drops the connection for (a 500) closes the
// connection after the error's page, as ap_die, which sets r->status to
// the failure's.
func TestRecursiveErrorDropsConnection(t *testing.T) {
	srv := &Server{
		KeepAlive: true,
		Handler:   failedDocument(http.StatusInternalServerError),
	}
	nc := dialServer(t, srv)
	io.WriteString(nc, "GET /failed HTTP/1.1\r\nHost: x\r\n\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n")
	out, _ := io.ReadAll(nc)
	if !strings.HasPrefix(string(out), "HTTP/1.1 404 Not Found\r\n") || !strings.Contains(string(out), "\r\nConnection: close\r\n") ||
		strings.Contains(string(out), "hello") {
		t.Errorf("answer %q, want the 404 page with Connection: close, and no more", out)
	}
}

// TestProgress: the hook runs on every wait on the network of a request
// (its first byte, its head, each write of its response), with the Conn.
func TestProgress(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	srv := &Server{
		KeepAlive: true,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ConnFromRequest(r).Tag = "mine"
			io.WriteString(w, "hello")
		}),
		Progress: func(c *Conn, now time.Time) {
			mu.Lock()
			defer mu.Unlock()
			if c.Tag == "mine" {
				calls++
			}
		},
	}
	nc := dialServer(t, srv)
	// The Tag is set by the first request's handler: from its response on,
	// the second request's first byte, head and response are three waits.
	io.WriteString(nc, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(nc)
	for _, last := range []bool{false, true} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(resp.Body)
		if !last {
			io.WriteString(nc, "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if calls < 4 {
		t.Errorf("Progress called %d times for the Conn, want a write, then a first byte, a head and a write", calls)
	}
}

// dialServer serves srv and connects to it; the connection has 10 s and
// closes with the test.
func dialServer(t *testing.T, srv *Server) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", serve(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	return nc
}
