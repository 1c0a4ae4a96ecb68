//go:build linux

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Hostile clients. A hostile connection must hold a worker for a bounded
// time, about Timeout (a request head gets Timeout from its first byte; a
// response write, each body read too): then attacks below capacity
// (MaxRequestWorkers / Timeout new connections a second) cost the good
// clients nothing, which is what these rows bound. The overload row shows
// what happens above that, as with Apache.
func attacks() []scenario {
	return []scenario{
		{id: "slowloris", title: "slowloris headers (slowhttptest -H)", do: slowHTTP("-H", "/hello.txt")},
		{id: "slow-body", title: "slow body (slowhttptest -B)", do: slowHTTP("-B", "/hello.txt")},
		{id: "slowloris-overload", title: "slowloris over capacity", do: slowlorisOverload},
		{id: "never-reads", title: "client that never reads", do: neverReads},
		{id: "abandon-10k", title: "10,000 connections abandoned", do: abandon10k},
		{id: "range", title: "overlapping ranges (slowhttptest -R)", oneMPM: true, do: rangeAttack},
		{id: "oversize", title: "oversize request line and headers", oneMPM: true, do: oversize},
		{id: "bad-encoding", title: "invalid UTF-8 and %-encoding", oneMPM: true, do: badEncoding},
		{id: "traversal", title: "'..' and encoded traversal", oneMPM: true, do: traversal},
		{id: "symlinks", title: "symlinks out of DocumentRoot", oneMPM: true, do: symlinks},
	}
}

// Attack sizes. Below capacity: a new slow connection every 1/3 s, each
// cut after Timeout (4 s), is about 12 held at once, under the 16 workers.
const (
	slowRate     = 3
	slowSeconds  = 10
	overloadRate = 60 // held connections arrive 15 times faster than workers free up
)

// slowHTTP runs slowhttptest in a mode (-H slow headers, -B slow body)
// below capacity beside the good load.
func slowHTTP(mode, path string) func(*runCtx) {
	return func(rc *runCtx) {
		rc.sleep(time.Second)
		args := []string{"slowhttptest", mode, "-c", fmt.Sprint(slowRate * slowSeconds), "-r", fmt.Sprint(slowRate),
			"-i", "1", "-x", "8", "-l", fmt.Sprint(slowSeconds), "-p", "3", "-u", "http://" + rc.s.Addr() + path}
		if mode == "-B" {
			args = append(args, "-s", "8192")
		}
		out, err := tool(time.Duration(slowSeconds+30)*time.Second, args...)
		line, closed := slowSummary(out, err)
		rc.note("%s", line)
		// Those opened more than Timeout before the end must have been cut.
		cut := slowRate * (slowSeconds - int(serverTimeout/time.Second)) / 2
		rc.expect(fmt.Sprintf("server cut ≥ %d slow connections", cut), closed >= cut, fmt.Sprint(closed))
		rc.sleep(time.Second)
		rc.expectNoFailures()
		rc.expectWorst(serverTimeout + 2*time.Second)
		rc.expectMem()
	}
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

// slowSummary picks slowhttptest's last counters out of its output: a
// line for the notes and the number of connections the server closed.
func slowSummary(out string, err error) (string, int) {
	if err != nil && !strings.Contains(out, "closed") {
		return fmt.Sprintf("slowhttptest failed: %v: %s", err, lastLines(out, 3)), -1
	}
	out = ansi.ReplaceAllString(out, "")
	last := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		for _, k := range []string{"pending", "connected", "error", "closed", "service available"} {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line), k+":"); ok {
				last[k] = strings.TrimSpace(rest)
			}
		}
	}
	closed, _ := strconv.Atoi(last["closed"])
	return fmt.Sprintf("slowhttptest at its end: %s connected, %s pending, %s closed, %s errors; its own probe: service available %s",
		last["connected"], last["pending"], last["closed"], last["error"], last["service available"]), closed
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// slowlorisOverload holds request heads open faster than the workers can
// time them out: the accept queue fills and good clients wait, as they do
// with Apache (whose mod_reqtimeout cuts at 20-40 s, not 4). The bound is
// what must hold anyway: the server serves again within Timeout of the
// attack's end, and nothing is refused.
func slowlorisOverload(rc *runCtx) {
	rc.sleep(time.Second)
	out, err := tool(time.Duration(slowSeconds+30)*time.Second, "slowhttptest", "-H", "-c", fmt.Sprint(overloadRate*slowSeconds),
		"-r", fmt.Sprint(overloadRate), "-i", "1", "-x", "8", "-l", fmt.Sprint(slowSeconds), "-p", "3", "-u", "http://"+rc.s.Addr()+"/hello.txt")
	end := time.Now()
	line, _ := slowSummary(out, err)
	rc.note("%s", line)
	rc.sleep(serverTimeout + 2*time.Second)
	rc.finish()
	d, ok := recovery(rc.out, end)
	rc.setRecovery(d, ok, serverTimeout+2*time.Second)
	during := count(between(rc.out, rc.loadStart, end))
	rc.note("during the attack: %d good requests answered, %d failed (client timeout %s), slowest %s",
		during.ok, during.failed, clientTimeout, fmtDur(during.worst))
	after := count(between(rc.out, end.Add(serverTimeout+time.Second), time.Now()))
	rc.expect("failed 0 once recovered", after.failed == 0, fmt.Sprint(after.failed))
	rc.expect("refused 0", rc.t.refused == 0, fmt.Sprint(rc.t.refused))
	rc.expectMem()
}

