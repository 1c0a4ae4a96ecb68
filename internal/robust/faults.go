//go:build linux

package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/proctree"
	"golang.org/x/sys/unix"
)

// Faults and exhaustion, under the good load.
func faults() []scenario {
	return []scenario{
		{id: "emfile", title: "fd exhaustion (EMFILE) in children", ownUser: true, do: emfile},
		{id: "recycle", title: "children recycled (MaxConnectionsPerChild 50)", extra: "MaxConnectionsPerChild 50\n", do: recycle},
		{id: "max-workers", title: "MaxRequestWorkers reached", do: maxWorkers},
		{id: "kill-child", title: "kill -9 of a child", do: killChild},
		{id: "sigstop-child", title: "SIGSTOP of a child for 3 s", do: stopChild},
		{id: "hung-child", title: "SIGSTOP of a child, left stopped (hung)", do: hungChild},
		{id: "leaky-child", title: "a child's memory grows (ChildMemoryLimit 48)", extra: "ChildMemoryLimit 48\nLimitRequestFields 200\n",
			env: []string{"GOGC=off"}, do: leakyChild},
		{id: "kill-mpm", title: "kill -9 of the MPM parent", do: killMPM},
		{id: "kill-host", title: "kill -9 of the host", do: killHost},
		{id: "disk-full", title: "full disk for the logs", oneMPM: true, prepare: fullDisk, do: diskFull},
		{id: "docroot-deleted", title: "DocumentRoot deleted, reload, restored", oneMPM: true,
			accept: func(code int, body string) bool { return (code >= 400 && code < 500) || goodAnswer(code, body) }, do: docrootDeleted},
	}
}

// emfile lowers the soft descriptor limit of every child to 0 for 3 s, so
// that every new descriptor (accept above all) fails with EMFILE while the
// ones it has keep working, then restores it. Accept must back off (not spin, not fill the log), no
// child may die, and new connections must wait in the backlog, not fail.
func emfile(rc *runCtx) {
	rc.sleep(time.Second)
	kids := rc.s.Children()
	type saved struct {
		pid int
		lim unix.Rlimit
		cpu int64
	}
	var all []saved
	logBefore := strings.Count(rc.s.ErrorLog(), "\n")
	for _, pid := range kids {
		var old unix.Rlimit
		low := unix.Rlimit{Cur: 0}
		if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, nil, &old); err != nil {
			rc.row.fail(fmt.Sprintf("prlimit %d: %v", pid, err))
			continue
		}
		low.Max = old.Max
		if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, &low, nil); err != nil {
			rc.row.fail(fmt.Sprintf("prlimit %d: %v", pid, err))
			continue
		}
		st, _ := proctree.Stat(pid)
		all = append(all, saved{pid, old, st.CPU})
	}
	applied := time.Now()
	const window = 3 * time.Second
	rc.sleep(window)
	var cpu int64
	for _, s := range all {
		st, _ := proctree.Stat(s.pid)
		cpu += st.CPU - s.cpu
		unix.Prlimit(s.pid, unix.RLIMIT_NOFILE, &s.lim, nil)
	}
	restored := time.Now()
	rc.sleep(3 * time.Second)
	perChild := map[string]int{}
	lines := strings.Split(rc.s.ErrorLog(), "\n")
	for _, l := range lines[min(logBefore, len(lines)):] {
		if strings.Contains(l, "accept") && strings.Contains(l, "too many open files") {
			if _, rest, ok := strings.Cut(l, "[pid "); ok {
				pid, _, _ := strings.Cut(rest, "]")
				perChild[pid]++
			}
		}
	}
	accepts, most := 0, 0
	for _, n := range perChild {
		accepts += n
		most = max(most, n)
	}
	died := 0
	for _, pid := range kids {
		if st, ok := proctree.Stat(pid); !ok || st.State == 'Z' {
			died++
		}
	}
	cpuPerSec := float64(cpu) / proctree.TicksPerSecond / window.Seconds()
	rc.note("%d children at their descriptor limit for %s: %.2f CPU-s/s spent by them, %d accept errors logged (at most %d by one child), %d died",
		len(all), window, cpuPerSec, accepts, most, died)
	rc.finish()
	d, ok := recovery(rc.out, restored)
	rc.setRecovery(d, ok, 2*time.Second)
	var fresh, kept, late []outcome
	for _, o := range rc.out {
		switch {
		case o.start.After(restored.Add(100 * time.Millisecond)):
			late = append(late, o)
		case o.fresh && o.start.After(applied):
			fresh = append(fresh, o)
		default:
			kept = append(kept, o)
		}
	}
	f, k, a := count(fresh), count(kept), count(late)
	rc.note("new connections while exhausted: %d answered, %d failed (they wait in the backlog); requests on connections an exhausted child already held: %d answered, %d failed (%s: no descriptor to open the file)",
		f.ok, f.failed, k.ok, k.failed, k.errSummary())
	// Backoff from 5 ms doubling to 1 s: about 9 lines per listener in 3 s.
	rc.expect("children CPU ≤ 0.2 s/s", cpuPerSec <= 0.2, fmt.Sprintf("%.2f", cpuPerSec))
	rc.expect("accept errors per child ≤ 12", most <= 12, fmt.Sprint(most))
	rc.expect("children died 0", died == 0, fmt.Sprint(died))
	rc.expect("new connections failed 0", f.failed == 0, fmt.Sprint(f.failed))
	rc.expect("failed 0 once lifted", a.failed == 0, fmt.Sprint(a.failed))
	rc.expect("refused 0", rc.t.refused == 0, fmt.Sprint(rc.t.refused))
}

