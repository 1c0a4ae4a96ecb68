package mpmtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

func checkHandshake(t *testing.T, path string, _ Options) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HTTPD_MPM_") && !strings.HasPrefix(kv, "PLUGIN_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("run by hand: %v; want exit status 1", err)
	}
	if stdout.Len() > 0 {
		t.Errorf("run by hand, it wrote to stdout: %q", stdout.String())
	}
	if stderr.Len() == 0 {
		t.Errorf("run by hand, it said nothing on stderr; it should say what it is")
	}
}

func checkDescribe(t *testing.T, path string, opts Options) {
	s, diags := start(t, path, opts)
	d := s.Desc
	if name, ok := strings.CutSuffix(d.Module, "_module"); !ok || name == "" {
		t.Errorf("Module %q: want NAME_module, as LoadModule names it", d.Module)
	}
	if d.Name == "" {
		t.Errorf("Name is empty")
	}
	seen := map[string]bool{}
	for _, dir := range d.Directives {
		key := strings.ToLower(dir.Name)
		switch {
		case dir.Name == "":
			t.Errorf("a directive has no name")
		case seen[key]:
			t.Errorf("directive %s is declared twice", dir.Name)
		}
		seen[key] = true
		if lo, hi := dir.ArgRange(); lo < 0 || (hi >= 0 && hi < lo) {
			t.Errorf("directive %s: argument range %d..%d", dir.Name, lo, hi)
		}
		if dir.Default == "" {
			continue
		}
		switch dir.Kind {
		case mpm.KindInt:
			n, err := strconv.ParseInt(dir.Default, 10, 64)
			if err != nil {
				t.Errorf("directive %s: default %q is not a whole number", dir.Name, dir.Default)
			} else if (dir.Min != 0 || dir.Max != 0) && (n < dir.Min || n > dir.Max) {
				t.Errorf("directive %s: default %d is outside %d..%d", dir.Name, n, dir.Min, dir.Max)
			}
		case mpm.KindFlag:
			if !strings.EqualFold(dir.Default, "on") && !strings.EqualFold(dir.Default, "off") {
				t.Errorf("directive %s: default %q is not On or Off", dir.Name, dir.Default)
			}
		}
	}
	for _, dg := range diags {
		if dg.Severity == mpm.SeverityError {
			t.Errorf("Configure with the defaults: %s:%d: %s", dg.File, dg.Line, dg.Message)
		}
	}
}

func checkConfigErrors(t *testing.T, path string, opts Options) {
	probe, _ := start(t, path, opts)
	i := slices.IndexFunc(probe.Desc.Directives, func(d mpm.Directive) bool { return d.Kind == mpm.KindInt })
	if i < 0 {
		t.Skip("the MPM has no numeric directive")
	}
	const file, line = "/etc/httpd/mpmtest.conf", 42
	name := probe.Desc.Directives[i].Name
	opts.Settings = append(slices.Clip(opts.Settings), mpm.Setting{Name: name, Args: []string{"lots"}, File: file, Line: line})
	_, diags := start(t, path, opts)
	for _, d := range diags {
		if d.Severity == mpm.SeverityError && d.File == file && d.Line == line {
			return
		}
	}
	t.Errorf("Configure(%s lots at %s:%d) = %+v; want an error at that file and line", name, file, line, diags)
}

func checkServe(t *testing.T, path string, opts Options) {
	s := Start(t, path, opts)
	for i := range s.Addrs {
		for _, c := range []struct {
			path   string
			status int
			body   string
		}{
			{"/", 200, indexBody},
			{"/sub/hello.txt", 200, "hello\n"},
			{"/missing.txt", 404, ""},
		} {
			resp, body, err := s.Get(s.URL(i, c.path))
			if err != nil {
				t.Errorf("GET %s: %v", s.URL(i, c.path), err)
				continue
			}
			if resp.StatusCode != c.status || (c.body != "" && body != c.body) {
				t.Errorf("GET %s = %d %q; want %d %q", s.URL(i, c.path), resp.StatusCode, body, c.status, c.body)
			}
		}
	}
}