// neverReads keeps 12 connections that each ask for the 1 MiB file 16
// times over and read nothing: the server's writes fill the socket
// buffers and block until Timeout ends them. Each connection is held for
// twice Timeout, then replaced, for 10 s.
func neverReads(rc *runCtx) {
	rc.sleep(time.Second)
	var opened atomic.Int64
	stop := time.Now().Add(slowSeconds * time.Second)
	var wg sync.WaitGroup
	for i := 0; i < slowRate*int(serverTimeout/time.Second); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				c, err := net.DialTimeout("tcp", rc.s.Addr(), dialTimeout)
				if err != nil {
					time.Sleep(100 * time.Millisecond)
					continue
				}
				opened.Add(1)
				c.(*net.TCPConn).SetReadBuffer(4096)
				c.SetWriteDeadline(stop)
				c.Write([]byte(strings.Repeat("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n", 16)))
				time.Sleep(min(2*serverTimeout, time.Until(stop)))
				c.Close()
			}
		}()
	}
	wg.Wait()
	rc.note("%d never-reading connections, each asking for 16 MiB, held %s each", opened.Load(), fmtDur(2*serverTimeout))
	rc.sleep(time.Second)
	rc.expectNoFailures()
	rc.expectWorst(serverTimeout + 2*time.Second)
	rc.expectMem()
}

// abandon10k opens 10,000 connections, 256 at a time, and abandons each
// at once in one of three ways: a close with nothing sent, half a
// request line then a reset, a reset with nothing sent. Afterwards the
// server must hold no more descriptors than before.
func abandon10k(rc *runCtx) {
	rc.sleep(time.Second)
	before := treeConns(rc.s)
	var established, failed atomic.Int64
	const total, parallel = 10000, 256
	began := time.Now()
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for w := 0; w < parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > total {
					return
				}
				c, err := net.DialTimeout("tcp", rc.s.Addr(), 3*time.Second)
				if err != nil {
					failed.Add(1)
					continue
				}
				established.Add(1)
				tc := c.(*net.TCPConn)
				switch i % 4 {
				case 0:
					tc.Write([]byte("GET /hello"))
					tc.SetLinger(0)
				case 1:
					tc.SetLinger(0)
				}
				tc.Close()
			}
		}()
	}
	wg.Wait()
	took := time.Since(began)
	rc.note("10,000 connections in %s: %d established and abandoned, %d could not connect", fmtDur(took), established.Load(), failed.Load())
	// The server notices each within Timeout at most.
	var after int
	for end := time.Now().Add(serverTimeout + 3*time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if after = treeConns(rc.s); after <= before+freshClients+keepAliveClients {
			break
		}
	}
	rc.note("sockets the process tree holds besides its listeners: %d before, %d after", before, after)
	rc.expect("sockets after ≤ before+6", after <= before+freshClients+keepAliveClients, fmt.Sprint(after))
	rc.expectNoFailures()
	rc.expectWorst(serverTimeout + 2*time.Second)
	rc.expectMem()
}

// treeConns counts the connections the server's processes hold: socket
// descriptors that are not a listening socket (the load's few included).
func treeConns(s *server) int {
	ls := listenerInodes(s.Addr())
	n := 0
	for _, p := range s.Sample() {
		n += connsOf(p.Pid, ls)
	}
	return n
}

// rangeAttack is the "Apache killer" (CVE-2011-3192): many overlapping
// ranges of one file, which must not multiply the server's work or memory
// by the number of ranges.
func rangeAttack(rc *runCtx) {
	rc.sleep(time.Second)
	out, err := tool(time.Duration(slowSeconds+30)*time.Second, "slowhttptest", "-R", "-c", "200", "-r", "40", "-a", "5", "-b", "2000",
		"-l", fmt.Sprint(slowSeconds/2), "-p", "3", "-u", "http://"+rc.s.Addr()+"/big.bin")
	line, _ := slowSummary(out, err)
	rc.note("%s", line)
	rc.sleep(time.Second)
	rc.expectNoFailures()
	rc.expectWorst(serverTimeout + 2*time.Second)
	rc.expectMem()
}