// recycle lets every child exit after 50 connections: under the load
// they are replaced every second or so, and nothing may be lost.
func recycle(rc *runCtx) {
	first := map[int]bool{}
	for _, pid := range rc.s.Children() {
		first[pid] = true
	}
	seen := map[int]bool{}
	for end := time.Now().Add(8 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		for _, pid := range rc.s.Children() {
			seen[pid] = true
		}
	}
	replaced := 0
	for pid := range seen {
		if !first[pid] {
			replaced++
		}
	}
	rc.note("%d children at the start, %d distinct children seen in 8 s: %d started as replacements", len(first), len(seen), replaced)
	rc.expect("replacements ≥ 2", replaced >= 2, fmt.Sprint(replaced))
	rc.expectNoFailures()
	rc.expectMem()
}

// maxWorkers holds MaxRequestWorkers + 4 connections with half a request
// head each (every one cut after Timeout, then opened again) for 8 s: the
// MPM reaches MaxRequestWorkers, must say so in the error log once, and
// keep serving; good clients wait their turn in the backlog.
func maxWorkers(rc *runCtx) {
	rc.sleep(time.Second)
	stop := time.Now().Add(8 * time.Second)
	done := make(chan struct{})
	for i := 0; i < capacity+4; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for time.Now().Before(stop) {
				c, err := net.DialTimeout("tcp", rc.s.Addr(), dialTimeout)
				if err != nil {
					time.Sleep(100 * time.Millisecond)
					continue
				}
				c.Write([]byte("GET /hello.txt HTTP/1.1\r\nHost: x\r\n"))
				c.SetReadDeadline(stop)
				var b [512]byte
				c.Read(b[:]) // the server's 408, or the deadline
				c.Close()
			}
		}()
	}
	for i := 0; i < capacity+4; i++ {
		<-done
	}
	rc.sleep(time.Second)
	code := map[string]string{"prefork": "AH00161", "worker": "AH00286", "event": "AH00484"}[rc.mpm]
	n := strings.Count(rc.s.ErrorLog(), code)
	rc.note("error log: %s (server reached MaxRequestWorkers) logged %d times; the server kept running", code, n)
	rc.expect(code+" logged", n >= 1, fmt.Sprint(n))
	rc.expect("host alive", alive(rc.s), "exited")
	rc.expectNoFailures()
	rc.expectWorst(2*serverTimeout + 2*time.Second)
}

func alive(s *server) bool {
	select {
	case <-s.Done:
		return false
	default:
		return true
	}
}

