package http1

import (
	"bufio"
	"io"
	"net"
	"testing"
)

// TestDetachResume: a connection detached between requests and resumed on a new Conn
// carries on its counts (the Keep-Alive max goes on counting down, the last allowed
// request closes) and reports no state for the detach or the resume.
func TestDetachResume(t *testing.T) {
	srv := newTestServer()
	srv.MaxKeepAliveRequests = 3
	var log stateLog
	srv.ConnState = log.hook
	a, client := net.Pipe()
	defer client.Close()
	c := srv.NewConn(a)
	if _, ok := c.Detach(); ok {
		t.Fatal("Detach succeeded before any request")
	}
	br := bufio.NewReader(client)
	get := func(path string) *rawResponse {
		t.Helper()
		go io.WriteString(client, "GET "+path+" HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n")
		done := make(chan *rawResponse, 1)
		go func() {
			r, err := readRawResponse(br, "GET")
			if err != nil {
				t.Error(err)
			}
			done <- r
		}()
		keep, err := c.ServeRequest()
		r := <-done
		if r == nil {
			t.FailNow()
		}
		if keep != (r.Header.Get("Connection") != "close") || err != nil {
			t.Errorf("%s: ServeRequest %v, %v with Connection %q", path, keep, err, r.Header.Get("Connection"))
		}
		return r
	}
	want := []string{"timeout=5, max=3", "timeout=5, max=2", "timeout=5, max=1", ""}
	for i, path := range []string{"/1", "/2", "/3", "/4"} {
		r := get(path)
		if got := r.Header.Get("Keep-Alive"); got != want[i] {
			t.Errorf("%s: Keep-Alive %q, want %q", path, got, want[i])
		}
		if i == len(want)-1 {
			if r.Header.Get("Connection") != "close" {
				t.Errorf("%s: Connection %q, want close", path, r.Header.Get("Connection"))
			}
			break
		}
		old := c
		st, ok := c.Detach()
		if !ok {
			t.Fatalf("Detach after %s failed", path)
		}
		if _, err := old.ServeRequest(); err == nil {
			t.Error("a detached Conn served a request")
		}
		old.Close() // does nothing: the connection is the caller's now
		c = srv.Resume(a, st)
		if c.Requests() != i+1 {
			t.Errorf("resumed Conn counts %d requests, want %d", c.Requests(), i+1)
		}
	}
	c.Close()
	if got, want := log.String(), "new,active,idle,active,idle,active,idle,active,closed"; got != want {
		t.Errorf("states %s, want %s", got, want)
	}
}

// TestFinish: Finish reports StateClosed and whether to linger, and leaves the
// connection open for the caller.
func TestFinish(t *testing.T) {
	for _, c := range []struct {
		name, req       string
		serverKeepAlive bool
		keep, linger    bool
	}{
		{"keep-alive", "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", true, true, false},
		// The client asked for the close: it sends nothing more, no linger.
		{"client close", "GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", true, false, false},
		{"HTTP/1.0", "GET /a HTTP/1.0\r\n\r\n", true, false, false},
		// Something follows the request although the client asked for the close.
		{"client close, more sent", "GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\n", true, false, true},
		// The server closes a connection the client wanted kept: it may be sending more.
		{"server close", "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", false, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := newTestServer()
			srv.KeepAlive = c.serverKeepAlive
			var log stateLog
			srv.ConnState = log.hook
			a, client := net.Pipe()
			defer client.Close()
			defer a.Close()
			hc := srv.NewConn(a)
			go func() {
				io.WriteString(client, c.req)
				readRawResponse(bufio.NewReader(client), "GET")
			}()
			if keep, err := hc.ServeRequest(); keep != c.keep || err != nil {
				t.Fatalf("ServeRequest %v, %v", keep, err)
			}
			if got := hc.Finish(); got != c.linger {
				t.Errorf("Finish = %v, want %v", got, c.linger)
			}
			if hc.Finish() {
				t.Error("a second Finish wants to linger")
			}
			if got := log.String(); got != "new,active,idle,closed" && got != "new,active,closed" {
				t.Errorf("states %s", got)
			}
			// The connection is still open: the caller owns it.
			go client.Write([]byte("x"))
			if n, err := a.Read(make([]byte, 1)); n != 1 || err != nil {
				t.Errorf("the connection after Finish: %d, %v", n, err)
			}
		})
	}
}