// probe is one hostile request and the answers it may get.
type probe struct {
	name string
	req  func(w io.Writer) // writes the request (and may keep writing)
	want func(code int) bool
}

func raw(s string) func(io.Writer) { return func(w io.Writer) { io.WriteString(w, s) } }

func statusIn(codes ...int) func(int) bool {
	return func(c int) bool {
		for _, x := range codes {
			if c == x {
				return true
			}
		}
		return false
	}
}

// answer is what the server did with a probe.
type answer struct {
	code  int // 0: closed without a response
	body  string
	err   error
	probe *probe
}

// send writes p on a new connection and reads the answer (the body up to
// 64 KiB).
func send(addr string, p *probe) answer {
	a := answer{probe: p}
	c, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		a.err = err
		return a
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * serverTimeout))
	go p.req(c) // a long request may still be written when the answer comes
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) {
			return a // closed without an answer
		}
		a.err = err
		return a
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	a.code, a.body = resp.StatusCode, string(body)
	return a
}

// battery sends every probe rounds times, 8 at a time, and checks each
// answer: an expected status (a close without answer is accepted where
// the probe says 0 is), never a 5xx, never the secret or /etc/passwd.
func battery(rc *runCtx, rounds int, probes []probe) {
	rc.sleep(time.Second)
	jobs := make(chan *probe)
	var mu sync.Mutex
	var answers []answer
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				a := send(rc.s.Addr(), p)
				mu.Lock()
				answers = append(answers, a)
				mu.Unlock()
			}
		}()
	}
	for r := 0; r < rounds; r++ {
		for i := range probes {
			jobs <- &probes[i]
		}
	}
	close(jobs)
	wg.Wait()
	codes := map[int]int{}
	var unexpected, leaks, fivexx []string
	for _, a := range answers {
		codes[a.code]++
		switch {
		case a.err != nil:
			unexpected = append(unexpected, fmt.Sprintf("%s: %v", a.probe.name, a.err))
		case strings.Contains(a.body, secret) || strings.Contains(a.body, "root:x:0:0") || strings.Contains(a.body, "PATH="):
			leaks = append(leaks, a.probe.name)
		case a.code >= 500:
			fivexx = append(fivexx, fmt.Sprintf("%s: %d", a.probe.name, a.code))
		case !a.probe.want(a.code):
			unexpected = append(unexpected, fmt.Sprintf("%s: %d", a.probe.name, a.code))
		}
	}
	var parts []string
	for c, n := range codes {
		name := fmt.Sprint(c)
		if c == 0 {
			name = "closed"
		}
		parts = append(parts, fmt.Sprintf("%s×%d", name, n))
	}
	sort.Strings(parts)
	rc.note("%d hostile requests (%d kinds × %d): %s", len(answers), len(probes), rounds, strings.Join(parts, " "))
	for _, list := range [][]string{unexpected, leaks, fivexx} {
		if len(list) > 0 {
			rc.note("e.g. %s", strings.Join(uniq(list, 4), "; "))
		}
	}
	rc.expect("answers as expected", len(unexpected) == 0, fmt.Sprintf("%d not", len(unexpected)))
	rc.expect("leaks 0", len(leaks) == 0, fmt.Sprint(len(leaks)))
	rc.expect("5xx 0", len(fivexx) == 0, fmt.Sprint(len(fivexx)))
	rc.expectNoFailures()
	rc.expectMem()
}