// listenerInodes are the inodes of the listening TCP sockets on port.
func listenerInodes(addr string) map[string]bool {
	_, portStr, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portStr)
	want := fmt.Sprintf(":%04X", port)
	out := map[string]bool{}
	b, _ := os.ReadFile("/proc/net/tcp")
	for _, line := range strings.Split(string(b), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) > 9 && strings.HasSuffix(f[1], want) && f[3] == "0A" {
			out["socket:["+f[9]+"]"] = true
		}
	}
	return out
}

// connsOf counts the connections pid holds: sockets that are not a
// listener.
func connsOf(pid int, listeners map[string]bool) int {
	n := 0
	for _, t := range proctree.FDs(pid) {
		if strings.HasPrefix(t, "socket:") && !listeners[t] {
			n++
		}
	}
	return n
}

// fault is a signal sent to the child holding the most connections.
type fault struct {
	kids         []int // the children just before
	victim, held int   // the child and its connections
	at           time.Time
}

// signalBusiest lets the load run a second, then sends sig to the child
// with the most connections. Without a child it fails the row ("no child
// to " + verb) and sends nothing: kill(0, sig) would reach this harness.
func signalBusiest(rc *runCtx, sig syscall.Signal, verb string) (fault, bool) {
	rc.sleep(time.Second)
	f := fault{kids: rc.s.Children()}
	f.victim, f.held = busiest(rc.s.Addr(), f.kids)
	if f.victim <= 0 {
		rc.row.fail("no child to " + verb)
		return f, false
	}
	f.at = time.Now()
	syscall.Kill(f.victim, sig)
	return f, true
}

// busiest is the child among kids with the most connections on the
// server at addr, and that number (from /proc).
func busiest(addr string, kids []int) (pid, conns int) {
	ls := listenerInodes(addr)
	conns = -1
	for _, k := range kids {
		if n := connsOf(k, ls); n > conns {
			pid, conns = k, n
		}
	}
	return pid, conns
}

// killChild sends SIGKILL to the child with the most connections. Only
// the requests on that child's connections can fail: they are counted
// from /proc just before the signal (one more may be accepted in
// between).
func killChild(rc *runCtx) {
	f, ok := signalBusiest(rc, syscall.SIGKILL, "kill")
	if !ok {
		return
	}
	kids, victim, held, at := f.kids, f.victim, f.held, f.at
	rc.sleep(3 * time.Second)
	rc.finish()
	d, ok := recovery(rc.out, at)
	rc.setRecovery(d, ok, time.Second)
	rc.note("killed child %d holding %d connections; children before %d, after %d", victim, held, len(kids), len(rc.s.Children()))
	rc.expect(fmt.Sprintf("failed ≤ %d (its connections + 1)", held+1), rc.t.failed <= held+1, fmt.Sprint(rc.t.failed))
	rc.expect("refused 0", rc.t.refused == 0, fmt.Sprint(rc.t.refused))
	rc.expect("log names it (AH00052)", strings.Contains(rc.s.ErrorLog(), fmt.Sprintf("child pid %d exit signal Killed", victim)), "not logged")
}

// stopChild stops the busiest child for 3 s, then lets it go on: its
// requests are late, none lost; others take the new connections.
func stopChild(rc *runCtx) {
	const pause = 3 * time.Second
	f, ok := signalBusiest(rc, syscall.SIGSTOP, "stop")
	if !ok {
		return
	}
	victim, held, at := f.victim, f.held, f.at
	rc.sleep(pause)
	syscall.Kill(victim, syscall.SIGCONT)
	rc.sleep(2 * time.Second)
	rc.finish()
	d, ok := recovery(rc.out, at)
	rc.setRecovery(d, ok, time.Second)
	rc.note("stopped child %d holding %d connections for %s", victim, held, pause)
	rc.expectNoFailures()
	rc.expectWorst(pause + 2*time.Second)
	st, ok := proctree.Stat(victim)
	rc.expect("child alive after SIGCONT", ok && st.State != 'Z' && st.State != 'T', "gone or stopped")
}

