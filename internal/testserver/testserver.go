// Package testserver runs a real server process for the end-to-end tests,
// the robustness suite and the benchmark: it writes a ServerRoot, starts
// httpd (or another server) in the foreground, waits until it answers,
// signals it, and stops it with a bound, reporting the processes it left
// behind. What the config says is the caller's.
package testserver

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/proctree"
)

// Basics is the part of an httpd config that Server relies on: one
// listener on a free loopback port, its address in run/addr for Ready,
// the pid file in run/ and the error log where ErrorLog and LogTail read.
const Basics = `Listen 127.0.0.1:0
ListenAddrFile run/addr
PidFile run/httpd.pid
ErrorLog logs/error_log
`

// WriteRoot makes the ServerRoot dir: run/, logs/ and htdocs/, every file
// of files (paths relative to dir; their directories are made) and
// httpd.conf holding conf, which should hold Basics.
func WriteRoot(dir, conf string, files map[string]string) error {
	for _, d := range []string{"run", "logs", "htdocs"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "httpd.conf"), []byte(conf), 0o644)
}

// Command is httpd run in the foreground on the ServerRoot dir.
func Command(httpd, dir string) *exec.Cmd {
	return exec.Command(httpd, "-d", dir, "-f", "httpd.conf", "-D", "FOREGROUND")
}

// Server is one running server process and the directory it runs in.
// Its methods may be called from several goroutines.
type Server struct {
	Dir     string    // ServerRoot (or nginx prefix)
	Cmd     *exec.Cmd // the top process
	Started time.Time // just before exec
	// Done is closed once the top process has exited; WaitErr is then
	// what Wait returned.
	Done    chan struct{}
	WaitErr error

	mu   sync.Mutex
	addr string
	seen map[int]proctree.Proc // every process of the tree ever sampled
}

// Start starts cmd, a server for dir, and watches for its exit. A command
// with neither Stdout nor Stderr writes both to dir/logs/stdio. Give cmd
// SysProcAttr.Setpgid for Terminate and Stop to reach the whole group.
// addr is the server's address when the caller chose it ("" for httpd
// with ListenAddrFile: Ready reads it).
func Start(cmd *exec.Cmd, dir, addr string) (*Server, error) {
	if cmd.Stdout == nil && cmd.Stderr == nil {
		out, err := os.Create(filepath.Join(dir, "logs", "stdio"))
		if err != nil {
			return nil, err
		}
		defer out.Close()
		cmd.Stdout, cmd.Stderr = out, out
	}
	s := &Server{Dir: dir, Cmd: cmd, Done: make(chan struct{}), addr: addr, seen: map[int]proctree.Proc{}}
	s.Started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.WaitErr = cmd.Wait(); close(s.Done) }()
	return s, nil
}

// Pid is the top process.
func (s *Server) Pid() int { return s.Cmd.Process.Pid }

// Addr is the address the server listens on, "" until Ready has read it.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Ready polls every poll until the server's address is known (the first
// line of dir/run/addr, httpd's ListenAddrFile, unless Start was given
// it) and ready(addr) holds, and returns the time from exec to then. It
// fails when the top process exits, ctx ends or limit passes; the error
// carries the end of the logs.
func (s *Server) Ready(ctx context.Context, limit, poll time.Duration, ready func(addr string) bool) (time.Duration, error) {
	deadline := time.Now().Add(limit)
	for {
		addr := s.Addr()
		if addr == "" {
			if b, err := os.ReadFile(filepath.Join(s.Dir, "run", "addr")); err == nil {
				if line, _, full := strings.Cut(string(b), "\n"); full && strings.Contains(line, ":") {
					addr = strings.TrimSpace(line)
					s.mu.Lock()
					s.addr = addr
					s.mu.Unlock()
				}
			}
		}
		if addr != "" && ready(addr) {
			return time.Since(s.Started), nil
		}
		select {
		case <-s.Done:
			return 0, fmt.Errorf("exited during startup (%v)%s", s.WaitErr, s.LogTail(5))
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(poll):
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("not ready within %v%s", limit, s.LogTail(5))
		}
	}
}

// Serves is a Ready condition: a GET of path answers 200 within timeout.
func Serves(path string, timeout time.Duration) func(addr string) bool {
	return func(addr string) bool {
		code, _, err := Get(addr, path, timeout)
		return err == nil && code == http.StatusOK
	}
}

