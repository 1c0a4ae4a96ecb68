package e2e_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// A graceful restart drops no request: the old generation stops accepting,
// but a keep-alive connection a client may be sending on is not closed
// under it (its next request is answered, with Connection: close), and an
// idle one is closed only after http1.DrainIdle (1 s), not KeepAliveTimeout.

// drainMPMs sizes each MPM for drainClients keep-alive clients: prefork and
// worker hold a process or thread per connection, so they get one for each
// client in each of two generations; event gets fewer workers than clients,
// so that its children often find every worker busy and close idle
// keep-alive connections (the close that must not hit a client's request).
const drainMPMs = `
<IfModule mpm_prefork_module>
    StartServers 10
    MinSpareServers 10
    MaxSpareServers 11
    ServerLimit 24
    MaxRequestWorkers 12
</IfModule>
<IfModule mpm_worker_module>
    StartServers 2
    ThreadsPerChild 8
    MinSpareThreads 16
    MaxSpareThreads 24
    ServerLimit 8
    MaxRequestWorkers 16
</IfModule>
<IfModule mpm_event_module>
    StartServers 2
    ThreadsPerChild 4
    MinSpareThreads 8
    MaxSpareThreads 13
    ServerLimit 8
    MaxRequestWorkers 8
</IfModule>
`

// drainStartServers is each MPM's StartServers in drainMPMs.
var drainStartServers = map[string]int{"prefork": 10, "worker": 2, "event": 2}

const drainClients = 8

// idleCloseAfter is the shortest keep-alive idle time after which a
// server of ours may close a connection: an event child with every worker
// busy closes those parked this long (hotHold in plugins/internal/threads).
const idleCloseAfter = 200 * time.Millisecond

// keepAliveLoad runs n clients, each sending requests back to back on its
// keep-alive connection until stop is closed. A connection the server ends
// with "Connection: close" is reopened; a request met by a close, a reset
// or a timeout is a failure, but for the keep-alive race that every server
// has and every HTTP client handles by retrying: a clean close, before any
// byte of the answer, of a reused connection on which the client had sent
// nothing for idleCloseAfter or more (counted in retried, and sent again on
// a new connection). A client of a loaded machine may be that slow: it did
// not read its last response for 224 ms once, under load 28 on 2 cores.
// It returns the answered requests, the retried ones and the failures (the
// first few described).
func keepAliveLoad(addr string, n int, stop <-chan struct{}) (ok, retried int64, failed []string) {
	return keepAliveLoadOn(func() (net.Conn, error) { return net.DialTimeout("tcp", addr, 10*time.Second) }, n, stop)
}

// keepAliveLoadOn is keepAliveLoad on the connections dial makes.
func keepAliveLoadOn(dial func() (net.Conn, error), n int, stop <-chan struct{}) (ok, retried int64, failed []string) {
	var okN, retriedN atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	req := []byte("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c *countingConn
			var br *bufio.Reader
			var sent int           // requests sent on c
			var lastSent time.Time // when the previous one was sent
			defer func() {
				if c != nil {
					c.Close()
				}
			}()
			fail := func(what string, err error) {
				mu.Lock()
				failed = append(failed, fmt.Sprintf("%s: %v", what, err))
				mu.Unlock()
				c.Close()
				c = nil
			}
			for {
				select {
				case <-stop:
					return
				default:
				}
				if c == nil {
					nc, err := dial()
					if err != nil {
						mu.Lock()
						failed = append(failed, fmt.Sprintf("connect: %v", err))
						mu.Unlock()
						time.Sleep(10 * time.Millisecond)
						continue
					}
					c, sent = &countingConn{Conn: nc}, 0
					br = bufio.NewReader(c)
				}
				c.SetDeadline(time.Now().Add(15 * time.Second))
				now, before := time.Now(), c.read
				idle := now.Sub(lastSent)
				sent++
				lastSent = now
				if _, err := c.Write(req); err != nil {
					fail("write", err)
					continue
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					if sent > 1 && c.read == before && errors.Is(err, io.ErrUnexpectedEOF) && idle >= idleCloseAfter {
						retriedN.Add(1) // closed as idle: sent again on a new connection
						c.Close()
						c = nil
						continue
					}
					fail(fmt.Sprintf("response head (request %d on the connection, %v after the previous)", sent, idle.Round(time.Millisecond)), err)
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil {
					fail("response body", err)
					continue
				}
				if resp.StatusCode != 200 {
					fail("status", fmt.Errorf("%d", resp.StatusCode))
					continue
				}
				okN.Add(1)
				if resp.Close {
					c.Close()
					c = nil
				}
			}
		}()
	}
	wg.Wait()
	return okN.Load(), retriedN.Load(), failed
}