// killMPM kills the MPM parent: its children finish their requests and
// go (Pdeathsig → drain), the host starts a new MPM on the same sockets,
// whose backlog holds new connections meanwhile.
func killMPM(rc *runCtx) {
	rc.sleep(time.Second)
	old := rc.s.Plugin()
	oldKids := rc.s.Sample()
	at := time.Now()
	syscall.Kill(old, syscall.SIGKILL)
	// The old generation must be gone once drained: in-flight requests,
	// then idle keep-alive connections after KeepAliveTimeout.
	drainLimit := keepAliveTimeout + serverTimeout + time.Second
	var gone time.Duration
	var left []proctree.Proc
	for {
		left = left[:0]
		for _, p := range oldKids {
			if p.Pid != rc.s.Pid() && p.Alive() {
				left = append(left, p)
			}
		}
		gone = time.Since(at)
		if len(left) == 0 || gone > drainLimit {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	rc.sleep(max(0, 4*time.Second-time.Since(at)))
	rc.finish()
	d, ok := recovery(rc.out, at)
	rc.setRecovery(d, ok, 3*time.Second)
	np := rc.s.Plugin()
	rc.note("killed MPM parent %d; new MPM parent %d with %d children; old generation gone after %s", old, np, len(rc.s.Children()), fmtDur(gone))
	rc.expect("old generation gone ≤ "+fmtDur(drainLimit), len(left) == 0, fmt.Sprintf("%d left", len(left)))
	rc.expect("new MPM parent", np != 0 && np != old, "none")
	rc.expectNoFailures()
}

// killHost kills the host: by design nothing restarts it (systemd's job);
// the MPM parent and its children must follow it at once, and the port
// must refuse connections rather than leave them hanging.
func killHost(rc *runCtx) {
	rc.sleep(time.Second)
	at := time.Now()
	syscall.Kill(rc.s.Pid(), syscall.SIGKILL)
	<-rc.s.Done
	took, left := rc.s.WaitGone(at, 2*time.Second)
	refused := false
	if c, err := net.DialTimeout("tcp", rc.s.Addr(), time.Second); err == nil {
		rc.note("connection accepted after all were gone: local %s, remote %s; listening: %v, held by %v",
			c.LocalAddr(), c.RemoteAddr(), listenerInodes(rc.s.Addr()), holders(listenerInodes(rc.s.Addr())))
		c.Close()
	} else {
		refused = errors.Is(err, syscall.ECONNREFUSED)
	}
	rc.sleep(500 * time.Millisecond)
	rc.finish()
	rc.note("all processes gone %s after the kill; good requests cut by it: %d; refused from then on: %d (nothing restarts the host but its supervisor)",
		fmtDur(took), rc.t.failed, rc.t.refused)
	rc.expect("no process left after 2s", len(left) == 0, fmt.Sprintf("%d left", len(left)))
	rc.expect("port refuses", refused, "connection accepted")
}

// fullDisk mounts a 1 MiB tmpfs on logs/ before the server starts (a
// real ENOSPC), or, where mounting is not allowed, points the error log
// at /dev/full (every write fails with ENOSPC).
func fullDisk(dir string) (func(), error) {
	logs := filepath.Join(dir, "logs")
	if err := syscall.Mount("tmpfs", logs, "tmpfs", 0, "size=1m,mode=0755"); err == nil {
		return func() { syscall.Unmount(logs, syscall.MNT_DETACH) }, nil
	}
	return nil, os.Symlink("/dev/full", filepath.Join(logs, "error_log"))
}

// diskFull fills the log file system, makes the server log (a child
// killed, a graceful restart) while it is full, then frees it: serving
// goes on throughout and logging resumes.
func diskFull(rc *runCtx) {
	rc.sleep(time.Second)
	logs := filepath.Join(rc.s.Dir, "logs")
	filler := filepath.Join(logs, "filler")
	tmpfs := true
	if t, _ := os.Readlink(filepath.Join(logs, "error_log")); t == "/dev/full" {
		tmpfs = false
	} else if err := fill(filler); err != nil {
		rc.row.fail("fill: " + err.Error())
		return
	}
	// Things worth a log line, while nothing can be written.
	if kids := rc.s.Children(); len(kids) > 0 {
		syscall.Kill(kids[0], syscall.SIGKILL)
	}
	rc.s.Cmd.Process.Signal(syscall.SIGUSR1)
	rc.sleep(3 * time.Second)
	if !tmpfs {
		rc.note("no mount allowed: ErrorLog is /dev/full (every write fails with ENOSPC)")
		rc.expect("host alive", alive(rc.s), "exited")
		rc.expectNoFailures()
		return
	}
	before := rc.s.ErrorLog()
	os.Remove(filler)
	freed := time.Now()
	rc.s.Cmd.Process.Signal(syscall.SIGUSR1) // AH00493 must reach the log now
	var resumed time.Duration
	ok := false
	for end := freed.Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if l := rc.s.ErrorLog(); len(l) > len(before) && strings.Contains(l[len(before):], "AH00493") {
			resumed, ok = time.Since(freed), true
			break
		}
	}
	rc.sleep(time.Second)
	rc.note("logs on a 1 MiB tmpfs filled to ENOSPC; a child killed and a graceful restart while full; space freed, then logging resumed after %s", fmtDur(resumed))
	rc.setRecovery(resumed, ok, 2*time.Second)
	rc.expect("host alive", alive(rc.s), "exited")
	rc.expectNoFailures()
}

// fill writes to path until the file system is full.
func fill(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return nil
			}
			return err
		}
	}
}