func uniq(list []string, n int) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] && len(out) < n {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func oversize(rc *runCtx) {
	endless := func(line string) func(io.Writer) {
		return func(w io.Writer) {
			io.WriteString(w, "GET /hello.txt HTTP/1.1\r\nHost: x\r\n")
			chunk := []byte(strings.Repeat(line, 64<<10/len(line)))
			for sent := 0; sent < 10<<20; sent += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}
	}
	bad := statusIn(400, 414, 431, 0)
	battery(rc, 10, []probe{
		{"request line 64 KiB", raw("GET /" + strings.Repeat("a", 64<<10) + " HTTP/1.1\r\nHost: x\r\n\r\n"), statusIn(414)},
		{"request line 9 KiB", raw("GET /" + strings.Repeat("a", 9<<10) + " HTTP/1.1\r\nHost: x\r\n\r\n"), statusIn(414)},
		{"method 64 KiB", raw(strings.Repeat("G", 64<<10) + " / HTTP/1.1\r\nHost: x\r\n\r\n"), bad},
		{"header field 64 KiB", raw("GET / HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("v", 64<<10) + "\r\n\r\n"), statusIn(400)},
		{"header name 16 KiB", raw("GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X", 16<<10) + ": v\r\n\r\n"), statusIn(400)},
		{"200 header fields", raw("GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-A: v\r\n", 200) + "\r\n"), statusIn(400)},
		{"10 MiB of header lines", endless("X-Flood: 0123456789\r\n"), bad},
		{"10 MiB header without end of line", endless("x"), bad},
		{"folded header 64 KiB", raw("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n" + strings.Repeat(" b\r\n", 16<<10) + "\r\n"), statusIn(400)},
		{"Content-Length 2^40", raw("POST /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1099511627776\r\n\r\n"), statusIn(413)},
		{"Content-Length overflow", raw("POST /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n"), statusIn(400, 413)},
		{"chunk size overflow", raw("POST /hello.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n"), statusIn(400, 405, 413, 0)},
	})
}

func badEncoding(rc *runCtx) {
	get := func(target string, hdr ...string) func(io.Writer) {
		return raw("GET " + target + " HTTP/1.1\r\nHost: x\r\n" + strings.Join(hdr, "") + "Connection: close\r\n\r\n")
	}
	notFound := statusIn(400, 403, 404)
	battery(rc, 10, []probe{
		{"%ff%fe", get("/%ff%fe"), notFound},
		{"raw 0xff 0xfe", get("/\xff\xfe.txt"), notFound},
		{"overlong UTF-8 slash %c0%af", get("/%c0%af"), notFound},
		{"overlong UTF-8 dots", get("/%c0%ae%c0%ae/outside/secret.txt"), notFound},
		{"truncated %", get("/hello.txt%"), statusIn(400)},
		{"truncated %2", get("/hello.txt%2"), statusIn(400)},
		{"non-hex %zz", get("/%zz"), statusIn(400)},
		{"%00", get("/hello.txt%00"), notFound},
		{"raw NUL", get("/hello\x00.txt"), statusIn(400)},
		{"%2f in path", get("/sub%2fa.txt"), notFound},
		{"encoded dot ok", get("/hello%2etxt"), statusIn(200)},
		{"raw 0x80 in header value", get("/hello.txt", "X-Bad: \x80\xff\xfe\r\n"), statusIn(200, 400)},
		{"control char in header value", get("/hello.txt", "X-Bad: a\x01b\r\n"), statusIn(200, 400)},
		{"raw 0xff in header name", get("/hello.txt", "X\xff: v\r\n"), statusIn(400)},
		{"garbage Host", get("/hello.txt", "Host: \xff\xfe%%\r\n"), statusIn(400)},
		{"CR alone in line", raw("GET /hello.txt HTTP/1.1\rHost: x\r\n\r\n"), statusIn(400)},
		{"bad version", raw("GET /hello.txt HTTP/9.x\r\nHost: x\r\n\r\n"), statusIn(400, 505)},
	})
}

func traversal(rc *runCtx) {
	get := func(target string) func(io.Writer) {
		return raw("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	}
	no := statusIn(400, 403, 404)
	battery(rc, 10, []probe{
		{"/../outside", get("/../outside/secret.txt"), no},
		{"/sub/../../outside", get("/sub/../../outside/secret.txt"), no},
		{"%2e%2e", get("/%2e%2e/outside/secret.txt"), no},
		{"%2E%2E upper", get("/%2E%2E/outside/secret.txt"), no},
		{".%2e", get("/.%2e/outside/secret.txt"), no},
		{"..%2f", get("/..%2foutside%2fsecret.txt"), no},
		{"%2e%2e%2f", get("/%2e%2e%2foutside/secret.txt"), no},
		{"..\\", get("/..\\outside\\secret.txt"), no},
		{"..%5c", get("/..%5coutside%5csecret.txt"), no},
		{"double-encoded %252e", get("/%252e%252e/outside/secret.txt"), no},
		{"/./.././", get("/./.././outside/secret.txt"), no},
		{"//..//", get("//..//outside/secret.txt"), no},
		{"deep ../", get(strings.Repeat("/..", 40) + "/etc/passwd"), no},
		{"absolute-form ../", get("http://x/../outside/secret.txt"), no},
		{"no leading slash", get("../outside/secret.txt"), no},
		{"/etc/passwd", get("/etc/passwd"), no},
		{"dir path inside ok", get("/sub/../hello.txt"), statusIn(200)},
	})
}

func symlinks(rc *runCtx) {
	get := func(target string) func(io.Writer) {
		return raw("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	}
	no := statusIn(403, 404)
	battery(rc, 10, []probe{
		{"link to ../outside file", get("/link-out.txt"), no},
		{"link to absolute path outside", get("/link-abs.txt"), no},
		{"through a link to a dir outside", get("/link-dir/secret.txt"), no},
		{"link up from a subdirectory", get("/sub/link-up.txt"), no},
		{"through a link to /etc", get("/link-etc/passwd"), no},
		{"link to /proc/self/environ", get("/link-proc-environ"), no},
		{"link loop", get("/sub/link-loop"), no},
		{"link inside the root ok", get("/link-inside.txt"), statusIn(200)},
	})
}
