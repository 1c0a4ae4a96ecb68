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

var sinkConn *Conn

// TestLocalAddrAllocatesNothing: keeping the local address costs a Conn no
// allocation of its own (the scoreboard asks it on every connection).
func TestLocalAddrAllocatesNothing(t *testing.T) {
	mc := &memConn{addr: net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}}
	if n := testing.AllocsPerRun(100, func() {
		sinkConn = &Conn{rwc: mc}
		if a := sinkConn.LocalAddr(); a != &mc.addr || sinkConn.LocalAddr() != a {
			t.Fatalf("LocalAddr %v, want %v, kept", a, &mc.addr)
		}
	}); n != 1 {
		t.Errorf("a Conn that asked its LocalAddr allocated %v times; want 1 (the Conn)", n)
	}
}

// kaConn sends req on a new connection to addr and reads its response,
// leaving the connection open for the server to close.
func kaConn(t *testing.T, addr, host string) (net.Conn, *bufio.Reader, *rawResponse) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	io.WriteString(nc, "GET / HTTP/1.1\r\nHost: "+host+"\r\nConnection: keep-alive\r\n\r\n")
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(nc)
	r, err := readRawResponse(br, "GET")
	if err != nil {
		t.Fatalf("%s: %v", host, err)
	}
	return nc, br, r
}

// closedBy reports whether the server closed nc (a read returns EOF) before
// deadline; false if the read timed out (still open).
func closedBy(nc net.Conn, br *bufio.Reader, deadline time.Time) bool {
	nc.SetReadDeadline(deadline)
	_, err := br.ReadByte()
	return err != nil && !isTimeout(err)
}

// TestHostTimeouts: a HostConfig's KeepAliveTimeout is announced in its
// responses' Keep-Alive header; the wait for the next request after one
// is its KeepAliveTimeout when OwnKeepAliveTimeout is set, else the base
// identity's (Server.BaseIdentity), as apache2 does. Order, not duration: a
// connection waiting 200 ms is closed while those waiting 30 s stay open.
func TestHostTimeouts(t *testing.T) {
	short := HostConfig{KeepAlive: true, KeepAliveTimeout: 200 * time.Millisecond, OwnKeepAliveTimeout: true}
	notOwn := short
	notOwn.OwnKeepAliveTimeout = false
	long := HostConfig{KeepAlive: true, KeepAliveTimeout: 7 * time.Second}
	ids := map[string]*Identity{
		"short.test":  NewIdentity("short.test", "").WithConfig(short),
		"notown.test": NewIdentity("notown.test", "").WithConfig(notOwn),
		"long.test":   NewIdentity("long.test", "").WithConfig(long),
	}
	base := NewIdentity("base.test", "").WithConfig(HostConfig{KeepAliveTimeout: 200 * time.Millisecond, Timeout: 30 * time.Second})
	srv := &Server{
		KeepAlive: true, KeepAliveTimeout: 30 * time.Second, Timeout: 30 * time.Second,
		Handler:  http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") }),
		Identify: func(c *Conn, r *http.Request) *Identity { return ids[r.Host] },
	}
	addr := serve(t, srv)
	baseSrv := &Server{
		KeepAlive: true, KeepAliveTimeout: 30 * time.Second, Timeout: 30 * time.Second,
		Handler:      srv.Handler,
		Identify:     srv.Identify,
		BaseIdentity: func(*Conn) *Identity { return base },
	}
	baseAddr := serve(t, baseSrv)

	sc, sbr, sr := kaConn(t, addr, "short.test")
	nc, nbr, nr := kaConn(t, addr, "notown.test")
	lc, lbr, lr := kaConn(t, addr, "long.test")
	mc, mbr, mr := kaConn(t, addr, "main.test")
	// On baseAddr a virtual host without its own KeepAliveTimeout waits the
	// base's 200 ms, one with its own its own.
	bnc, bnbr, _ := kaConn(t, baseAddr, "long.test")
	bsc, bsbr, _ := kaConn(t, baseAddr, "short.test")
	for _, c := range []struct {
		r    *rawResponse
		want string
	}{{sr, "timeout=0"}, {nr, "timeout=0"}, {lr, "timeout=7"}, {mr, "timeout=30"}} {
		if got := c.r.Header.Get("Keep-Alive"); got != c.want {
			t.Errorf("Keep-Alive %q, want %q", got, c.want)
		}
	}
	end := time.Now().Add(10 * time.Second)
	if !closedBy(sc, sbr, end) {
		t.Fatal("the connection of a virtual host with KeepAliveTimeout 200ms was not closed within 10 s")
	}
	if !closedBy(bnc, bnbr, end) {
		t.Fatal("on a base server with KeepAliveTimeout 200ms, a virtual host without its own did not close within 10 s")
	}
	if !closedBy(bsc, bsbr, end) {
		t.Fatal("on a base server with KeepAliveTimeout 200ms, a virtual host with its own 200ms did not close within 10 s")
	}
	probe := time.Now().Add(100 * time.Millisecond)
	for name, c := range map[string]struct {
		nc net.Conn
		br *bufio.Reader
	}{"notown.test (the Server's 30 s)": {nc, nbr}, "long.test": {lc, lbr}, "main.test": {mc, mbr}} {
		if closedBy(c.nc, c.br, probe) {
			t.Errorf("%s: closed as soon as the 200 ms one", name)
		}
	}
}

