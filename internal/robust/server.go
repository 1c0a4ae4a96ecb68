//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testserver"
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
	b.WriteString("ServerName 127.0.0.1\n" + testserver.Basics)
	fmt.Fprintf(&b, `LogLevel info
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

// server is one running httpd and the MPM it runs.
type server struct {
	*testserver.Server
	mpm string
}

// writeSite makes a ServerRoot with config conf: documents, a secret
// outside the document root and symlinks that lead to it.
func writeSite(dir, conf string) error {
	files := map[string]string{
		"htdocs/index.html":  "<html><body>robust</body></html>\n",
		"htdocs/hello.txt":   helloBody,
		"htdocs/sub/a.txt":   "a\n",
		"htdocs/big.bin":     strings.Repeat("0123456789abcdef", bigSize/16),
		"outside/secret.txt": secret + "\n",
	}
	if err := testserver.WriteRoot(dir, conf, files); err != nil {
		return err
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
	conf := configFor(mpm, filepath.Join(l.repo, "modules"), extra, asUser && os.Geteuid() == 0)
	if err := writeSite(dir, conf); err != nil {
		return nil, err
	}
	if prepare != nil {
		if err := prepare(dir); err != nil {
			return nil, err
		}
	}
	cmd := testserver.Command(filepath.Join(l.repo, "bin", "httpd"), dir)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	ts, err := testserver.Start(cmd, dir, "")
	if err != nil {
		return nil, err
	}
	s := &server{Server: ts, mpm: mpm}
	l.live.Store(s, true)
	if _, err := s.Ready(context.Background(), 20*time.Second, 20*time.Millisecond, testserver.Serves("/hello.txt", time.Second)); err != nil {
		s.stop()
		return nil, fmt.Errorf("httpd: %w", err)
	}
	// Wait until the pool has its StartServers children, so that every
	// scenario starts from the same shape.
	want := map[string]int{"prefork": 8, "worker": 2, "event": 2}[mpm]
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if len(s.Children()) >= want {
			break
		}
	}
	s.Sample()
	return s, nil
}

// stop ends the server with SIGTERM, as an administrator would, and
// reports processes that outlived it by more than 5 s (they are killed).
func (s *server) stop() error { return s.Stop(15*time.Second, 5*time.Second) }
