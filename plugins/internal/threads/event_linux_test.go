package threads

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
)

// TestLoopProgress: an event child's loop counts as progressing (for the
// heartbeat, mpm.Child.WatchProgress) while it waits for events, however
// long, and while its current turn is younger than the hang timeout; a
// turn that does not end (here: the loop blocked on its lock after a
// connection woke it) stops counting, and counts again once it ends.
func TestLoopProgress(t *testing.T) {
	c := &mpm.Child{
		Config: &mpm.Config{Core: mpm.Core{DocumentRoot: t.TempDir(), KeepAlive: true}},
		Log:    hclog.NewNullLogger(),
	}
	tcpAddr, l, stop := startChild(t, c, 2)
	addr := tcpAddr.String()
	const stuck = time.Minute
	late := func() time.Time { return time.Now().Add(2 * stuck) }
	defer func() {
		stop()
		// Done (a draining child's workers may go on) is not stuck.
		if !l.progressing(late(), stuck) {
			t.Error("a loop that returned counts as stuck")
		}
	}()
	if !testbin.Eventually(10*time.Second, func() bool { return l.progressing(late(), stuck) }) {
		t.Fatal("a loop waiting for events does not count as progressing")
	}
	l.mu.Lock()
	conn, err := net.Dial("tcp4", addr) // wakes the loop, which then waits for its lock
	if err != nil {
		l.mu.Unlock()
		t.Fatal(err)
	}
	defer conn.Close()
	stalled := testbin.Eventually(10*time.Second, func() bool { return !l.progressing(late(), stuck) })
	young := l.progressing(time.Now(), stuck)
	l.mu.Unlock()
	if !stalled {
		t.Fatal("a loop whose turn never ends counts as progressing")
	}
	if !young {
		t.Error("a turn younger than the hang timeout does not count as progressing")
	}
	if !testbin.Eventually(10*time.Second, func() bool { return l.progressing(late(), stuck) }) {
		t.Error("the loop does not count as progressing once its turn ended")
	}
}

// startChild runs c as an event child (Serve with Park and workers) in
// this process, listening on a new loopback socket; it returns the
// socket's address, the child's loop once it runs, and what stops the
// child gracefully and checks what Serve returned.
func startChild(tb testing.TB, c *mpm.Child, workers int) (*net.TCPAddr, *loop, func()) {
	tb.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	f, err := ln.(*net.TCPListener).File()
	ln.Close()
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	c.Listeners = []mpm.Listener{{Name: addr.String(), Network: "tcp4", Address: addr.String(), File: f}}
	loops := make(chan *loop, 1)
	testLoop = func(l *loop) {
		if testWrapPoller != nil {
			l.poll = testWrapPoller(l.poll)
		}
		loops <- l
	}
	defer func() { testLoop = nil }()
	served := make(chan error, 1)
	go func() { served <- Serve(c, Options{Workers: workers, Park: true}) }()
	select {
	case l := <-loops:
		return addr, l, func() {
			l.ch.gracefulStop()
			if err := <-served; err != nil {
				tb.Errorf("Serve: %v", err)
			}
		}
	case err := <-served:
		tb.Fatalf("Serve returned %v before its loop ran", err)
	}
	return nil, nil, nil
}

// testWrapPoller, if set, wraps the poller of the loop startChild starts
// (before the loop runs).
var testWrapPoller func(poller) poller

// countingPoller counts the arms of connections (not of listeners).
type countingPoller struct {
	poller
	arms atomic.Int32
}

func (p *countingPoller) arm(fd int, in interest, tag int32, added bool) error {
	if tag >= 0 {
		p.arms.Add(1)
	}
	return p.poller.arm(fd, in, tag, added)
}