// TestHostTimeout: a HostConfig's Timeout bounds its requests' body reads
// (here before the Server's 30 s and BodyTimeout's 20 s, and exchangeRaw's
// 10 s); a base identity's bounds the reading of request heads on its
// connections.
func TestHostTimeout(t *testing.T) {
	quick := NewIdentity("quick.test", "").WithConfig(HostConfig{Timeout: 300 * time.Millisecond})
	srv := &Server{
		Timeout: 30 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.Copy(io.Discard, r.Body); err != nil {
				return // the engine answers 408
			}
			io.WriteString(w, "ok\n")
		}),
		Identify: func(c *Conn, r *http.Request) *Identity {
			if r.Host == "quick.test" {
				return quick
			}
			return nil
		},
	}
	resps, _ := exchangeRaw(t, serve(t, srv), "POST / HTTP/1.1\r\nHost: quick.test\r\nContent-Length: 5\r\n\r\n1", 1, "POST")
	if resps[0].StatusLine != "HTTP/1.1 408 Request Timeout" {
		t.Errorf("quick.test body that stops: %s", resps[0].StatusLine)
	}
	srv2 := &Server{Timeout: 30 * time.Second, Handler: srv.Handler, BaseIdentity: func(*Conn) *Identity { return quick }}
	resps, closed := exchangeRaw(t, serve(t, srv2), "GET / HTTP/1.1\r\nHost: x.test\r\n", 1)
	if resps[0].StatusLine != "HTTP/1.1 408 Request Timeout" || !closed {
		t.Errorf("a head that stops, base Timeout 300ms: %s, closed %v", resps[0].StatusLine, closed)
	}
}

// TestWaitTimeouts: WaitTimeouts after a response are those of its identity
// when it sets KeepAliveTimeout itself, else the base's (else the Server's).
func TestWaitTimeouts(t *testing.T) {
	own := NewIdentity("own.test", "").WithConfig(HostConfig{KeepAlive: true, KeepAliveTimeout: 3 * time.Second, OwnKeepAliveTimeout: true, Timeout: 4 * time.Second})
	other := NewIdentity("other.test", "").WithConfig(HostConfig{KeepAlive: true, KeepAliveTimeout: 9 * time.Second, Timeout: 9 * time.Second})
	base := NewIdentity("base.test", "").WithConfig(HostConfig{KeepAliveTimeout: 7 * time.Second, Timeout: 8 * time.Second})
	for _, c := range []struct {
		host        string
		base        *Identity
		idle, write time.Duration
	}{
		{"own.test", nil, 3 * time.Second, 4 * time.Second},
		{"other.test", nil, 5 * time.Second, 60 * time.Second}, // the Server's defaults
		{"other.test", base, 7 * time.Second, 8 * time.Second},
		{"own.test", base, 3 * time.Second, 4 * time.Second},
	} {
		srv := &Server{
			KeepAlive: true,
			Handler:   http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}),
			Identify: func(_ *Conn, r *http.Request) *Identity {
				if r.Host == "own.test" {
					return own
				}
				return other
			},
		}
		if c.base != nil {
			srv.BaseIdentity = func(*Conn) *Identity { return c.base }
		}
		client, server := net.Pipe()
		hc := srv.NewConn(server)
		go func() {
			io.WriteString(client, "GET / HTTP/1.1\r\nHost: "+c.host+"\r\n\r\n")
			io.Copy(io.Discard, client)
		}()
		if keep, err := hc.ServeRequest(); !keep || err != nil {
			t.Fatalf("%s: keep %v, %v", c.host, keep, err)
		}
		if idle, write := hc.WaitTimeouts(); idle != c.idle || write != c.write {
			t.Errorf("%s (base %v): WaitTimeouts %v, %v; want %v, %v", c.host, c.base != nil, idle, write, c.idle, c.write)
		}
		hc.Close()
		client.Close()
	}
}
