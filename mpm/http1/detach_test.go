package http1

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
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
// connection open for the caller, its sending side shut down when it lingers. Over
// loopback TCP: whether the client sent more is also asked of the socket's receive
// queue, and whether it has taken the response of its send queue.
func TestFinish(t *testing.T) {
	for _, c := range []struct {
		name, req       string
		serverKeepAlive bool
		// handler, if set, serves the request; client is the test's end.
		handler      func(client net.Conn, w http.ResponseWriter, r *http.Request)
		keep, linger bool
		// unread: the client reads the response only after Finish, so that
		// the response is still in the server's send queue.
		unread bool
	}{
		{name: "keep-alive", req: "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", serverKeepAlive: true, keep: true},
		// The client asked for the close and took the response: it sends nothing
		// more, no linger.
		{name: "client close", req: "GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", serverKeepAlive: true},
		{name: "HTTP/1.0", req: "GET /a HTTP/1.0\r\n\r\n", serverKeepAlive: true},
		// Something follows the request although the client asked for the close:
		// read with it, or still in the socket when the response ends.
		{name: "client close, more sent", req: "GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\n", serverKeepAlive: true, linger: true},
		{name: "client close, more in the socket", req: "GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", serverKeepAlive: true, linger: true,
			handler: func(client net.Conn, w http.ResponseWriter, r *http.Request) {
				client.Write([]byte("\r\n"))
				waitUnread(t, w)
			}},
		// The client asked for the close but has not taken the response yet: if it
		// sent after all, a reset would destroy what it has not received.
		{name: "client close, response in flight", req: "GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", serverKeepAlive: true, linger: true, unread: true,
			handler: func(_ net.Conn, w http.ResponseWriter, r *http.Request) {
				w.Write(make([]byte, 2<<20))
			}},
		// The server closes a connection the client wanted kept: it may be sending more.
		{name: "server close", req: "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", linger: true},
		{name: "handler close", req: "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", serverKeepAlive: true, linger: true,
			handler: func(_ net.Conn, w http.ResponseWriter, r *http.Request) { r.Close = true }},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := newTestServer()
			srv.KeepAlive = c.serverKeepAlive
			var log stateLog
			srv.ConnState = log.hook
			a, client := tcpPair(t)
			if c.handler != nil {
				srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { c.handler(client, w, r) })
			}
			var hc *Conn
			if c.unread {
				// Room for the whole response in the send queue.
				if err := a.(*net.TCPConn).SetWriteBuffer(4 << 20); err != nil {
					t.Fatal(err)
				}
				hc = srv.NewConn(a)
			} else {
				// The response leaves and the client's kernel acknowledges it
				// whatever the test's scheduling: Finish is asked after that.
				hc = srv.NewConn(ackedConn{a.(*net.TCPConn)})
			}
			read := make(chan struct{})
			got := make(chan *rawResponse, 1)
			go func() {
				io.WriteString(client, c.req)
				if c.unread {
					<-read
				}
				r, _ := readRawResponse(bufio.NewReader(client), "GET")
				got <- r
			}()
			if keep, err := hc.ServeRequest(); keep != c.keep || err != nil {
				t.Fatalf("ServeRequest %v, %v", keep, err)
			}
			linger := hc.Finish()
			if linger != c.linger {
				t.Errorf("Finish = %v, want %v", linger, c.linger)
			}
			if hc.Finish() {
				t.Error("a second Finish wants to linger")
			}
			if got := log.String(); got != "new,active,idle,closed" && got != "new,active,closed" {
				t.Errorf("states %s", got)
			}
			close(read)
			if r := <-got; r == nil {
				t.Error("the client did not get the response")
			}
			if linger {
				// The sending side is shut down: after the response, the end.
				client.SetReadDeadline(time.Now().Add(10 * time.Second))
				if n, err := client.Read(make([]byte, 1)); err != io.EOF {
					t.Errorf("after the response: %d, %v; want EOF", n, err)
				}
			}
			// The connection is still open: the caller owns it.
			go client.Write([]byte("x"))
			a.SetReadDeadline(time.Now().Add(10 * time.Second))
			if n, err := a.Read(make([]byte, 1)); n != 1 || err != nil {
				t.Errorf("the connection after Finish: %d, %v", n, err)
			}
		})
	}
}

// ackedConn is a loopback connection whose Unacked waits (up to 10 s) until the
// peer has acknowledged all that was sent but the FIN: a test's client that reads
// the response has then taken it, however the test's goroutines were scheduled.
type ackedConn struct{ *net.TCPConn }

func (c ackedConn) Unacked() (int, error) {
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		n, err := unackedBytes(c.TCPConn)
		if err != nil || n <= 1 || time.Now().After(end) {
			return n, err
		}
	}
}

// tcpPair is a connected loopback TCP pair, closed when the test ends.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if server, err = ln.Accept(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return server, client
}

// waitUnread waits (up to 10 s) until the connection of w's request has bytes in its
// socket's receive queue.
func waitUnread(t *testing.T, w http.ResponseWriter) {
	c := w.(*response).c
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if n, err := unreadBytes(c.rwc); err != nil || n > 0 {
			return
		}
	}
	t.Error("the client's bytes never reached the socket")
}