// TestParkStaysArmed: a keep-alive connection served and parked again is
// not armed again in the loop's poller (edge-triggered, it still is): one
// arm for its first park, none for the next ones, so that a keep-alive
// request costs no epoll_ctl. Bytes that arrive while a worker has it (a
// request body) quiet it until its next park, which arms it again: the
// request after them is still served at once.
func TestParkStaysArmed(t *testing.T) {
	counter := &countingPoller{}
	testWrapPoller = func(p poller) poller { counter.poller = p; return counter }
	defer func() { testWrapPoller = nil }()
	conn, br, l := helloConn(t, time.Minute)
	// Well before KeepAliveTimeout, whose last look (closeParkedLocked)
	// would serve a request the park failed to report.
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	parked := func() bool { return parkedOne(l) }
	get := func(i int) {
		t.Helper()
		if _, err := io.WriteString(conn, "GET /f.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		readResponse(t, br, i, "hello\n")
		if !testbin.Eventually(10*time.Second, parked) {
			t.Fatalf("request %d: the connection was not parked after its response", i)
		}
	}
	const n = 5
	for i := range n {
		get(i)
	}
	want := int32(n) // one-shot: armed at every park
	if parkMode&edge != 0 {
		want = 1 // its first park only
	}
	if got := counter.arms.Load(); got != want {
		t.Errorf("%d keep-alive requests on one connection: %d arms; want %d (parkMode %d)", n, got, want, parkMode)
	}
	// A body that comes once a worker has the connection.
	if _, err := io.WriteString(conn, "POST /f.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if !testbin.Eventually(10*time.Second, func() bool { return !parked() }) {
		t.Fatal("the connection was not taken from the park for its request")
	}
	if _, err := io.WriteString(conn, "hello"); err != nil {
		t.Fatal(err)
	}
	readResponse(t, br, n, "")
	if !testbin.Eventually(10*time.Second, parked) {
		t.Fatal("the connection was not parked after the POST")
	}
	get(n + 1)
}

// helloConn starts a keep-alive child of 2 workers serving /f.txt
// ("hello\n") with KeepAliveTimeout ka (0: the default) and returns a
// connection to it, its reader and the child's loop; all end with the test.
func helloConn(t *testing.T, ka time.Duration) (net.Conn, *bufio.Reader, *loop) {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "f.txt"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &mpm.Child{
		Config: &mpm.Config{Core: mpm.Core{DocumentRoot: root, KeepAlive: true, KeepAliveTimeout: ka, ServerName: "127.0.0.1"}},
		Log:    hclog.NewNullLogger(),
	}
	addr, l, stop := startChild(t, c, 2)
	t.Cleanup(stop)
	conn, err := net.Dial("tcp4", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, bufio.NewReader(conn), l
}

// parkedOne reports whether l has exactly one connection parked.
func parkedOne(l *loop) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.parked == 1
}

// readResponse reads one response from br and checks it is a 2xx or, when
// body is empty, any status with a Content-Length body; else its body.
func readResponse(t *testing.T, br *bufio.Reader, i int, body string) {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("request %d: %v", i, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("request %d: body: %v", i, err)
	}
	if body != "" && (resp.StatusCode != http.StatusOK || string(b) != body) {
		t.Fatalf("request %d: %d %q; want 200 %q", i, resp.StatusCode, b, body)
	}
}

// TestLoopWaitClasses: parked connections are kept in one set of lists per
// distinct pair of timeouts (http1.Conn.WaitTimeouts, which a virtual
// host's KeepAliveTimeout sets), shared by the connections with the same
// values; each list expires at its own KeepAliveTimeout (the loop's clock
// is given, not waited for): the short ones close while the long one stays
// parked, through its detach (hot to cold), until its own expiry.
func TestLoopWaitClasses(t *testing.T) {
	ch := &child{srv: &http1.Server{KeepAlive: true}, log: func(string, ...any) {}, debug: func(string, ...any) {}, stop: make(chan struct{})}
	l, err := newLoop(ch, nil, func() {})
	if err != nil {
		t.Fatal(err)
	}
	defer l.poll.close()
	ch.loop = l
	short := &http1.Server{KeepAlive: true, KeepAliveTimeout: time.Second}
	long := &http1.Server{KeepAlive: true, KeepAliveTimeout: 30 * time.Second}
	type parked struct {
		fd     int32
		client net.Conn
	}
	park := func(srv *http1.Server) parked {
		c, client := pair(t)
		ch.opened()
		if err := l.park(srv.NewConn(c), c); err != nil {
			t.Fatal(err)
		}
		return parked{int32(c.fd), client}
	}
	s1, lg, s2 := park(short), park(long), park(short)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.classes) != 2 || l.slots[s1.fd].class != l.slots[s2.fd].class || l.slots[s1.fd].class == l.slots[lg.fd].class {
		t.Fatalf("%d classes; classes of short, long, short: %d, %d, %d", len(l.classes),
			l.slots[s1.fd].class, l.slots[lg.fd].class, l.slots[s2.fd].class)
	}
	if l.parked != 3 {
		t.Errorf("parked %d, want 3", l.parked)
	}
	at := l.slots[s2.fd].since + int64(time.Second) // the last short one's expiry
	l.detachLocked(at)
	l.expireAllLocked(at)
	for _, p := range []parked{s1, s2} {
		if st := l.slots[p.fd].state; st != lingering {
			t.Errorf("a short one is in state %d at its expiry, want lingering (closed)", st)
		}
		p.client.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := p.client.Read(make([]byte, 1)); err != io.EOF {
			t.Errorf("a short one's client reads %v, want EOF", err)
		}
	}
	if st := l.slots[lg.fd].state; st != cold || l.parked != 1 {
		t.Fatalf("the long one is in state %d (want cold), %d parked", st, l.parked)
	}
	l.expireAllLocked(l.slots[lg.fd].since + int64(30*time.Second) - 1)
	if st := l.slots[lg.fd].state; st != cold {
		t.Errorf("the long one closed before its KeepAliveTimeout")
	}
	// Its expiry (lingering close; the given clock is past the linger too).
	l.expireAllLocked(l.slots[lg.fd].since + int64(30*time.Second))
	lg.client.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := lg.client.Read(make([]byte, 1)); err != io.EOF || l.parked != 0 {
		t.Errorf("at its expiry the long one's client reads %v (want EOF), %d parked", err, l.parked)
	}
}

