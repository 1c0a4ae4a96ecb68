package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Server kinds.
const (
	kindOurs   = "ours"
	kindApache = "apache"
	kindNginx  = "nginx"
)

// target is one server to measure: a kind and, except for nginx, an MPM.
type target struct {
	Name string // "ours-event", "apache-prefork", "nginx", "ours-event-linked"
	Kind string
	MPM  string
	// Linked is ours with the MPM linked into httpd (make MPM=NAME) and
	// run in its process, instead of the plugin: it runs only the
	// scenarios marked Linked, to compare the two forms.
	Linked bool
}

// allTargets lists every server, ours beside Apache with the same MPM,
// then ours with each MPM linked in.
func allTargets() []target {
	var ts []target
	mpms := []string{"prefork", "worker", "event"}
	for _, m := range mpms {
		ts = append(ts, target{kindOurs + "-" + m, kindOurs, m, false}, target{kindApache + "-" + m, kindApache, m, false})
	}
	ts = append(ts, target{kindNginx, kindNginx, "", false})
	for _, m := range mpms {
		ts = append(ts, target{kindOurs + "-" + m + "-linked", kindOurs, m, true})
	}
	return ts
}

// lab holds what every server shares: binaries, the document root and a
// scratch directory in which each start gets its own root.
type lab struct {
	repo    string // repository: bin/httpd and modules/
	scratch string // everything the run writes, removed at the end
	docroot string
	asRoot  bool
	cmds    *commandLog

	mu   sync.Mutex
	n    int
	live map[*server]bool
}

// server is one running server process tree.
type server struct {
	lab     *lab
	t       target
	dir     string // its ServerRoot / nginx prefix
	conf    string // its config file
	cmd     *exec.Cmd
	addr    string // host:port, known at start for Apache and nginx
	started time.Time
	done    chan struct{} // closed when the top process has exited
	waitErr error
}

// linkedHttpd builds httpd with mpm linked in, as `make MPM=mpm` does,
// once per run, into the scratch directory.
func (l *lab) linkedHttpd(mpm string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := filepath.Join(l.scratch, "linked-"+mpm, "httpd")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	argv := []string{"go", "build", "-tags", "mpm_" + mpm, "-o", out, "./cmd/httpd"}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = l.repo
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, b)
	}
	l.cmds.add("build "+mpm+" linked in", argv)
	return out, os.Chmod(filepath.Dir(out), 0o755)
}

// newDir makes a fresh, world-readable directory for one start.
func (l *lab) newDir(name string) (string, error) {
	l.mu.Lock()
	l.n++
	dir := filepath.Join(l.scratch, fmt.Sprintf("%s-%d", name, l.n))
	l.mu.Unlock()
	for _, sub := range []string{"run", "logs", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return "", err
		}
	}
	return dir, os.Chmod(dir, 0o755)
}

// freePort asks the kernel for an unused port on 127.0.0.1.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// start writes a config for t and starts the server in the foreground,
// in its own process group. It does not wait for readiness.
func (l *lab) start(t target) (*server, error) {
	dir, err := l.newDir(t.Name)
	if err != nil {
		return nil, err
	}
	s := &server{lab: l, t: t, dir: dir, done: make(chan struct{})}
	var argv []string
	switch t.Kind {
	case kindOurs:
		httpd := filepath.Join(l.repo, "bin", "httpd")
		if t.Linked {
			httpd, err = l.linkedHttpd(t.MPM)
		} else if _, err = os.Stat(httpd); err != nil {
			err = fmt.Errorf("%s not built (make build)", httpd)
		}
		if err != nil {
			return nil, err
		}
		s.conf = filepath.Join(dir, "httpd.conf")
		err = os.WriteFile(s.conf, []byte(oursConfig(t.MPM, filepath.Join(l.repo, "modules"), l.docroot, t.Linked)), 0o644)
		argv = []string{httpd, "-d", dir, "-f", "httpd.conf", "-D", "FOREGROUND"}
	case kindApache:
		port, perr := freePort()
		if perr != nil {
			return nil, perr
		}
		s.addr = "127.0.0.1:" + strconv.Itoa(port)
		s.conf = filepath.Join(dir, "httpd.conf")
		err = os.WriteFile(s.conf, []byte(apacheConfig(t.MPM, dir, l.docroot, port, l.asRoot)), 0o644)
		argv = []string{"apache2", "-d", dir, "-f", s.conf, "-D", "FOREGROUND"}
	case kindNginx:
		port, perr := freePort()
		if perr != nil {
			return nil, perr
		}
		s.addr = "127.0.0.1:" + strconv.Itoa(port)
		s.conf = filepath.Join(dir, "nginx.conf")
		err = os.WriteFile(s.conf, []byte(nginxConfig(dir, l.docroot, port)), 0o644)
		argv = []string{"nginx", "-p", dir, "-e", filepath.Join(dir, "logs", "error.log"), "-c", s.conf, "-g", "daemon off;"}
	default:
		return nil, fmt.Errorf("unknown server kind %q", t.Kind)
	}
	if err != nil {
		return nil, err
	}
	out, err := os.Create(filepath.Join(dir, "logs", "stdio"))
	if err != nil {
		return nil, err
	}
	defer out.Close()
	s.cmd = exec.Command(argv[0], argv[1:]...)
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = out, out
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	l.cmds.add("start "+t.Name, argv)
	s.started = time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.live[s] = true
	l.mu.Unlock()
	go func() { s.waitErr = s.cmd.Wait(); close(s.done) }()
	return s, nil
}

