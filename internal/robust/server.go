//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The server every scenario starts: short timeouts so that hostile
// clients are cut within seconds, and the same capacity (16 workers) for
// every MPM. As root, children run as nobody.
const (
	serverTimeout    = 4 * time.Second // Timeout
	keepAliveTimeout = 2 * time.Second // KeepAliveTimeout
	capacity         = 16              // MaxRequestWorkers
	threadsPerChild  = 8
)

// Document root content.
const (
	helloBody = "hello, robust world\n"
	secret    = "SECRET-OUTSIDE-DOCROOT" // in a file next to, not inside, htdocs
	bigSize   = 1 << 20
)

func configFor(mpm, modules, extra string, nobody bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "LoadModule mpm_%[1]s_module %[2]s/mod_mpm_%[1]s.so\n", mpm, modules)
	fmt.Fprintf(&b, `ServerName 127.0.0.1
Listen 127.0.0.1:0
ListenAddrFile run/addr
PidFile run/httpd.pid
ErrorLog logs/error_log
LogLevel info
DocumentRoot htdocs
TypesConfig /etc/mime.types
KeepAlive On
KeepAliveTimeout %d
Timeout %d
RequestReadTimeout body=%d,MinRate=500
`, int(keepAliveTimeout/time.Second), int(serverTimeout/time.Second), int(serverTimeout/time.Second))
	if nobody {
		b.WriteString("User nobody\nGroup " + nobodyGroup() + "\n")
	}
	fmt.Fprintf(&b, "<IfModule mpm_prefork_module>\n    StartServers 8\n    MinSpareServers 4\n    MaxSpareServers 12\n    MaxRequestWorkers %d\n</IfModule>\n", capacity)
	for _, m := range []string{"worker", "event"} {
		fmt.Fprintf(&b, "<IfModule mpm_%s_module>\n    StartServers 2\n    ThreadsPerChild %d\n    MinSpareThreads %[2]d\n    MaxSpareThreads %d\n    MaxRequestWorkers %[3]d\n</IfModule>\n",
			m, threadsPerChild, capacity)
	}
	b.WriteString(extra)
	return b.String()
}

// nobodyGroup is nobody's primary group ("nogroup" on Debian).
func nobodyGroup() string {
	if u, err := user.Lookup("nobody"); err == nil {
		if g, err := user.LookupGroupId(u.Gid); err == nil {
			return g.Name
		}
		return "#" + u.Gid
	}
	return "#65534"
}

// server is one running httpd and the directory it runs in.
type server struct {
	dir     string
	mpm     string
	cmd     *exec.Cmd
	addr    string
	done    chan struct{}
	waitErr error

	mu   sync.Mutex
	seen map[int]pstat // every process of the tree ever sampled
}