// TestLoopStoppingKeepsCold: when a readable connection finds every worker
// busy, a running child closes its cold parked connections (Apache's
// "kill'em all"), but a stopping child keeps them until their drain ends
// (http1.DrainIdle after the stop): their clients may still send one
// request, and one that stalled past hotHold is sending it now.
func TestLoopStoppingKeepsCold(t *testing.T) {
	ch := &child{srv: &http1.Server{KeepAlive: true, KeepAliveTimeout: time.Hour}, log: func(string, ...any) {}, debug: func(string, ...any) {}, stop: make(chan struct{})}
	// No idle worker: ch.idle is nil, so a readable connection finds every
	// worker busy.
	l, err := newLoop(ch, nil, func() {})
	if err != nil {
		t.Fatal(err)
	}
	defer l.poll.close()
	ch.loop = l
	l.hotHold = 0 // a parked connection is cold at the next detach
	// park parks a connection and makes it cold (l.mu not held).
	park := func() (int32, net.Conn) {
		c, client := pair(t)
		ch.opened()
		if err := l.park(ch.srv.NewConn(c), c); err != nil {
			t.Fatal(err)
		}
		fd := int32(c.fd)
		l.mu.Lock()
		defer l.mu.Unlock()
		l.detachLocked(l.now())
		if st := l.slots[fd].state; st != cold {
			t.Fatalf("a parked connection is in state %d after hotHold, want cold", st)
		}
		return fd, client
	}
	// closed reports whether the server's end of stream reaches client.
	closed := func(client net.Conn) bool {
		client.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err := client.Read(make([]byte, 1))
		return err == io.EOF
	}
	reader, _ := park()
	l.mu.Lock()
	l.unlink(reader)
	l.link(reader, pending) // its request arrived; no worker takes it
	l.mu.Unlock()

	running, runningClient := park()
	l.mu.Lock()
	l.turnLocked(nil)
	st := l.slots[running].state
	l.mu.Unlock()
	if st != lingering || !closed(runningClient) {
		t.Errorf("a running child with every worker busy left its cold connection in state %d, want lingering (closed)", st)
	}

	stopping, stoppingClient := park()
	l.mu.Lock()
	defer l.mu.Unlock()
	close(ch.stop)
	l.stopLocked()
	l.stopAt = l.now() + int64(time.Hour) // the drain does not end during the test
	l.turnLocked(nil)
	if st := l.slots[stopping].state; st != cold {
		t.Errorf("a stopping child with every worker busy left its cold connection in state %d, want cold (kept for its drain)", st)
	}
	if st := l.slots[reader].state; st != pending {
		t.Errorf("the readable connection is in state %d, want pending", st)
	}
	l.expireAllLocked(l.stopAt + int64(http1.DrainIdle))
	if !closed(stoppingClient) {
		t.Errorf("at the end of the drain the cold connection is not closed (state %d)", l.slots[stopping].state)
	}
}

