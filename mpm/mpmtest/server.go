package mpmtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/host/launch"
	"github.com/httpd-mpm/httpd-mpm/host/listen"
	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// Server is one plugin process under test, started the way httpd starts
// it: go-plugin handshake, the lifeline as fd 3, two
// listening sockets on 127.0.0.1 port 0 as fds 4 and 5, then Describe,
// Configure and Run. The test owns the sockets, as the host does.
type Server struct {
	// Desc is what the plugin's Describe returned.
	Desc mpm.Description
	// Addrs are the listening addresses, "127.0.0.1:PORT".
	Addrs []string
	// Root is the ServerRoot; the DocumentRoot is Root/htdocs.
	Root string

	t       testing.TB
	plugin  *launch.Plugin
	sockets []*listen.Socket
	stdout  lockedBuffer // what the plugin wrote to os.Stdout
	stderr  lockedBuffer // the plugin's log
	cancel  context.CancelFunc

	mu     sync.Mutex
	status *mpm.Status
	seen   map[identity]bool // every process of the plugin seen so far
	killed bool
}

// Files in the DocumentRoot of every Server.
const (
	indexBody = "mpmtest index\n"
	bigSize   = 64 << 20 // big.bin: too big for socket buffers, so sending it takes a while
)

// Start starts the plugin at path and configures it with the core
// settings of opts and its Settings; it fails the test if a step fails or
// Configure reports an error. The plugin is killed when the test ends.
func Start(t testing.TB, path string, opts Options) *Server {
	t.Helper()
	s, diags := start(t, path, opts)
	for _, d := range diags {
		if d.Severity == mpm.SeverityError {
			t.Fatalf("Configure: %s:%d: %s", d.File, d.Line, d.Message)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.plugin.Run(ctx); err != nil {
		t.Fatalf("Run: %v\n%s", err, s.stderr.String())
	}
	wctx, wcancel := context.WithCancel(context.Background())
	s.cancel = wcancel
	go func() {
		_ = s.plugin.Watch(wctx, func(st mpm.Status) {
			s.mu.Lock()
			s.status = &st
			s.mu.Unlock()
		})
	}()
	return s
}

// start launches the plugin and configures it, without Run.
func start(t testing.TB, path string, opts Options) (*Server, []mpm.Diagnostic) {
	t.Helper()
	opts = opts.withDefaults()
	root := t.TempDir()
	s := &Server{Root: root, t: t, seen: map[identity]bool{}}
	docs := filepath.Join(root, "htdocs")
	must(t, os.MkdirAll(filepath.Join(docs, "sub"), 0o755))
	must(t, os.WriteFile(filepath.Join(docs, "index.html"), []byte(indexBody), 0o644))
	must(t, os.WriteFile(filepath.Join(docs, "sub", "hello.txt"), []byte("hello\n"), 0o644))
	big, err := os.Create(filepath.Join(docs, "big.bin"))
	must(t, err)
	must(t, big.Truncate(bigSize)) // sparse: zeros that take no disk
	must(t, big.Close())
	for range 2 {
		sock, err := listen.Bind("127.0.0.1:0", 511)
		must(t, err)
		s.sockets = append(s.sockets, sock)
		s.Addrs = append(s.Addrs, sock.Addr)
	}
	t.Cleanup(s.cleanup)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// As the host does to serve: an mpm.EarlyChildServer starts its first
	// child while it is configured (no User/Group here: as the plugin's user).
	p, err := launch.Start(ctx, launch.Options{Path: path, Listeners: s.sockets, Output: func(int) io.Writer { return &s.stderr }, Stdout: &s.stdout, EarlyChild: true})
	if err != nil {
		t.Fatalf("start %s: %v\n%s", path, err, s.stderr.String())
	}
	s.plugin, s.Desc = p, p.Desc
	s.track()
	cfg := &mpm.Config{
		Core: mpm.Core{
			ServerRoot: root, ServerName: "localhost", DocumentRoot: docs, DirectoryIndex: []string{"index.html"},
			KeepAlive: true, KeepAliveTimeout: opts.KeepAliveTimeout, MaxKeepAliveRequests: 100,
			Timeout: 60 * time.Second, Software: "mpmtest",
		},
		LogLevel: "info",
		Settings: opts.Settings,
	}
	diags, err := p.Configure(ctx, cfg)
	if err != nil {
		t.Fatalf("Configure: %v\n%s", err, s.stderr.String())
	}
	return s, diags
}

func (s *Server) cleanup() {
	if s.cancel != nil {
		s.cancel()
	}
	if s.plugin != nil {
		s.Kill()
	}
	for _, sock := range s.sockets {
		sock.Close()
	}
	if s.t.Failed() {
		s.t.Logf("plugin stderr:\n%s", s.stderr.String())
	}
}

// Pid is the plugin process's pid.
func (s *Server) Pid() int { return s.plugin.Pid() }

// Status is the latest snapshot the plugin sent on Watch, nil before the
// first.
func (s *Server) Status() *mpm.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Stop calls the plugin's Stop and returns its error. It does not end the
// plugin process; Kill does, as the host does after Stop.
func (s *Server) Stop(graceful bool, timeout time.Duration) error {
	s.track()
	ctx, cancel := context.WithTimeout(context.Background(), timeout+stopSlack)
	defer cancel()
	err := s.plugin.Stop(ctx, graceful, timeout)
	if ctx.Err() != nil {
		s.t.Errorf("Stop(graceful=%v, timeout %v) did not return within %v more", graceful, timeout, stopSlack)
	}
	return err
}

// stopSlack is how much longer than its timeout Stop may take: killing
// and reaping children, process exit. A bound, not a measurement.
const stopSlack = 15 * time.Second

// Kill ends the plugin process the way the host does after Stop. The
// host's Kill returns once the plugin's stderr is closed; a process of
// the plugin that outlives it keeps stderr open, which fails the test and
// is then killed.
func (s *Server) Kill() {
	s.mu.Lock()
	killed := s.killed
	s.killed = true
	s.mu.Unlock()
	if killed {
		return
	}
	s.track()
	done := make(chan struct{})
	go func() { s.plugin.Kill(); close(done) }()
	select {
	case <-done:
		return
	case <-time.After(stopSlack):
	}
	left := s.processes()
	s.t.Errorf("the plugin was killed, but its processes live on and hold its stderr:%s", describe(left))
	for _, pid := range left {
		if p, err := os.FindProcess(pid); err == nil {
			_ = p.Kill()
		}
	}
	<-done
}

// Stdout is what the plugin process wrote to its standard output after the
// handshake: it must be nothing.
func (s *Server) Stdout() string { return s.stdout.String() }

// Log is what the plugin wrote to stderr so far.
func (s *Server) Log() string { return s.stderr.String() }

// URL is http://ADDR/path for the i-th listener.
func (s *Server) URL(i int, path string) string { return "http://" + s.Addrs[i] + path }

// Get performs a GET with a client of its own and returns the response
// with its body read.
func (s *Server) Get(url string) (*http.Response, string, error) {
	c := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(url)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(resp.Body)
	return resp, b.String(), err
}

// Dial opens a TCP connection to the i-th listener.
func (s *Server) Dial(i int) net.Conn {
	s.t.Helper()
	c, err := net.DialTimeout("tcp", s.Addrs[i], 10*time.Second)
	must(s.t, err)
	s.t.Cleanup(func() { c.Close() })
	return c
}

// track records the processes of the plugin: its process group (the
// plugin and the children that did not leave it) and its descendants.
func (s *Server) track() {
	pids := family(s.plugin.Pid())
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range pids {
		if id, ok := identify(p); ok {
			s.seen[id] = true
		}
	}
}

// processes lists every process of the plugin seen so far that is still
// alive (not a zombie).
func (s *Server) processes() []int {
	s.track()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for id := range s.seen {
		if id.alive() {
			out = append(out, id.pid)
		}
	}
	return out
}

// lockedBuffer is testbin.SyncBuffer.
type lockedBuffer = testbin.SyncBuffer

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// eventually is testbin.Eventually.
func eventually(limit time.Duration, cond func() bool) bool { return testbin.Eventually(limit, cond) }

func describe(pids []int) string {
	var b strings.Builder
	for _, p := range pids {
		fmt.Fprintf(&b, " %d(%s)", p, cmdline(p))
	}
	return b.String()
}
