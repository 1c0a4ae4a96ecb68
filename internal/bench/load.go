package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// loadResult is what one load run measured.
type loadResult struct {
	Requests int64 // completed with any status
	RPS      float64
	P50, P99 time.Duration
	Errors   int64  // failed requests and connection errors
	Detail   string // how the errors split
}

// wrkScript makes wrk print its summary as one machine-readable line:
// exact percentiles (µs) and each error counter.
const wrkScript = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
`

// wrkSeconds formats d for wrk, which takes whole seconds.
func wrkSeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int(d.Round(time.Second)/time.Second))) + "s"
}

// runWrk runs wrk -t1 against url for d with conns connections and
// returns its summary. close adds "Connection: close" to every request.
func (l *lab) runWrk(ctx context.Context, url string, conns int, d time.Duration, close bool) (loadResult, error) {
	script := filepath.Join(l.scratch, "summary.lua")
	if _, err := os.Stat(script); err != nil {
		if err := os.WriteFile(script, []byte(wrkScript), 0o644); err != nil {
			return loadResult{}, err
		}
	}
	argv := []string{"wrk", "-t1", "-c" + strconv.Itoa(conns), "-d" + wrkSeconds(d), "--latency", "-s", script}
	if close {
		argv = append(argv, "-H", "Connection: close")
	}
	argv = append(argv, url)
	l.cmds.add("", argv)
	ctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return loadResult{}, fmt.Errorf("wrk: %v: %s", err, lastLines(string(out), 3))
	}
	return parseWrk(string(out))
}

// parseWrk reads the BENCH line that wrkScript prints.
func parseWrk(out string) (loadResult, error) {
	var line string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "BENCH ") {
			line = l
		}
	}
	if line == "" {
		return loadResult{}, fmt.Errorf("wrk printed no summary: %s", lastLines(out, 3))
	}
	v := map[string]int64{}
	for _, f := range strings.Fields(line)[1:] {
		k, val, _ := strings.Cut(f, "=")
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			return loadResult{}, fmt.Errorf("wrk summary %q: %v", f, err)
		}
		v[k] = n
	}
	r := loadResult{
		Requests: v["requests"],
		P50:      time.Duration(v["p50_us"]) * time.Microsecond,
		P99:      time.Duration(v["p99_us"]) * time.Microsecond,
		Errors:   v["connect"] + v["read"] + v["write"] + v["status"] + v["timeout"],
	}
	if v["duration_us"] > 0 {
		r.RPS = float64(v["requests"]) / (float64(v["duration_us"]) / 1e6)
	}
	if r.Errors > 0 {
		r.Detail = fmt.Sprintf("connect %d, read %d, write %d, timeout %d, non-2xx/3xx %d",
			v["connect"], v["read"], v["write"], v["timeout"], v["status"])
	}
	return r, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// hammerStats counts every request outcome of hammer exactly.
type hammerStats struct {
	ok, non2xx, dial, broken, timeout atomic.Int64
}

// hammer is a small load generator for the restart scenarios, where wrk's
// error counters are too coarse: conns clients each send GET path over a
// keep-alive connection, one request at a time, for d, and every request
// that does not end in a 2xx response is counted, by cause. A connection
// the server closes with "Connection: close" is simply reopened; one it
// closes or resets under a request already sent is a failed request.
// events run at their offsets from the start (graceful restarts).
func hammer(ctx context.Context, addr, path string, conns int, d time.Duration, events map[time.Duration]func()) (loadResult, error) {
	var st hammerStats
	start := time.Now()
	end := start.Add(d)
	lats := make([][]time.Duration, conns)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lats[i] = client(ctx, addr, path, end, &st)
		}()
	}
	var evErr error
	offsets := make([]time.Duration, 0, len(events))
	for off := range events {
		offsets = append(offsets, off)
	}
	slices.Sort(offsets)
	for _, off := range offsets {
		select {
		case <-time.After(time.Until(start.Add(off))):
			events[off]()
		case <-ctx.Done():
			evErr = ctx.Err()
		}
		if evErr != nil {
			break
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	slices.Sort(all)
	r := loadResult{
		Requests: st.ok.Load() + st.non2xx.Load(),
		RPS:      float64(st.ok.Load()+st.non2xx.Load()) / elapsed.Seconds(),
		P50:      percentile(all, 50),
		P99:      percentile(all, 99),
		Errors:   st.non2xx.Load() + st.dial.Load() + st.broken.Load() + st.timeout.Load(),
	}
	if r.Errors > 0 {
		r.Detail = fmt.Sprintf("refused/unreachable %d, closed or reset under a request %d, timeout %d, non-2xx %d",
			st.dial.Load(), st.broken.Load(), st.timeout.Load(), st.non2xx.Load())
	}
	return r, evErr
}

// client is one hammer connection loop; it returns its latencies.
func client(ctx context.Context, addr, path string, end time.Time, st *hammerStats) []time.Duration {
	var lats []time.Duration
	var c net.Conn
	var br *bufio.Reader
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	req := []byte(fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, addr))
	for time.Now().Before(end) && ctx.Err() == nil {
		if c == nil {
			var err error
			c, err = net.DialTimeout("tcp", addr, 2*time.Second)
			if err != nil {
				st.dial.Add(1)
				c = nil
				time.Sleep(10 * time.Millisecond) // do not spin on a refused port
				continue
			}
			br = bufio.NewReaderSize(c, 64<<10)
		}
		t0 := time.Now()
		c.SetDeadline(t0.Add(5 * time.Second))
		resp, err := roundTrip(c, br, req)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				st.timeout.Add(1)
			} else {
				st.broken.Add(1)
			}
			c.Close()
			c = nil
			continue
		}
		lats = append(lats, time.Since(t0))
		if resp.StatusCode/100 == 2 {
			st.ok.Add(1)
		} else {
			st.non2xx.Add(1)
		}
		if resp.Close {
			c.Close()
			c = nil
		}
	}
	return lats
}

// roundTrip writes one request and reads its whole response.
func roundTrip(c net.Conn, br *bufio.Reader, req []byte) (*http.Response, error) {
	if _, err := c.Write(req); err != nil {
		return nil, err
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp, err
}

func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}

// idleHold is a set of idle keep-alive connections held open.
type idleHold struct {
	req   []byte
	conns []net.Conn
}

// holdIdle opens n keep-alive connections, sends one request on each and
// keeps them open and silent: the "idle keep-alive connections" of the
// event-MPM rows. It stops at the first connection that is refused or not
// answered within 2 s (prefork and worker: every process or thread is held
// by the connections before). The caller needs a file limit above n.
func holdIdle(addr, path string, n int) *idleHold {
	h := &idleHold{req: []byte(fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, addr))}
	for range n {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.SetDeadline(time.Now().Add(2 * time.Second))
		if _, err := roundTrip(c, bufio.NewReader(c), h.req); err != nil {
			c.Close()
			break
		}
		c.SetDeadline(time.Time{})
		h.conns = append(h.conns, c)
	}
	return h
}

func (h *idleHold) held() int { return len(h.conns) }

// release sends one more request on every connection, closes them all and
// returns how many were answered with a 2xx: still open and usable.
func (h *idleHold) release() int {
	ok := 0
	for _, c := range h.conns {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		// The first response was read whole: nothing is left buffered.
		if resp, err := roundTrip(c, bufio.NewReader(c), h.req); err == nil && resp.StatusCode/100 == 2 {
			ok++
		}
		c.Close()
	}
	return ok
}

// slowReaders are clients downloading a large file slowly (a small receive
// window, a few KiB read now and then), as mobile clients do: the
// write-completion rows. A server that writes a response on a worker until
// its last byte holds a worker per slow reader.
type slowReaders struct {
	stop  chan struct{}
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns int // connected and sent a head
	heads int // got a 2xx head
}

// Each slow reader takes slowChunk bytes every slowEvery (80 KiB/s).
const (
	slowChunk = 4 << 10
	slowEvery = 50 * time.Millisecond
)

// startSlow starts n slow readers of path; stop ends them.
func startSlow(addr, path string, n int) *slowReaders {
	s := &slowReaders{stop: make(chan struct{})}
	d := net.Dialer{Timeout: 2 * time.Second, Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 16<<10) })
	}}
	for range n {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			c, err := d.Dial("tcp", addr)
			if err != nil {
				return
			}
			defer c.Close()
			fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, addr)
			s.count(&s.conns)
			br := bufio.NewReaderSize(c, slowChunk)
			buf := make([]byte, slowChunk)
			tick := time.NewTicker(slowEvery)
			defer tick.Stop()
			for first := true; ; first = false {
				select {
				case <-s.stop:
					return
				case <-tick.C:
				}
				c.SetReadDeadline(time.Now().Add(30 * time.Second))
				if first {
					if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode/100 != 2 {
						return
					}
					s.count(&s.heads)
					continue
				}
				if _, err := br.Read(buf); err != nil {
					return
				}
			}
		}()
	}
	return s
}

func (s *slowReaders) count(n *int) {
	s.mu.Lock()
	*n++
	s.mu.Unlock()
}

// end stops the readers and reports how many connected and how many got
// a response head.
func (s *slowReaders) end() (conns, heads int) {
	close(s.stop)
	s.wg.Wait()
	return s.conns, s.heads
}
