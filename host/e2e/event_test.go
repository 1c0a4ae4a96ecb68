package e2e_test

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The event MPM's keep-alive handling: idle connections parked without a
// worker, KeepAliveTimeout, Apache's accept throttling and its closing of
// keep-alive connections when every worker is busy, the async connection
// counters of server-status, and Timeout for a client that stops reading.

// eventSite is an event site with server-status; extra follows the
// defaults (2 children × 4 threads), so its directives win.
func eventSite(t *testing.T, extra string) string {
	return newSite(t, "event", "mpm_event_module", statusLocation+"LogLevel debug\n"+extra)
}

// oneChild is the MPM part of a site with one child of n workers.
func oneChild(n int) string {
	return fmt.Sprintf("StartServers 1\nServerLimit 1\nThreadsPerChild %d\nThreadLimit %[1]d\nMinSpareThreads 1\nMaxSpareThreads %d\nMaxRequestWorkers %[1]d\n", n, n+1)
}

// idleConn is a keep-alive connection that got one answer and is idle.
type idleConn struct {
	net.Conn
	br *bufio.Reader
}

func openIdle(t *testing.T, in *instance) *idleConn {
	t.Helper()
	c, err := net.Dial("tcp", in.addr)
	must(t, err)
	ic := &idleConn{Conn: c, br: bufio.NewReader(c)}
	if code, err := ic.get("/hello.txt"); err != nil || code != 200 {
		c.Close()
		t.Fatalf("keep-alive request: %d %v", code, err)
	}
	return ic
}

// get sends a request on the connection and reads the whole answer.
func (c *idleConn) get(path string) (int, error) {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	if resp.Close {
		return resp.StatusCode, errors.New("the server closed the connection")
	}
	return resp.StatusCode, nil
}

// closedByServer waits (bounded) for the server to close c: EOF or a reset.
func closedByServer(c net.Conn, limit time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(limit))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// errorLogHas polls the error log for a line containing s.
func (in *instance) errorLogHas(s string, limit time.Duration) bool {
	return eventually(limit, func() bool {
		b, _ := os.ReadFile(filepath.Join(in.root, "logs/error_log"))
		return strings.Contains(string(b), s)
	})
}

// TestEventHoldsIdleKeepAlive: 2,000 idle keep-alive connections on 8
// workers; a new client is served meanwhile, ConnsAsyncKeepAlive counts
// them all, and every one of them answers again afterwards.
func TestEventHoldsIdleKeepAlive(t *testing.T) {
	const n = 2000
	in := start(t, eventSite(t, "KeepAliveTimeout 60\nAsyncRequestWorkerFactor 1000\n"))
	conns := make([]*idleConn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		conns = append(conns, openIdle(t, in))
	}
	if resp, _ := in.get("/hello.txt", "Connection", "close"); resp.StatusCode != 200 {
		t.Fatalf("a new client with %d idle connections: %d", n, resp.StatusCode)
	}
	waitFor(t, "ConnsAsyncKeepAlive counting every idle connection", 10*time.Second, func() (bool, string) {
		a := in.auto()
		return a.int("ConnsAsyncKeepAlive") == n && a.int("ConnsTotal") >= n,
			fmt.Sprintf("ConnsTotal %s, ConnsAsyncKeepAlive %s", a.values["ConnsTotal"], a.values["ConnsAsyncKeepAlive"])
	})
	for i, c := range conns {
		if code, err := c.get("/hello.txt"); err != nil || code != 200 {
			t.Fatalf("idle connection %d afterwards: %d %v", i, code, err)
		}
	}
	for _, c := range conns {
		c.Close()
	}
	conns = nil
	waitFor(t, "the counters back to the status request alone", 10*time.Second, func() (bool, string) {
		a := in.auto()
		return a.int("ConnsAsyncKeepAlive") == 0 && a.int("ConnsTotal") <= 1,
			fmt.Sprintf("ConnsTotal %s, ConnsAsyncKeepAlive %s", a.values["ConnsTotal"], a.values["ConnsAsyncKeepAlive"])
	})
}

