package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/proctree"
	"github.com/httpd-mpm/httpd-mpm/internal/testserver"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
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
	*testserver.Server
	lab  *lab
	t    target
	conf string // its config file
}

// linkedHttpd builds httpd with mpm linked in, and the MPM's child
// program beside it, as `make MPM=mpm` does, once per run, into the
// scratch directory.
func (l *lab) linkedHttpd(mpm string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := filepath.Join(l.scratch, "linked-"+mpm, "httpd")
	child := filepath.Join(filepath.Dir(out), wire.ChildProgram(mpm))
	_, err1 := os.Stat(out)
	_, err2 := os.Stat(child)
	if err1 == nil && err2 == nil {
		return out, nil
	}
	for _, argv := range [][]string{
		{"env", "CGO_ENABLED=0", "go", "build", "-tags", "mpm_" + mpm + "," + wire.BuildTags, "-o", out, "./cmd/httpd"},
		{"env", "CGO_ENABLED=0", "go", "build", "-tags", "mpmchild", "-o", child, "./plugins/" + mpm + "/child"},
	} {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = l.repo
		if b, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, b)
		}
		l.cmds.add("build "+mpm+" linked in", argv)
	}
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
	s := &server{lab: l, t: t}
	var argv []string
	var addr string // known at start for Apache and nginx
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
		argv = testserver.Command(httpd, dir).Args
	case kindApache:
		port, perr := freePort()
		if perr != nil {
			return nil, perr
		}
		addr = "127.0.0.1:" + strconv.Itoa(port)
		s.conf = filepath.Join(dir, "httpd.conf")
		err = os.WriteFile(s.conf, []byte(apacheConfig(t.MPM, dir, l.docroot, port, l.asRoot)), 0o644)
		argv = []string{"apache2", "-d", dir, "-f", s.conf, "-D", "FOREGROUND"}
	case kindNginx:
		port, perr := freePort()
		if perr != nil {
			return nil, perr
		}
		addr = "127.0.0.1:" + strconv.Itoa(port)
		s.conf = filepath.Join(dir, "nginx.conf")
		err = os.WriteFile(s.conf, []byte(nginxConfig(dir, l.docroot, port)), 0o644)
		argv = []string{"nginx", "-p", dir, "-e", filepath.Join(dir, "logs", "error.log"), "-c", s.conf, "-g", "daemon off;"}
	default:
		return nil, fmt.Errorf("unknown server kind %q", t.Kind)
	}
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	l.cmds.add("start "+t.Name, argv)
	if s.Server, err = testserver.Start(cmd, dir, addr); err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.live[s] = true
	l.mu.Unlock()
	return s, nil
}

// ready polls with connect + GET every few milliseconds until the server
// answers 200, and returns the time from exec to that answer.
func (s *server) ready(ctx context.Context, path string, limit time.Duration) (time.Duration, error) {
	return s.Ready(ctx, limit, 2*time.Millisecond, testserver.Serves(path, 500*time.Millisecond))
}

// reload asks for a graceful restart: SIGUSR1 for ours and Apache
// (apache2 -k graceful), SIGHUP for nginx (nginx -s reload).
func (s *server) reload(cmds *commandLog) error {
	sig, name := syscall.SIGUSR1, "-USR1"
	if s.t.Kind == kindNginx {
		sig, name = syscall.SIGHUP, "-HUP"
	}
	cmds.add("graceful restart", []string{"kill", name, "$" + strings.ToUpper(s.t.Kind) + "_PID"})
	return s.Signal(sig)
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

// pss is the memory of the whole process tree (host + MPM plugin +
// children; Apache parent + children; nginx master + workers), in bytes:
// the sum of their proportional set sizes, in which a page shared by n
// processes counts 1/n in each, so the sum is the tree's footprint.
// (Summed resident sizes count a shared page once per process: for 64
// prefork children of a 20 MB Go binary, most of them its text, that
// overstated ours about six times, and Apache's less.)
func (s *server) pss() int64 { return proctree.Of(s.Pid()).PSS() }

// stop sends SIGTERM, waits, then kills the process group and any
// process of the server still alive. It reports processes that needed
// killing.
func (s *server) stop() error {
	defer func() {
		s.lab.mu.Lock()
		delete(s.lab.live, s)
		s.lab.mu.Unlock()
	}()
	return s.Stop(15*time.Second, 5*time.Second)
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
