package e2e_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tlsEventSite is an event site of one child with n workers, its plain port
// (in.addr, server-status) and a TLS virtual host on another port, returned.
// KeepAliveTimeout is ka and AsyncRequestWorkerFactor high, so that
// the child takes many idle connections; extra is added to the server config.
func tlsEventSite(t *testing.T, n int, ka, extra string) (root string, tlsAddr string) {
	t.Helper()
	port := freePorts(t, 1)[0]
	tlsAddr = "127.0.0.1:" + strconv.Itoa(port)
	root = eventSite(t, oneChild(n)+extra+"KeepAliveTimeout "+ka+"\nAsyncRequestWorkerFactor 100\n"+
		"Listen "+tlsAddr+"\n<VirtualHost *:"+strconv.Itoa(port)+">\n"+
		sslOn+"</VirtualHost>\n")
	tlsKeys(t, root)
	return root, tlsAddr
}

// openIdleTLS is a TLS keep-alive connection that got one answer and is idle.
func openIdleTLS(t *testing.T, addr string) *idleConn {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr,
		&tls.Config{ServerName: "localhost", InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("TLS to %s: %v", addr, err)
	}
	ic := &idleConn{Conn: c, br: bufio.NewReader(c)}
	if code, err := ic.get("/hello.txt"); err != nil || code != 200 {
		c.Close()
		t.Fatalf("keep-alive request over TLS: %d %v", code, err)
	}
	return ic
}

// TestEventTLSIdleHoldsNoWorker: 50 idle TLS keep-alive connections on a
// child of 4 workers; a new TLS client is served meanwhile (each idle
// connection held its worker before, so the new one waited), server-status
// counts them as parked, and each answers again afterwards (resumed with its
// TLS state, some after being reduced to their descriptor).
func TestEventTLSIdleHoldsNoWorker(t *testing.T) {
	const n = 50
	root, addr := tlsEventSite(t, 4, "60", "")
	in := start(t, root)
	conns := make([]*idleConn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		conns = append(conns, openIdleTLS(t, addr))
	}
	// A new TLS connection is served with every earlier one idle.
	done := make(chan error, 1)
	go func() {
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr,
			&tls.Config{ServerName: "localhost", InsecureSkipVerify: true})
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		ic := &idleConn{Conn: c, br: bufio.NewReader(c)}
		code, err := ic.get("/hello.txt")
		if err == nil && code != 200 {
			err = fmt.Errorf("status %d", code)
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("a new TLS client with %d idle TLS connections on 4 workers: %v", n, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("a new TLS client with %d idle TLS connections on 4 workers: no answer in 10 s", n)
	}
	waitFor(t, "ConnsAsyncKeepAlive counting every idle TLS connection", 10*time.Second, func() (bool, string) {
		a := in.auto()
		return a.int("ConnsAsyncKeepAlive") == n,
			fmt.Sprintf("ConnsTotal %s, ConnsAsyncKeepAlive %s", a.values["ConnsTotal"], a.values["ConnsAsyncKeepAlive"])
	})
	for i, c := range conns {
		if code, err := c.get("/hello.txt"); err != nil || code != 200 {
			t.Fatalf("idle TLS connection %d afterwards: %d %v", i, code, err)
		}
	}
}

// TestEventTLSPipelined: requests pipelined over TLS are answered in order,
// when several arrive in one TLS record that holds more than the engine's
// read buffer takes at once (what is left stays decrypted in the tls.Conn,
// which the socket does not show: the connection must not be parked then),
// and when they come one by one with the connection parked between them.
func TestEventTLSPipelined(t *testing.T) {
	root, addr := tlsEventSite(t, 4, "60", "")
	start(t, root)
	// Without dynamic record sizing, one write is one record (up to 16 KiB).
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr,
		&tls.Config{ServerName: "localhost", InsecureSkipVerify: true, DynamicRecordSizingDisabled: true})
	must(t, err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(c)
	// 96 requests of 128 bytes each, in one write (one 12 KiB record): the
	// engine's 4 KiB buffer ends on a request's end, with the rest decrypted
	// but unread in the tls.Conn.
	const n = 96
	paths, bodies := [2]string{"/hello.txt", "/sub/index.html"}, [2]string{"hello, world\n", "sub index\n"}
	var all strings.Builder
	for i := range n {
		req := fmt.Sprintf("GET %s?%03d HTTP/1.1\r\nHost: x\r\nX-Pad: ", paths[i%2], i)
		req += strings.Repeat("p", 128-len(req)-4) + "\r\n\r\n"
		if len(req) != 128 {
			t.Fatalf("request of %d bytes", len(req))
		}
		all.WriteString(req)
	}
	if _, err := io.WriteString(c, all.String()); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("answer %d of %d pipelined in one TLS record: %v", i+1, n, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || err != nil || string(body) != bodies[i%2] {
			t.Fatalf("answer %d, to %s: %d %q %v", i+1, paths[i%2], resp.StatusCode, body, err)
		}
	}
	// Then one at a time, parked in between: each answered, in order.
	ic := &idleConn{Conn: c, br: br}
	for i := range 3 {
		time.Sleep(300 * time.Millisecond) // past the loop's hot hold: detached
		if code, err := ic.get("/hello.txt?again" + strconv.Itoa(i)); err != nil || code != 200 {
			t.Fatalf("request %d after an idle wait: %d %v", i, code, err)
		}
	}
}

// TestEventTLSKeepAliveTimeout: a parked TLS connection idle for
// KeepAliveTimeout is closed with a close_notify alert before the end of
// stream, as apache2's mod_ssl does (and a TLS connection closed by its
// worker), whether it was still whole (a KeepAliveTimeout below the loop's
// hot hold of 200 ms) or reduced to its descriptor.
func TestEventTLSKeepAliveTimeout(t *testing.T) {
	for _, ka := range []string{"100ms", "1"} {
		t.Run(ka, func(t *testing.T) { tlsKeepAliveTimeout(t, ka) })
	}
}

func tlsKeepAliveTimeout(t *testing.T, ka string) {
	root, addr := tlsEventSite(t, 4, ka, "")
	start(t, root)
	raw, err := net.Dial("tcp", addr)
	must(t, err)
	cc := &countingConn{Conn: raw}
	c := tls.Client(cc, &tls.Config{ServerName: "localhost", InsecureSkipVerify: true})
	defer c.Close()
	ic := &idleConn{Conn: c, br: bufio.NewReader(c)}
	if code, err := ic.get("/hello.txt"); err != nil || code != 200 {
		t.Fatalf("keep-alive request over TLS: %d %v", code, err)
	}
	// The server's session tickets (TLS 1.3) follow the handshake, before
	// the answer: the bytes counted from here are those after the answer.
	before := cc.read
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = ic.br.ReadByte()
	if err != io.EOF {
		t.Fatalf("idle TLS connection after KeepAliveTimeout: %v, want the server's end of stream", err)
	}
	// A TLS 1.3 alert record: 5 header bytes, 2 of alert, 1 of type, 16 of tag.
	if got := cc.read - before; got != 24 {
		t.Errorf("%d bytes before the end of stream, want a close_notify alert (24)", got)
	}
}