// TestEventKeepAliveTimeout: parked connections are closed by the server
// once idle for KeepAliveTimeout, whether still whole or already reduced
// to their descriptor.
func TestEventKeepAliveTimeout(t *testing.T) {
	in := start(t, eventSite(t, "KeepAliveTimeout 1\n"))
	var conns []*idleConn
	for range 20 {
		conns = append(conns, openIdle(t, in))
	}
	for i, c := range conns {
		if !closedByServer(c, 15*time.Second) {
			t.Errorf("idle connection %d still open", i)
		}
		c.Close()
	}
	waitFor(t, "no parked connection left", 10*time.Second, func() (bool, string) {
		a := in.auto()
		return a.int("ConnsAsyncKeepAlive") == 0, "ConnsAsyncKeepAlive " + a.values["ConnsAsyncKeepAlive"]
	})
}

// TestEventAcceptThrottle: one child of 2 workers with
// AsyncRequestWorkerFactor 1 takes connections while it has fewer than
// 2 + idle workers × 1 (at most 4), then stops accepting; it accepts again
// once they are fewer than 2 + (2 − 1) × 1 (Apache's
// connections_above_limit, with its debug messages).
func TestEventAcceptThrottle(t *testing.T) {
	in := start(t, eventSite(t, oneChild(2)+"AsyncRequestWorkerFactor 1\nKeepAliveTimeout 60\n"))
	var held []*idleConn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	// Open keep-alive connections until one is not answered because the
	// child says it is full.
	var waiting *idleConn
	for waiting == nil {
		if len(held) > 4 {
			t.Fatalf("the child took %d connections; the limit is 4", len(held)+1)
		}
		c, err := net.Dial("tcp", in.addr)
		must(t, err)
		ic := &idleConn{Conn: c, br: bufio.NewReader(c)}
		fmt.Fprintf(c, "GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
		full := fmt.Sprintf("Too many open connections (%d), not accepting new conns in this process", len(held))
		answered := false
		if !eventually(10*time.Second, func() bool {
			c.SetReadDeadline(time.Now().Add(time.Millisecond))
			if _, err := ic.br.Peek(1); err == nil {
				answered = true
			}
			return answered || in.errorLogHas(full, 0)
		}) {
			c.Close()
			t.Fatalf("connection %d neither answered nor refused by the limit", len(held)+1)
		}
		c.SetReadDeadline(time.Time{})
		if !answered {
			waiting = ic
			break
		}
		resp, err := http.ReadResponse(ic.br, nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("connection %d: %v %v", len(held)+1, resp, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		held = append(held, ic)
	}
	defer waiting.Close()
	if len(held) < 2 {
		t.Fatalf("the child stopped accepting at %d connections", len(held))
	}
	// Below ThreadsPerChild + (idle workers − 1) × factor = 3 it accepts again.
	for len(held) > 2 {
		held[0].Close()
		held = held[1:]
	}
	waiting.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(waiting.br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the waiting connection after some closed: %v %v", resp, err)
	}
	if !in.errorLogHas("AH00457: Accepting new connections again", 10*time.Second) {
		t.Error("the child did not say it accepts again")
	}
	for i, h := range held {
		if code, err := h.get("/hello.txt"); err != nil || code != 200 {
			t.Errorf("held connection %d: %d %v", i, code, err)
		}
	}
}

// TestEventBusyClosesKeepAlive: when every worker is busy and a connection
// wants one, the child closes its idle keep-alive connections (Apache:
// "will shutdown N keep-alive connections"); a readable keep-alive
// connection waits for the next free worker.
func TestEventBusyClosesKeepAlive(t *testing.T) {
	// Two workers: with one, Apache's hysteresis (idle workers − 1 once
	// not accepting) would keep the child from accepting until every
	// connection closed.
	const notAccepting = "All workers busy, not accepting new conns in this process"
	var in *instance
	var idle, next *idleConn
	var pins []net.Conn
	for attempt := 1; ; attempt++ {
		in = start(t, eventSite(t, oneChild(2)+"KeepAliveTimeout 60\nTimeout 30\n"))
		idle, next = openIdle(t, in), openIdle(t, in)
		pins = []net.Conn{holdWorker(t, in), holdWorker(t, in)} // each: a worker reads an unfinished head
		// The parent sees no idle worker on the scoreboard and cannot
		// start another child.
		if !in.errorLogHas("AH00484: server reached MaxRequestWorkers setting", 10*time.Second) {
			t.Fatal("the workers never got busy")
		}
		if !in.errorLogHas(notAccepting, 0) {
			break // each pin holds a worker
		}
		// A pin came while the worker that answered next was still
		// parking it: the child stopped accepting, and the hysteresis
		// (both workers idle before it accepts again with 3 connections)
		// left the other pin in the backlog, as Apache's would. Again,
		// on a new server.
		t.Logf("attempt %d: a pin waited in the backlog; again", attempt)
		for _, c := range append(pins, idle, next) {
			c.Close()
		}
		in.srv.Terminate(10 * time.Second)
		if attempt == 5 {
			t.Fatalf("in %d attempts, a pin never got the second worker", attempt)
		}
	}
	for _, c := range append(pins, idle, next) {
		defer c.Close()
	}
	fmt.Fprintf(next, "GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
	if !closedByServer(idle, 10*time.Second) {
		t.Fatal("the idle keep-alive connection stayed open with every worker busy")
	}
	if !in.errorLogHas("keep-alive connections", 10*time.Second) {
		t.Error("no debug message for the closed keep-alive connections")
	}
	for _, pin := range pins {
		fmt.Fprintf(pin, "\r\n") // the head ends: the worker answers and is free
		pin.SetReadDeadline(time.Now().Add(10 * time.Second))
		if resp, err := http.ReadResponse(bufio.NewReader(pin), nil); err != nil || resp.StatusCode != 200 {
			t.Fatalf("pinning request: %v %v", resp, err)
		}
	}
	// Usually next was parked with its request when the workers were
	// found busy and is answered now. If a pinning connection came while a
	// worker was between parking next and being free again, that already
	// counted as busy (in Apache too) and closed next with idle.
	next.SetReadDeadline(time.Now().Add(10 * time.Second))
	if resp, err := http.ReadResponse(next.br, nil); err == nil && resp.StatusCode != 200 {
		t.Fatalf("the readable keep-alive connection: %d", resp.StatusCode)
	} else if err != nil && !closedByServer(next, 0) {
		t.Fatalf("the readable keep-alive connection: %v", err)
	}
}

// lingeringConn starts an event server with one child of one worker and
// returns a connection it has answered and lingers on, plain or over TLS:
// its response is read to the end of stream (TLS: close_notify), the
// client neither sends nor closes.
func lingeringConn(t *testing.T, overTLS bool) (*instance, net.Conn) {
	t.Helper()
	// KeepAlive Off: the server closes a connection the client meant to keep,
	// so it lingers (a client that asked for the close is not lingered on).
	const off = "KeepAlive Off\n"
	var in *instance
	var c net.Conn
	if overTLS {
		root, addr := tlsEventSite(t, 1, "5", off)
		in = start(t, root)
		tc, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr,
			&tls.Config{ServerName: "localhost", InsecureSkipVerify: true})
		must(t, err)
		c = tc
	} else {
		in = start(t, eventSite(t, oneChild(1)+off))
		var err error
		c, err = net.Dial("tcp", in.addr)
		must(t, err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if b, err := io.ReadAll(c); err != nil || !strings.Contains(string(b), "hello, world") {
		t.Fatalf("response: %q %v", b, err) // the server shut its side down: EOF (over TLS at close_notify)
	}
	return in, c
}

// TestEventLingeringCloseHoldsNoWorker: after a response that closes the
// connection, the lingering close (discarding what the client still sends
// until it closes, at most 2 s) is the listener's, over TLS too: with the
// only worker free, server-status is answered and counts the connection in
// ConnsAsyncClosing.
func TestEventLingeringCloseHoldsNoWorker(t *testing.T) {
	for _, overTLS := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "TLS"}[overTLS], func(t *testing.T) {
			in, _ := lingeringConn(t, overTLS)
			// The client neither closes nor sends: the server lingers, while
			// the status request has the only worker.
			waitFor(t, "the connection lingering", 10*time.Second, func() (bool, string) {
				a := in.auto()
				return a.int("ConnsAsyncClosing") == 1 && a.int("ConnsTotal") == 2,
					fmt.Sprintf("ConnsAsyncClosing %s, ConnsTotal %s", a.values["ConnsAsyncClosing"], a.values["ConnsTotal"])
			})
			// At most 2 s later it is closed.
			waitFor(t, "nothing lingering", 10*time.Second, func() (bool, string) {
				a := in.auto()
				return a.int("ConnsAsyncClosing") == 0 && a.int("ConnsTotal") == 1,
					fmt.Sprintf("ConnsAsyncClosing %s, ConnsTotal %s", a.values["ConnsAsyncClosing"], a.values["ConnsTotal"])
			})
		})
	}
}

// TestEventTimeoutStalledReader: a client that stops reading a large
// response is cut off after Timeout, and the connection is counted out.
func TestEventTimeoutStalledReader(t *testing.T) {
	root := eventSite(t, "Timeout 2\n")
	f, err := os.Create(filepath.Join(root, "htdocs/huge.bin"))
	must(t, err)
	must(t, f.Truncate(256<<20)) // sparse: more than any socket buffer
	f.Close()
	in := start(t, root)
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) {
			syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
	}}
	c, err := d.Dial("tcp", in.addr)
	must(t, err)
	defer c.Close()
	fmt.Fprintf(c, "GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err != nil {
		t.Fatal("no response:", err)
	}
	// The client reads no more: the server must give up after Timeout.
	waitFor(t, "the stalled connection closed", 30*time.Second, func() (bool, string) {
		a := in.auto()
		return a.int("ConnsTotal") <= 1, "ConnsTotal " + a.values["ConnsTotal"]
	})
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	n, _ := io.Copy(io.Discard, c)
	if n >= 256<<20 {
		t.Fatalf("the client got the whole file (%d bytes) without reading", n)
	}
}