// countingConn counts the bytes read from a connection.
type countingConn struct {
	net.Conn
	read int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read += int64(n)
	return n, err
}

// TestGracefulRestartKeepAliveRace: keep-alive clients send requests back
// to back through several graceful restarts; not one request fails, with
// any MPM, but for a client too slow to keep its connection (see
// keepAliveLoad).
func TestGracefulRestartKeepAliveRace(t *testing.T) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			in := start(t, newSite(t, m.Name, m.Module, drainMPMs+"KeepAliveTimeout 60\n"))
			first := in.pluginPid()
			stop := make(chan struct{})
			type result struct {
				ok, retried int64
				failed      []string
			}
			done := make(chan result, 1)
			go func() {
				ok, retried, failed := keepAliveLoad(in.addr, drainClients, stop)
				done <- result{ok, retried, failed}
			}()
			for range 4 {
				time.Sleep(1500 * time.Millisecond)
				in.signal(syscall.SIGUSR1)
			}
			time.Sleep(1500 * time.Millisecond)
			close(stop)
			r := <-done
			if r.retried > 0 {
				t.Logf("%d requests sent again after their client left the connection idle for %v or more", r.retried, idleCloseAfter)
			}
			if len(r.failed) > 0 {
				t.Errorf("%d requests failed (%d answered); the first: %q", len(r.failed), r.ok, r.failed[:min(len(r.failed), 5)])
			}
			if r.ok < 100 {
				t.Errorf("only %d requests answered: the load did not run", r.ok)
			}
			if p := in.pluginPid(); p == first {
				t.Errorf("plugin %d still serving after four graceful restarts", p)
			}
		})
	}
}

// TestGracefulRestartEndsIdleKeepAlive: after a graceful restart an idle
// keep-alive connection of the old generation is closed cleanly (end of
// stream, not a reset) long before KeepAliveTimeout (300 s), and the old
// plugin and its children exit; a graceful stop is not held up by it
// either.
func TestGracefulRestartEndsIdleKeepAlive(t *testing.T) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			in := start(t, newSite(t, m.Name, m.Module, "KeepAliveTimeout 300\n"))
			plugin := in.pluginPid()
			var kids []int
			eventually(10*time.Second, func() bool { kids = children(plugin); return len(kids) > 0 })
			idle := openIdle(t, in)
			defer idle.Close()
			in.signal(syscall.SIGUSR1)
			idle.SetReadDeadline(time.Now().Add(30 * time.Second))
			if _, err := idle.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
				t.Errorf("idle keep-alive connection of the old generation: %v, want the server's end of stream", err)
			}
			for _, p := range append(kids, plugin) {
				if !eventually(30*time.Second, func() bool { return !alive(p) }) {
					t.Errorf("process %d of the old generation is still there", p)
				}
			}
			// The new generation's idle connection does not hold up a
			// graceful stop either.
			idle2 := openIdle(t, in)
			defer idle2.Close()
			in.signal(syscall.SIGWINCH)
			if code := in.wait(); code != 0 {
				t.Errorf("graceful stop: exit code %d", code)
			}
			if !closedByServer(idle2, 5*time.Second) {
				t.Error("the idle connection outlived the graceful stop")
			}
		})
	}
}