// request sends a GET on c and reads the whole response.
func request(t *testing.T, c net.Conn, br *bufio.Reader, path string) (*http.Response, string) {
	t.Helper()
	must(t, c.SetDeadline(time.Now().Add(30*time.Second)))
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: mpmtest\r\n\r\n", path); err != nil {
		t.Fatalf("send GET %s: %v", path, err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s body: %v", path, err)
	}
	return resp, string(b)
}

func checkKeepAlive(t *testing.T, path string, opts Options) {
	s := Start(t, path, opts)
	c := s.Dial(0)
	br := bufio.NewReader(c)
	for i := range 3 {
		resp, body := request(t, c, br, "/sub/hello.txt")
		if resp.StatusCode != 200 || body != "hello\n" {
			t.Fatalf("request %d on one connection = %d %q", i+1, resp.StatusCode, body)
		}
		if resp.Close {
			t.Fatalf("request %d: the server closed a keep-alive connection (Connection: close)", i+1)
		}
	}
}

func checkConcurrent(t *testing.T, path string, opts Options) {
	s := Start(t, path, opts)
	const clients, each = 16, 8
	var wg sync.WaitGroup
	errs := make(chan error, clients*each)
	for c := range clients {
		wg.Go(func() {
			for range each {
				resp, body, err := s.Get(s.URL(c%len(s.Addrs), "/"))
				switch {
				case err != nil:
					errs <- err
				case resp.StatusCode != 200 || body != indexBody:
					errs <- fmt.Errorf("GET / = %d %q", resp.StatusCode, body)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// scoreboardChars are the characters of Apache's scoreboard string.
const scoreboardChars = "_SRWKDCLGI."

func checkStatus(t *testing.T, path string, opts Options) {
	s := Start(t, path, opts)
	const n = 20
	for i := range n {
		if resp, _, err := s.Get(s.URL(i%2, "/")); err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET /: %v %v", resp, err)
		}
	}
	var st *mpm.Status
	if !eventually(20*time.Second, func() bool { st = s.Status(); return st != nil && st.TotalAccesses >= n }) {
		t.Fatalf("Watch: %+v; want a status that counts the %d requests served (TotalAccesses)", st, n)
	}
	if st.Processes < 1 {
		t.Errorf("Processes = %d; want at least 1", st.Processes)
	}
	if st.BusyWorkers+st.IdleWorkers < 1 {
		t.Errorf("BusyWorkers %d + IdleWorkers %d: want at least one worker (see mpm.Status: a worker serves one connection at a time)", st.BusyWorkers, st.IdleWorkers)
	}
	if strings.Trim(st.Scoreboard, scoreboardChars) != "" {
		t.Errorf("Scoreboard %q has characters outside %q", st.Scoreboard, scoreboardChars)
	}
	if len(st.Scoreboard) < st.BusyWorkers+st.IdleWorkers {
		t.Errorf("Scoreboard %q is shorter than BusyWorkers+IdleWorkers (%d)", st.Scoreboard, st.BusyWorkers+st.IdleWorkers)
	}
	if procAvailable {
		ours := s.processes()
		for _, pid := range st.Pids {
			if !slices.Contains(ours, pid) {
				t.Errorf("Pids lists %d, which is not a live process of the plugin (%v)", pid, ours)
			}
		}
	}
}

// startBig sends GET /big.bin on a new connection and reads the response
// head.
func startBig(t *testing.T, s *Server) (*http.Response, net.Conn) {
	t.Helper()
	c := s.Dial(1)
	must(t, c.SetDeadline(time.Now().Add(60*time.Second)))
	if _, err := io.WriteString(c, "GET /big.bin HTTP/1.1\r\nHost: mpmtest\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET /big.bin: %v", err)
	}
	if resp.StatusCode != 200 || resp.ContentLength != bigSize {
		t.Fatalf("GET /big.bin = %d, Content-Length %d; want 200, %d", resp.StatusCode, resp.ContentLength, bigSize)
	}
	return resp, c
}

func checkGracefulStopDrains(t *testing.T, path string, opts Options) {
	s := Start(t, path, opts)
	idle := s.Dial(0)
	idleR := bufio.NewReader(idle)
	if resp, _ := request(t, idle, idleR, "/"); resp.Close {
		t.Fatal("the first response on a connection closed it")
	}
	// quiet is a keep-alive connection that sends nothing more: a
	// graceful stop closes it DrainIdle after the stop, not at
	// KeepAliveTimeout.
	quiet := s.Dial(1)
	quietR := bufio.NewReader(quiet)
	if resp, _ := request(t, quiet, quietR, "/"); resp.Close {
		t.Fatal("the first response on a connection closed it")
	}
	big, _ := startBig(t, s)
	head := make([]byte, 1<<20)
	if _, err := io.ReadFull(big.Body, head); err != nil {
		t.Fatalf("read the start of /big.bin: %v", err)
	}

	opts = opts.withDefaults()
	drainBound := min(opts.KeepAliveTimeout, http1.DrainIdle) + drainSlack
	stopAt := time.Now()
	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop(true, 60*time.Second) }()
	quietEnd := make(chan error, 1)
	go func() {
		if err := quiet.SetReadDeadline(stopAt.Add(drainBound)); err != nil {
			quietEnd <- err
			return
		}
		n, err := quietR.Read(make([]byte, 1))
		switch {
		case n == 0 && errors.Is(err, io.EOF):
			quietEnd <- nil
		case errors.Is(err, os.ErrDeadlineExceeded):
			quietEnd <- fmt.Errorf("a keep-alive connection idle during a graceful stop was still open %v after the stop; "+
				"it must be closed http1.DrainIdle (%v) after it (KeepAliveTimeout is %v): see http1.Server.StartDraining and Conn.EndIdleWait",
				drainBound, http1.DrainIdle, opts.KeepAliveTimeout)
		default:
			quietEnd <- fmt.Errorf("a keep-alive connection idle during a graceful stop should end with EOF; read %d bytes, %v", n, err)
		}
	}()

	// The idle keep-alive connection is not cut: its next request is
	// answered (with Connection: close once the MPM drains), and then the
	// server closes it, cleanly.
	resp, body := request(t, idle, idleR, "/sub/hello.txt")
	if resp.StatusCode != 200 || body != "hello\n" {
		t.Errorf("request on an idle keep-alive connection during a graceful stop = %d %q", resp.StatusCode, body)
	}
	// If it came before the MPM drained, it was answered with keep-alive
	// and waits again: DrainIdle at most.
	must(t, idle.SetReadDeadline(time.Now().Add(drainBound)))
	if n, err := idleR.Read(make([]byte, 1)); n != 0 || !errors.Is(err, io.EOF) {
		t.Errorf("after that response the connection should end with EOF within %v; read %d bytes, %v", drainBound, n, err)
	}
	if err := <-quietEnd; err != nil {
		t.Error(err)
	}

	// The in-flight response is sent whole.
	rest, err := io.Copy(io.Discard, big.Body)
	if err != nil || int64(len(head))+rest != bigSize {
		t.Errorf("/big.bin during a graceful stop: got %d of %d bytes, %v", int64(len(head))+rest, bigSize, err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("graceful Stop: %v", err)
	}
	// Stop returns once every child has exited: only the plugin is left.
	if procAvailable {
		left := slices.DeleteFunc(s.processes(), func(p int) bool { return p == s.Pid() })
		if len(left) > 0 {
			t.Errorf("after Stop returned, processes of the plugin are still running:%s", describe(left))
		}
	}
}

func checkStopWithinTimeout(t *testing.T, path string, opts Options) {
	for _, graceful := range []bool{true, false} {
		t.Run(fmt.Sprintf("graceful=%v", graceful), func(t *testing.T) {
			s := Start(t, path, opts)
			// A client that never reads: the response blocks once the
			// socket buffers are full, and no drain can finish it.
			startBig(t, s)
			const timeout = 2 * time.Second
			_ = s.Stop(graceful, timeout) // an error saying children were killed is fine
			if procAvailable {
				var left []int
				if !eventually(stopSlack, func() bool {
					left = slices.DeleteFunc(s.processes(), func(p int) bool { return p == s.Pid() })
					return len(left) == 0
				}) {
					t.Errorf("after Stop(graceful=%v, %v) returned, processes of the plugin are still running:%s", graceful, timeout, describe(left))
				}
			}
		})
	}
}

func checkNoStdout(t *testing.T, path string, opts Options) {
	if !procAvailable {
		t.Skip("needs /proc")
	}
	s := Start(t, path, opts)
	for i := range 10 {
		if _, _, err := s.Get(s.URL(i%2, "/")); err != nil {
			t.Fatal(err)
		}
	}
	handshake := fdTarget(s.Pid(), 1)
	for _, pid := range s.processes() {
		// A child caught between its fork and its exec still has the
		// plugin's descriptors (the maintenance pass may be starting one):
		// only one that keeps the handshake channel holds it.
		holds := func() bool { return fdTarget(pid, 1) == handshake }
		if pid != s.Pid() && handshake != "" && holds() && !eventually(time.Second, func() bool { return !holds() }) {
			t.Errorf("child %d (%s) holds the plugin's stdout, go-plugin's handshake channel, as its fd 1", pid, cmdline(pid))
		}
	}
	_ = s.Stop(true, 30*time.Second)
	s.Kill()
	if out := s.Stdout(); out != "" {
		t.Errorf("the plugin wrote to stdout: %q", out)
	}
}

func checkNoLeaks(t *testing.T, path string, opts Options) {
	if !procAvailable {
		t.Skip("needs /proc")
	}
	s := Start(t, path, opts)
	get := func(n int) {
		for i := range n {
			if resp, _, err := s.Get(s.URL(i%2, "/")); err != nil || resp.StatusCode != 200 {
				t.Fatalf("GET /: %v %v", resp, err)
			}
		}
	}
	get(30)
	// The baseline is taken once the counts hold still for a second: a
	// child forked for spares just now (under load, slowly) is still
	// opening its runtime's and its MPM's descriptors.
	var base map[int]int
	for range 15 {
		prev := base
		base = map[int]int{}
		for _, pid := range s.processes() {
			base[pid] = fdCount(pid)
		}
		if maps.Equal(prev, base) {
			break
		}
		time.Sleep(time.Second)
	}
	get(300)
	const slack = 4 // descriptors a Go process may open lazily
	var grown []string
	if !eventually(20*time.Second, func() bool {
		grown = nil
		for pid, n := range base {
			if now := fdCount(pid); now > n+slack {
				grown = append(grown, fmt.Sprintf("pid %d (%s): %d descriptors, %d before", pid, cmdline(pid), now, n))
			}
		}
		return len(grown) == 0
	}) {
		t.Errorf("descriptors grow with connections served:\n%s", strings.Join(grown, "\n"))
	}

	_ = s.Stop(true, 30*time.Second)
	s.Kill()
	var left []int
	if !eventually(stopSlack, func() bool { left = s.processes(); return len(left) == 0 }) {
		t.Errorf("processes of the plugin outlive it:%s", describe(left))
	}
	for i, sock := range s.sockets {
		if pids := holders(sock.File); len(pids) > 0 {
			t.Errorf("after the plugin ended, listening socket %s is still held by%s", s.Addrs[i], describe(pids))
		}
		c, err := net.DialTimeout("tcp", s.Addrs[i], 10*time.Second)
		if err != nil {
			t.Errorf("after the plugin ended, %s no longer listens (was it shut down?): %v", s.Addrs[i], err)
			continue
		}
		c.Close()
	}
}
