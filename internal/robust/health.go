//go:build linux

package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/proctree"
)

// hangTimeout is mpm.HangTimeout for the lab's server: a child that shows
// no progress for longer is hung.
const hangTimeout = max(serverTimeout, keepAliveTimeout) + 5*time.Second

// hungChild stops the busiest child and leaves it stopped. The MPM parent
// must see its heartbeat go stale, log it as hung, end it (SIGTERM with
// SIGCONT, SIGKILL 3 s later) and start a replacement. Only the requests
// on its connections may fail; new connections go to the other children
// meanwhile.
func hungChild(rc *runCtx) {
	f, ok := signalBusiest(rc, syscall.SIGSTOP, "stop")
	if !ok {
		return
	}
	kids, victim, held, at := f.kids, f.victim, f.held, f.at
	// Maintenance looks once a second; a child that ignores SIGTERM gets
	// SIGKILL 3 s later.
	endLimit := hangTimeout + time.Second + 3*time.Second
	ended := waitFor(at, endLimit+5*time.Second, func() bool {
		st, ok := proctree.Stat(victim)
		return !ok || st.State == 'Z'
	})
	replaced := waitFor(at, endLimit+3*time.Second, func() bool {
		for _, k := range rc.s.Children() {
			if !slices.Contains(kids, k) {
				return true
			}
		}
		return false
	})
	if ended < 0 { // do not leave it stopped for the next row
		syscall.Kill(victim, syscall.SIGKILL)
	}
	rc.sleep(2 * time.Second)
	rc.finish()
	d, ok := recovery(rc.out, at)
	rc.setRecovery(d, ok, time.Second)
	// Whether a replacement is due is the spare rules' call (the others
	// may have idle workers enough): a figure, not a bound.
	newChild := "none needed by the spare rules within the row"
	if replaced >= 0 {
		newChild = "a new child after " + fmtDur(replaced)
	}
	rc.note("stopped child %d holding %d connections; ended after %s (HangTimeout %s); %s",
		victim, held, fmtDur(ended), fmtDur(hangTimeout), newChild)
	rc.expect("hung child ended ≤ "+fmtDur(endLimit), ended >= 0 && ended <= endLimit, fmtDur(ended))
	// Its requests wait for the end, then the keep-alive clients retry.
	rc.expectWorst(endLimit + time.Second)
	rc.expect(fmt.Sprintf("failed ≤ %d (its connections + 1)", held+1), rc.t.failed <= held+1, fmt.Sprint(rc.t.failed))
	rc.expect("refused 0", rc.t.refused == 0, fmt.Sprint(rc.t.refused))
	rc.expect("log names it hung", strings.Contains(rc.s.ErrorLog(), fmt.Sprintf("child process %d is hung", victim)), "not logged")
}

// recycledRe matches the parent's line for a child over ChildMemoryLimit.
var recycledRe = regexp.MustCompile(`child process (\d+) uses (\d+) MiB of memory, over ChildMemoryLimit 48 MiB: recycling it gracefully`)

// leakyChild runs the server with Go's collector off (GOGC=off, which the
// children inherit: nothing they allocate is ever freed, the memory of a
// leaking child) and ChildMemoryLimit 48. Besides the good load, one client
// sends requests with 1.2 MB heads on one keep-alive connection, so that
// its child grows past the limit first. The parent must recycle it
// gracefully (Connection: close, then exit) and start another: no good
// request may fail.
func leakyChild(rc *runCtx) {
	rc.sleep(time.Second)
	at := time.Now()
	sent, err := leak(rc.s.Addr(), at.Add(20*time.Second), func() bool { return recycledRe.MatchString(rc.s.ErrorLog()) })
	m := recycledRe.FindStringSubmatch(rc.s.ErrorLog())
	if m == nil {
		rc.finish()
		rc.note("%d large requests sent (%v)", sent, err)
		rc.expect("a child recycled", false, "none")
		return
	}
	found := time.Since(at)
	pid, _ := strconv.Atoi(m[1])
	exited := waitFor(at, 30*time.Second, func() bool {
		st, ok := proctree.Stat(pid)
		return !ok || st.State == 'Z'
	})
	rc.sleep(2 * time.Second)
	rc.expectNoFailures()
	all := recycledRe.FindAllStringSubmatch(rc.s.ErrorLog(), -1)
	rc.note("child %d recycled at %s MiB after %d large requests (%s); it exited after %s; %d children recycled in the row; children now %d",
		pid, m[2], sent, fmtDur(found), fmtDur(exited), len(all), len(rc.s.Children()))
	rc.expect("recycled child exited", exited >= 0, "still running")
	rc.expect("not killed", !strings.Contains(rc.s.ErrorLog(), fmt.Sprintf("child pid %d exit signal", pid)), "killed by a signal")
}

// leak sends GETs with a 1.2 MB head (150 fields of 8000 bytes) on one
// keep-alive connection, 20 a second, until done reports true, the server
// closes the connection, or until. It returns how many it sent.
func leak(addr string, until time.Time, done func() bool) (int, error) {
	var head strings.Builder
	head.WriteString("GET /hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n")
	for i := 0; i < 150; i++ {
		fmt.Fprintf(&head, "X-Fill-%d: %s\r\n", i, strings.Repeat("y", 8000))
	}
	head.WriteString("\r\n")
	req := []byte(head.String())
	c, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	br := bufio.NewReader(c)
	sent := 0
	for time.Now().Before(until) && !done() {
		c.SetDeadline(time.Now().Add(clientTimeout))
		if _, err := c.Write(req); err != nil {
			return sent, err
		}
		sent++
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return sent, err
		}
		resp.Body.Close()
		if resp.Close {
			return sent, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return sent, nil
}

// waitFor polls cond every 50 ms until limit after from, and returns how
// long after from it held, or -1.
func waitFor(from time.Time, limit time.Duration, cond func() bool) time.Duration {
	for time.Since(from) < limit {
		if cond() {
			return time.Since(from)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return -1
}
