package http1

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestHostConfig: a request whose identity (from Server.Identify) carries a
// HostConfig gets its keep-alive, MaxKeepAliveRequests, signature, TRACE,
// body limit and body timeout; the others get the Server's.
func TestHostConfig(t *testing.T) {
	vhost := NewIdentity("v.test", "admin@v.test").WithConfig(HostConfig{
		KeepAlive: true, MaxKeepAliveRequests: 1, ServerSignature: SignatureEMail, TraceEnable: TraceOn, LimitRequestBody: 5,
		BodyTimeout: 300 * time.Millisecond, BodyMinRate: 1 << 20,
	})
	closer := NewIdentity("c.test", "").WithConfig(HostConfig{KeepAlive: false})
	srv := &Server{
		KeepAlive: true, MaxKeepAliveRequests: 100, Software: testSoftware, Timeout: 30 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.Copy(io.Discard, r.Body); err != nil {
				return // the engine answers 413
			}
			if r.URL.Path == "/missing" {
				WriteError(w, r, http.StatusNotFound, "")
				return
			}
			io.WriteString(w, "ok\n")
		}),
		Identify: func(c *Conn, r *http.Request) *Identity {
			switch r.Host {
			case "v.test":
				return vhost
			case "c.test":
				return closer
			}
			return nil
		},
	}
	addr := serve(t, srv)
	req := func(host, extra string) string { return "GET / HTTP/1.1\r\nHost: " + host + "\r\n" + extra + "\r\n" }

	// KeepAlive Off for c.test: its response closes the connection.
	resps, closed := exchangeRaw(t, addr, req("m.test", "")+req("c.test", "")+req("m.test", ""), 2)
	if !closed || resps[1].Header.Get("Connection") != "close" || resps[0].Header.Get("Connection") == "close" {
		t.Errorf("c.test: closed %v, Connection %q then %q", closed, resps[0].Header.Get("Connection"), resps[1].Header.Get("Connection"))
	}
	// MaxKeepAliveRequests 1 for v.test: the second response counts past it.
	resps, closed = exchangeRaw(t, addr, req("m.test", "")+req("v.test", "")+req("m.test", ""), 2)
	if !closed || resps[1].Header.Get("Connection") != "close" {
		t.Errorf("v.test after one kept-alive response: closed %v, Connection %q", closed, resps[1].Header.Get("Connection"))
	}
	resps, closed = exchangeRaw(t, addr, req("v.test", "Connection: keep-alive\r\n")+req("m.test", "Connection: close\r\n"), 2)
	if !closed || resps[0].Header.Get("Keep-Alive") != "timeout=5, max=1" {
		t.Errorf("v.test first: Keep-Alive %q", resps[0].Header.Get("Keep-Alive"))
	}
	// The signature names the virtual host's admin; the Server's has none.
	resps, _ = exchangeRaw(t, addr, "GET /missing HTTP/1.1\r\nHost: v.test\r\nConnection: close\r\n\r\n", 1)
	if !strings.Contains(resps[0].Body, `<a href="mailto:admin@v.test">v.test</a> Port 80</address>`) {
		t.Errorf("v.test 404 without its signature: %q", resps[0].Body)
	}
	resps, _ = exchangeRaw(t, addr, "GET /missing HTTP/1.1\r\nHost: m.test\r\nConnection: close\r\n\r\n", 1)
	if strings.Contains(resps[0].Body, "<address>") {
		t.Errorf("m.test 404 with a signature: %q", resps[0].Body)
	}
	// TRACE and LimitRequestBody.
	for _, c := range []struct{ raw, status string }{
		{"TRACE / HTTP/1.1\r\nHost: v.test\r\nConnection: close\r\n\r\n", "HTTP/1.1 200 OK"},
		{"TRACE / HTTP/1.1\r\nHost: m.test\r\nConnection: close\r\n\r\n", "HTTP/1.1 405 Method Not Allowed"},
		{"POST / HTTP/1.1\r\nHost: v.test\r\nConnection: close\r\nContent-Length: 6\r\n\r\n123456", "HTTP/1.1 413 Request Entity Too Large"},
		{"POST / HTTP/1.1\r\nHost: v.test\r\nConnection: close\r\nContent-Length: 5\r\n\r\n12345", "HTTP/1.1 200 OK"},
		{"POST / HTTP/1.1\r\nHost: v.test\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n123456\r\n0\r\n\r\n", "HTTP/1.1 413 Request Entity Too Large"},
		{"POST / HTTP/1.1\r\nHost: m.test\r\nConnection: close\r\nContent-Length: 6\r\n\r\n123456", "HTTP/1.1 200 OK"},
	} {
		method, _, _ := strings.Cut(c.raw, " ")
		if resps, _ := exchangeRaw(t, addr, c.raw, 1, method); resps[0].StatusLine != c.status {
			t.Errorf("%q: %s, want %s", c.raw, resps[0].StatusLine, c.status)
		}
	}
	// Its body timeout (300 ms) cuts a body that stops, before the Server's
	// Timeout (30 s) and BodyTimeout (20 s) would, and before exchangeRaw gives up (10 s).
	resps, _ = exchangeRaw(t, addr, "POST / HTTP/1.1\r\nHost: v.test\r\nContent-Length: 5\r\n\r\n1", 1, "POST")
	if resps[0].StatusLine != "HTTP/1.1 408 Request Timeout" {
		t.Errorf("v.test body that stops: %s", resps[0].StatusLine)
	}
}

// countingConn counts LocalAddr calls.
type countingConn struct {
	net.Conn
	n atomic.Int32
}

func (c *countingConn) LocalAddr() net.Addr { c.n.Add(1); return c.Conn.LocalAddr() }

// TestLocalAddrKept: with virtual hosts (Identify set), a Conn asks its
// connection for the local address once, however many requests look at it.
func TestLocalAddrKept(t *testing.T) {
	srv := &Server{
		KeepAlive: true,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, ConnFromRequest(r).LocalAddr().String())
		}),
		Identify: func(c *Conn, r *http.Request) *Identity { c.LocalAddr(); return nil },
	}
	client, server := net.Pipe()
	defer client.Close()
	cc := &countingConn{Conn: server}
	c := srv.NewConn(cc)
	go func() {
		for {
			if keep, _ := c.ServeRequest(); !keep {
				c.Close()
				return
			}
		}
	}()
	go io.WriteString(client, strings.Repeat("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 3))
	br := bufio.NewReader(client)
	for i := 0; i < 3; i++ {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if string(b) != "pipe" {
			t.Errorf("response %d: %q, want the pipe's address", i, b)
		}
	}
	if n := cc.n.Load(); n != 1 {
		t.Errorf("LocalAddr asked %d times, want once", n)
	}
}