// docrootDeleted moves DocumentRoot away for 3 s (pages are 404 then,
// which counts as answered: any 4xx does, no 5xx), with a graceful
// restart in the middle, as a deployment that swaps the tree and reloads
// might do, then puts it back: every request from a second after on must
// be served again, by the old children and the new alike.
func docrootDeleted(rc *runCtx) {
	rc.sleep(time.Second)
	docroot := filepath.Join(rc.s.Dir, "htdocs")
	aside := filepath.Join(rc.s.Dir, "htdocs.aside")
	if err := os.Rename(docroot, aside); err != nil {
		rc.row.fail(err.Error())
		return
	}
	rc.sleep(time.Second)
	rc.s.Cmd.Process.Signal(syscall.SIGUSR1)
	rc.sleep(2 * time.Second)
	if err := os.Rename(aside, docroot); err != nil {
		rc.row.fail(err.Error())
		return
	}
	restored := time.Now()
	during := rc.s.Children()
	rc.sleep(4 * time.Second)
	stayed := 0
	for _, pid := range rc.s.Children() {
		for _, p := range during {
			if p == pid {
				stayed++
			}
		}
	}
	rc.note("%d children served while it was gone and still serve after it is back", stayed)
	rc.finish()
	n404, late := 0, map[int]int{}
	for _, o := range rc.out {
		if o.code != 200 {
			n404++
			if o.start.After(restored.Add(time.Second)) {
				late[o.code]++
			}
		}
	}
	var first time.Duration
	for _, o := range rc.out {
		if o.code == 200 && o.start.After(restored) {
			first = o.end.Sub(restored)
			break
		}
	}
	nlate := 0
	for _, n := range late {
		nlate += n
	}
	rc.note("%d requests answered 4xx while it was gone; %d answered other than 200 more than 1 s after it was back (by status: %v)", n404, nlate, late)
	rc.setRecovery(first, first > 0, time.Second)
	rc.expect("not 200 after restore 0", nlate == 0, fmt.Sprint(nlate))
	rc.expectNoFailures()
}

// holders lists the processes holding any of the sockets.
func holders(sockets map[string]bool) []string {
	var out []string
	for _, p := range proctree.Live() {
		for _, t := range proctree.FDs(p.Pid) {
			if sockets[t] {
				exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", p.Pid))
				out = append(out, fmt.Sprintf("%d (%s, parent %d)", p.Pid, exe, p.PPid))
				break
			}
		}
	}
	return out
}