// TestEventGracefulStopShortensLinger: a graceful stop (WINCH) ends a
// lingering close 2 s (http1.LingerTimeout) after it began even if the
// client keeps trickling bytes, as apache2 event ("Dying, force short
// timeout"), instead of holding the stop up until the 30 s limit; over TLS
// too (a worker lingered on TLS connections itself, for 30 s).
func TestEventGracefulStopShortensLinger(t *testing.T) {
	for _, overTLS := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "TLS"}[overTLS], func(t *testing.T) {
			gracefulStopShortensLinger(t, overTLS)
		})
	}
}

func gracefulStopShortensLinger(t *testing.T, overTLS bool) {
	in, c := lingeringConn(t, overTLS)
	// A byte every 0.5 s: LingerTimeout never passes without one.
	stop := make(chan struct{})
	trickled := make(chan error, 1)
	go func() {
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				trickled <- nil
				return
			case <-tick.C:
			}
			if _, err := c.Write([]byte("x")); err != nil {
				trickled <- err
				return
			}
		}
	}()
	defer func() { close(stop); <-trickled }()
	waitFor(t, "the connection lingering", 10*time.Second, func() (bool, string) {
		a := in.auto()
		return a.int("ConnsAsyncClosing") == 1, "ConnsAsyncClosing " + a.values["ConnsAsyncClosing"]
	})
	in.signal(syscall.SIGWINCH)
	select {
	case <-in.done:
	case <-time.After(15 * time.Second):
		t.Fatal("the graceful stop did not end within 15 s of the signal: the trickling client holds it")
	}
	if code := in.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}