// Signal sends sig to the top process.
func (s *Server) Signal(sig os.Signal) error { return s.Cmd.Process.Signal(sig) }

// Sample lists the process tree now and remembers every process in it
// for LeftBehind.
func (s *Server) Sample() proctree.Tree {
	t := proctree.Of(s.Pid())
	s.mu.Lock()
	for _, p := range t {
		s.seen[p.Pid] = p
	}
	s.mu.Unlock()
	return t
}

// Plugin is our MPM parent (the host's one child), 0 if there is none.
func (s *Server) Plugin() int {
	kids := s.Sample().ChildrenOf(s.Pid())
	if len(kids) != 1 {
		return 0
	}
	return kids[0]
}

// Children are our MPM's child processes.
func (s *Server) Children() []int {
	t := s.Sample()
	kids := t.ChildrenOf(s.Pid())
	if len(kids) != 1 {
		return nil
	}
	return t.ChildrenOf(kids[0])
}

// LeftBehind lists the processes of the server that still run: every
// one ever sampled, and any other in the process groups of the top
// process and of its children (our MPM parent leads its own group; a
// child may start between two samples).
func (s *Server) LeftBehind() []proctree.Proc {
	s.mu.Lock()
	defer s.mu.Unlock()
	groups := map[int]bool{s.Pid(): true}
	for _, p := range s.seen {
		if p.PPid == s.Pid() {
			groups[p.Pid] = true
		}
	}
	var out []proctree.Proc
	for _, p := range proctree.Live() {
		if seen, ok := s.seen[p.Pid]; (ok && seen.Start == p.Start) || groups[p.Pgrp] {
			out = append(out, p)
		}
	}
	return out
}

// WaitGone waits until limit has passed since from for LeftBehind to be
// empty, and returns how long after from that was, or the ones still
// running.
func (s *Server) WaitGone(from time.Time, limit time.Duration) (time.Duration, []proctree.Proc) {
	for {
		left := s.LeftBehind()
		if len(left) == 0 {
			return time.Since(from), nil
		}
		if time.Since(from) > limit {
			return time.Since(from), left
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Terminate sends SIGTERM, as an administrator would, unless the top
// process has exited, and waits up to grace for it to exit; then it kills
// it (its process group if it leads one) and says so.
func (s *Server) Terminate(grace time.Duration) error {
	select {
	case <-s.Done:
		return nil
	default:
	}
	s.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.Done:
		return nil
	case <-time.After(grace):
	}
	s.kill()
	<-s.Done
	return fmt.Errorf("did not exit within %v of SIGTERM", grace)
}

// kill sends SIGKILL to the process group the top process leads, or to
// the top process.
func (s *Server) kill() {
	if a := s.Cmd.SysProcAttr; a != nil && a.Setpgid && a.Pgid == 0 {
		syscall.Kill(-s.Pid(), syscall.SIGKILL)
		return
	}
	s.Cmd.Process.Kill()
}

// Stop is Terminate, then waits up to linger for every process of the
// server (LeftBehind) to be gone, kills those left and says how many.
func (s *Server) Stop(grace, linger time.Duration) error {
	s.Sample()
	var problems []string
	if err := s.Terminate(grace); err != nil {
		problems = append(problems, err.Error())
	}
	if _, left := s.WaitGone(time.Now(), linger); len(left) > 0 {
		for _, p := range left {
			syscall.Kill(p.Pid, syscall.SIGKILL)
		}
		problems = append(problems, fmt.Sprintf("%d processes still ran %v after the top one exited; killed", len(left), linger))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// ErrorLog is httpd's error log, logs/error_log.
func (s *Server) ErrorLog() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "logs", "error_log"))
	return string(b)
}

// LogTail is the last n lines of each of logs/stdio, logs/error_log and
// logs/error.log (nginx), for messages.
func (s *Server) LogTail(n int) string {
	var b strings.Builder
	for _, name := range []string{"stdio", "error_log", "error.log"} {
		data, err := os.ReadFile(filepath.Join(s.Dir, "logs", name))
		if err != nil || len(data) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > n {
			lines = lines[len(lines)-n:]
		}
		fmt.Fprintf(&b, "\n    logs/%s: %s", name, strings.Join(lines, "\n    "))
	}
	return b.String()
}

// Get sends one GET on a fresh connection (Connection: close) and returns
// the status and body.
func Get(addr, path string, timeout time.Duration) (int, string, error) {
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