// ready polls with connect + GET every few milliseconds until the server
// answers 200, and returns the time from exec to that answer.
func (s *server) ready(ctx context.Context, path string, limit time.Duration) (time.Duration, error) {
	deadline := time.Now().Add(limit)
	for {
		if s.addr == "" { // ours: the bound address appears in ListenAddrFile
			if b, err := os.ReadFile(filepath.Join(s.dir, "run", "addr")); err == nil {
				if line, _, _ := strings.Cut(string(b), "\n"); strings.Contains(line, ":") {
					s.addr = strings.TrimSpace(line)
				}
			}
		}
		if s.addr != "" {
			if code, err := get(s.addr, path, 500*time.Millisecond); err == nil && code == http.StatusOK {
				return time.Since(s.started), nil
			}
		}
		select {
		case <-s.done:
			return 0, fmt.Errorf("exited during startup (%v)%s", s.waitErr, s.logTail())
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("no 200 on %s within %v%s", path, limit, s.logTail())
		}
	}
}

// get sends one GET on a fresh connection and returns the status code.
func get(addr, path string, timeout time.Duration) (int, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, addr); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// reload asks for a graceful restart: SIGUSR1 for ours and Apache
// (apache2 -k graceful), SIGHUP for nginx (nginx -s reload).
func (s *server) reload(cmds *commandLog) error {
	sig, name := syscall.SIGUSR1, "-USR1"
	if s.t.Kind == kindNginx {
		sig, name = syscall.SIGHUP, "-HUP"
	}
	cmds.add("graceful restart", []string{"kill", name, "$" + strings.ToUpper(s.t.Kind) + "_PID"})
	return s.cmd.Process.Signal(sig)
}

// swapMPM rewrites the LoadModule line of our config to name mpm; the
// next reload starts it on the same sockets.
func (s *server) swapMPM(from, mpm string, cmds *commandLog) error {
	cmds.add("MPM swap, before the graceful restart", []string{"sed", "-i", "s/mpm_" + from + "/mpm_" + mpm + "/g", s.conf})
	b, err := os.ReadFile(s.conf)
	if err != nil {
		return err
	}
	lines := strings.Split(string(b), "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, "LoadModule mpm_") {
			lines[i] = loadModuleLine(mpm, filepath.Join(s.lab.repo, "modules"))
		}
	}
	return os.WriteFile(s.conf, []byte(strings.Join(lines, "\n")), 0o644)
}

// rss is the resident memory of the whole process tree.
func (s *server) pss() int64 { return treePSS(s.cmd.Process.Pid) }

// stop sends SIGTERM, waits, then kills the process group and any
// descendant still alive. It reports processes that needed killing.
func (s *server) stop() error {
	defer func() {
		s.lab.mu.Lock()
		delete(s.lab.live, s)
		s.lab.mu.Unlock()
	}()
	procs := tree(s.cmd.Process.Pid)
	var problems []string
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		problems = append(problems, "did not exit within 15s of SIGTERM")
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
	// Children exit shortly after their parent; give them a moment.
	var left []proc
	for end := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		left = left[:0]
		for _, p := range procs {
			if p.alive() {
				left = append(left, p)
			}
		}
		if len(left) == 0 || time.Now().After(end) {
			break
		}
	}
	if len(left) > 0 {
		problems = append(problems, fmt.Sprintf("%d processes still alive 5s after the parent exited; killed", len(left)))
		for _, p := range left {
			syscall.Kill(p.pid, syscall.SIGKILL)
		}
	}
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL) // anything left in the group
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// stopAll stops every server still running (on error or interrupt).
func (l *lab) stopAll() {
	l.mu.Lock()
	var ss []*server
	for s := range l.live {
		ss = append(ss, s)
	}
	l.mu.Unlock()
	for _, s := range ss {
		s.stop()
	}
}

// logTail is the end of the server's error log and stdio, for messages.
func (s *server) logTail() string {
	var b strings.Builder
	for _, name := range []string{"stdio", "error_log", "error.log"} {
		data, err := os.ReadFile(filepath.Join(s.dir, "logs", name))
		if err != nil || len(data) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > 5 {
			lines = lines[len(lines)-5:]
		}
		fmt.Fprintf(&b, "\n    logs/%s: %s", name, strings.Join(lines, "\n    "))
	}
	return b.String()
}

// newLab makes the scratch directory (readable by Apache's and nginx's
// unprivileged children) and the shared documents.
func newLab(repo string) (*lab, error) {
	scratch, err := os.MkdirTemp("", "httpd-mpm-bench-")
	if err != nil {
		return nil, err
	}
	l := &lab{repo: repo, scratch: scratch, docroot: filepath.Join(scratch, "htdocs"),
		asRoot: os.Geteuid() == 0, cmds: &commandLog{scratch: scratch, repo: repo}, live: map[*server]bool{}}
	if err := l.writeDocs(); err != nil {
		os.RemoveAll(scratch)
		return nil, err
	}
	return l, nil
}

// slowFile is the large file of the slow-reader row.
const slowFile = "50m.bin"

// writeDocs makes the document root every server serves: a 1 KiB, a
// 100 KiB and a 50 MiB file and an index page.
func (l *lab) writeDocs() error {
	if err := os.Chmod(l.scratch, 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(l.docroot, 0o755); err != nil {
		return err
	}
	docs := map[string]int{"1k.bin": 1024, "100k.bin": 100 * 1024, slowFile: 50 << 20}
	for name, size := range docs {
		body := []byte(strings.Repeat("0123456789abcdef", size/16+1)[:size])
		if err := os.WriteFile(filepath.Join(l.docroot, name), body, 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(l.docroot, "index.html"), []byte("<html><body>bench</body></html>\n"), 0o644)
}