// TestPollerWaitAllocatesNothing: a wait that finds nothing ready parks in
// Go's netpoller until its timeout without allocating (the loop's turns
// wait so about once per connection on a busy child), and a wake-up ends
// the next wait with its event.
func TestPollerWaitAllocatesNothing(t *testing.T) {
	p, err := newPoller()
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	if p.(*epoller).conn == nil {
		t.Fatal("the poller's set is not in Go's netpoller")
	}
	evs := make([]pollEvent, 8)
	p.wait(evs, 1)
	if n := testing.AllocsPerRun(20, func() {
		if n, err := p.wait(evs, 1); n != 0 || err != nil {
			t.Fatalf("wait on an empty set: %d events, %v", n, err)
		}
	}); n != 0 {
		t.Errorf("a wait allocates %v times; want 0", n)
	}
	p.wake()
	if n, err := p.wait(evs, 1000); n != 1 || err != nil || evs[0].tag != padWake {
		t.Errorf("wait after wake: %d events (%v), %v; want the wake-up", n, evs[:max(n, 0)], err)
	}
}

// TestMostRecentIdleWorkerServes: a connection goes to the worker that
// became idle last, so that one worker serves connections that come one
// at a time (its stack and data warm), not every worker in turn.
func TestMostRecentIdleWorkerServes(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "f.txt"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const workers = 4
	board, err := scoreboard.Create(1, workers)
	if err != nil {
		t.Fatal(err)
	}
	// Not closed: the child's workers, which hold their records, outlive
	// its Serve in this process.
	c := &mpm.Child{
		Config:     &mpm.Config{Core: mpm.Core{DocumentRoot: root, KeepAlive: true, ServerName: "127.0.0.1"}},
		Log:        hclog.NewNullLogger(),
		Scoreboard: board,
	}
	addr, l, stop := startChild(t, c, workers)
	defer stop()
	const n = 12
	for i := range n {
		// Every worker idle again (the last one's token back) before the next.
		if !testbin.Eventually(10*time.Second, func() bool { return len(l.ch.idle) == workers }) {
			t.Fatalf("request %d: the workers did not all become idle", i)
		}
		conn, err := net.Dial("tcp4", addr.String())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(conn, "GET /f.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := io.ReadAll(conn)
		conn.Close()
		if err != nil || !bytes.HasPrefix(resp, []byte("HTTP/1.1 200 ")) {
			t.Fatalf("request %d: %q, %v", i, resp, err)
		}
	}
	var got []uint64
	for i := range workers {
		got = append(got, board.Worker(0, i).Info().MyAccesses)
	}
	if got[0] != n {
		t.Errorf("requests served by each worker: %v; want all %d by worker 0", got, n)
	}
}

// TestPipelinedAfterFullRead: a request that is in the socket when the
// worker's last read of the request before it filled its buffer (which
// ends exactly at that request's end) is answered at once after the park,
// not when KeepAliveTimeout (60 s here) ends the wait: an edge-triggered
// park that skipped epoll_ctl saw no new edge for it. Each case parks the
// connection, then sends its request and a GET in one write: a request of
// exactly the engine's read buffer, a body read to its Content-Length, a
// request whose headers and body fill the buffer, a chunked body whose end
// ends the buffer; and two requests that one read takes (the second is
// served from the buffer, with no park and no wake-up).
func TestPipelinedAfterFullRead(t *testing.T) {
	const buf = 4096 // http1's read buffer
	get := "GET /f.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
	chunked := func(total int) string {
		head := "POST /f.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		n := total - len(head) - len("400\r\n\r\n0\r\n\r\n")
		return head + fmt.Sprintf("%x\r\n", n) + strings.Repeat("x", n) + "\r\n0\r\n\r\n"
	}
	for _, tc := range []struct{ name, req string }{
		{"request of the buffer's size", padRequest("GET", "", buf)},
		{"body read to its Content-Length", "GET /f.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 8192\r\n\r\n" + strings.Repeat("x", 8192)},
		{"headers and body filling the buffer", padRequest("POST", strings.Repeat("b", 1000), buf)},
		{"chunked body ending the buffer", chunked(buf)},
		{"two requests in one read", get},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if strings.HasSuffix(tc.name, "buffer") && len(tc.req) != buf {
				t.Fatalf("a request of %d bytes; want %d", len(tc.req), buf)
			}
			conn, br, l := helloConn(t, time.Minute)
			if _, err := io.WriteString(conn, get); err != nil {
				t.Fatal(err)
			}
			readResponse(t, br, 0, "hello\n")
			if !testbin.Eventually(10*time.Second, func() bool { return parkedOne(l) }) {
				t.Fatal("the connection was not parked after its first response")
			}
			if _, err := io.WriteString(conn, tc.req+get); err != nil {
				t.Fatal(err)
			}
			conn.SetReadDeadline(time.Now().Add(20 * time.Second)) // well before KeepAliveTimeout
			readResponse(t, br, 1, "")
			readResponse(t, br, 2, "hello\n")
		})
	}
}