// writeSite makes a ServerRoot: documents, a secret outside the document
// root and symlinks that lead to it.
func writeSite(dir string) error {
	for _, d := range []string{"htdocs/sub", "outside", "run", "logs"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	files := map[string]string{
		"htdocs/index.html":  "<html><body>robust</body></html>\n",
		"htdocs/hello.txt":   helloBody,
		"htdocs/sub/a.txt":   "a\n",
		"htdocs/big.bin":     strings.Repeat("0123456789abcdef", bigSize/16),
		"outside/secret.txt": secret + "\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	links := map[string]string{
		"htdocs/link-out.txt":      "../outside/secret.txt",
		"htdocs/link-abs.txt":      filepath.Join(dir, "outside/secret.txt"),
		"htdocs/link-dir":          "../outside",
		"htdocs/sub/link-up.txt":   "../../outside/secret.txt",
		"htdocs/link-etc":          "/etc",
		"htdocs/link-inside.txt":   "hello.txt",
		"htdocs/sub/link-loop":     "link-loop",
		"htdocs/link-proc-environ": "/proc/self/environ",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// startServer writes the site and config under dir and starts httpd in
// the foreground, in its own process group, then waits until it serves.
// prepare, if set, runs on the directory before httpd starts.
// As root, children run as nobody unless asUser is false. env is added
// to httpd's environment.
func (l *lab) startServer(name, mpm, extra string, env []string, asUser bool, prepare func(dir string) error) (*server, error) {
	dir := filepath.Join(l.scratch, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := writeSite(dir); err != nil {
		return nil, err
	}
	if prepare != nil {
		if err := prepare(dir); err != nil {
			return nil, err
		}
	}
	conf := configFor(mpm, filepath.Join(l.repo, "modules"), extra, asUser && os.Geteuid() == 0)
	if err := os.WriteFile(filepath.Join(dir, "httpd.conf"), []byte(conf), 0o644); err != nil {
		return nil, err
	}
	stdio, err := os.Create(filepath.Join(dir, "logs", "stdio"))
	if err != nil {
		return nil, err
	}
	defer stdio.Close()
	s := &server{dir: dir, mpm: mpm, done: make(chan struct{}), seen: map[int]pstat{}}
	s.cmd = exec.Command(filepath.Join(l.repo, "bin", "httpd"), "-d", dir, "-f", "httpd.conf", "-D", "FOREGROUND")
	s.cmd.Stdout, s.cmd.Stderr = stdio, stdio
	if len(env) > 0 {
		s.cmd.Env = append(os.Environ(), env...)
	}
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	l.live.Store(s, true)
	go func() { s.waitErr = s.cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "run", "addr")); err == nil && bytes.HasSuffix(b, []byte("\n")) {
			s.addr = strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
			if code, _, err := get(s.addr, "/hello.txt", time.Second); err == nil && code == 200 {
				break
			}
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("httpd exited at startup (%v)%s", s.waitErr, s.logTail())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("httpd did not serve within 20s%s", s.logTail())
		}
	}
	// Wait until the pool has its StartServers children, so that every
	// scenario starts from the same shape.
	want := map[string]int{"prefork": 8, "worker": 2, "event": 2}[mpm]
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if len(s.children()) >= want {
			break
		}
	}
	s.sample()
	return s, nil
}

// hostPid is the httpd process.
func (s *server) hostPid() int { return s.cmd.Process.Pid }

// tree samples the process tree and remembers every process in it.
func (s *server) sample() ptree {
	t := processTree(s.hostPid())
	s.mu.Lock()
	for _, p := range t {
		s.seen[p.pid] = p
	}
	s.mu.Unlock()
	return t
}

// plugin is the MPM parent (the host's one child), 0 if there is none.
func (s *server) plugin() int {
	kids := s.sample().childrenOf(s.hostPid())
	if len(kids) != 1 {
		return 0
	}
	return kids[0]
}

// children are the MPM's child processes.
func (s *server) children() []int {
	t := s.sample()
	kids := t.childrenOf(s.hostPid())
	if len(kids) != 1 {
		return nil
	}
	return t.childrenOf(kids[0])
}

// leftBehind lists the processes of the server that still run: every
// one ever seen in its tree, and any other in the process groups of the
// host and of its MPM parents (a child started between two samples).
func (s *server) leftBehind() []pstat {
	s.mu.Lock()
	defer s.mu.Unlock()
	groups := map[int]bool{s.hostPid(): true}
	for _, p := range s.seen {
		if p.ppid == s.hostPid() {
			groups[p.pid] = true // an MPM parent leads its own group
		}
	}
	var out []pstat
	for _, p := range allProcesses() {
		if seen, ok := s.seen[p.pid]; (ok && seen.start == p.start) || groups[p.pgrp] {
			out = append(out, p)
		}
	}
	return out
}

// waitGone waits up to limit for every process ever seen to be gone and
// returns how long that took, or the ones still running.
func (s *server) waitGone(from time.Time, limit time.Duration) (time.Duration, []pstat) {
	for {
		left := s.leftBehind()
		if len(left) == 0 {
			return time.Since(from), nil
		}
		if time.Since(from) > limit {
			return time.Since(from), left
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop ends the server with SIGTERM, as an administrator would, and
// reports processes that outlived it by more than 5 s (they are killed).
func (s *server) stop() error {
	s.sample()
	select {
	case <-s.done:
	default:
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
			syscall.Kill(-s.hostPid(), syscall.SIGKILL)
			<-s.done
			return errors.New("httpd did not exit within 15s of SIGTERM")
		}
	}
	if _, left := s.waitGone(time.Now(), 5*time.Second); len(left) > 0 {
		for _, p := range left {
			syscall.Kill(p.pid, syscall.SIGKILL)
		}
		return fmt.Errorf("%d processes still ran 5s after httpd exited; killed", len(left))
	}
	return nil
}

// errorLog is the server's error log.
func (s *server) errorLog() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "logs", "error_log"))
	return string(b)
}

// logTail is the end of the error log and of what httpd printed.
func (s *server) logTail() string {
	stdio, _ := os.ReadFile(filepath.Join(s.dir, "logs", "stdio"))
	return "\n    " + lastLines(string(stdio)+s.errorLog(), 6)
}

// get sends one GET on a fresh connection and returns the status and body.
func get(addr, path string, timeout time.Duration) (int, string, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return 0, "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, addr); err != nil {
		return 0, "", err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	_, err = body.ReadFrom(resp.Body)
	return resp.StatusCode, body.String(), err
}