// padRequest is a request for /f.txt with body (and its Content-Length if
// any), padded with a header to total bytes.
func padRequest(method, body string, total int) string {
	head := method + " /f.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	if body != "" {
		head += fmt.Sprintf("Content-Length: %d\r\n", len(body))
	}
	head += "X-Pad: "
	return head + strings.Repeat("p", total-len(head)-len("\r\n\r\n")-len(body)) + "\r\n\r\n" + body
}

// TestStaleWakeParksAgain: a parked connection reported readable for bytes
// that its last request's reads took already (an edge-triggered park may
// report them only after the park; here the loop is handed such an event)
// goes back to the park at once, its worker free, instead of holding that
// worker until the client's next request; that request is then served.
func TestStaleWakeParksAgain(t *testing.T) {
	conn, br, l := helloConn(t, time.Minute)
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(conn, "GET /f.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	readResponse(t, br, 0, "hello\n")
	if !testbin.Eventually(10*time.Second, func() bool { return parkedOne(l) }) {
		t.Fatal("the connection was not parked after its response")
	}
	l.mu.Lock()
	fd := -1
	for i := range l.slots {
		if s := &l.slots[i]; s.state == hot || s.state == cold {
			fd = i
		}
	}
	if fd < 0 {
		l.mu.Unlock()
		t.Fatal("no parked slot")
	}
	l.turnLocked([]pollEvent{{fd: int32(fd), tag: l.slots[fd].seq}}) // a wake-up with nothing to read
	taken := l.parked == 0
	l.mu.Unlock()
	if !taken {
		t.Fatal("the event did not take the connection from the park")
	}
	if !testbin.Eventually(10*time.Second, func() bool { return parkedOne(l) && len(l.ch.idle) == 2 }) {
		t.Fatal("the connection woken with nothing to read was not parked again, its worker free")
	}
	if _, err := io.WriteString(conn, "GET /f.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	readResponse(t, br, 1, "hello\n")
}

// TestParkedHalfCloseClosed: a keep-alive client that sends its next
// request with its FIN (data and FIN in one segment: TCP_CORK, write,
// shutdown) gets its answer and then the server's end of stream at once,
// not after KeepAliveTimeout (60 s here): a read that returns data leaves the
// FIN behind it, so the park must arm again (review19).
func TestParkedHalfCloseClosed(t *testing.T) {
	conn, br, l := helloConn(t, time.Minute)
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	get := "GET /f.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
	if _, err := io.WriteString(conn, get); err != nil {
		t.Fatal(err)
	}
	readResponse(t, br, 0, "hello\n")
	if !testbin.Eventually(10*time.Second, func() bool { return parkedOne(l) }) {
		t.Fatal("not parked")
	}
	rc, _ := conn.(syscall.Conn).SyscallConn()
	rc.Control(func(fd uintptr) { unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_CORK, 1) })
	if _, err := io.WriteString(conn, get); err != nil {
		t.Fatal(err)
	}
	conn.(*net.TCPConn).CloseWrite()
	readResponse(t, br, 1, "hello\n")
	start := time.Now()
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("after %v: %v; want the server's end of stream", time.Since(start), err)
	}
}
