package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/proctree"
	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/internal/testserver"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

func build(t testing.TB) (httpd, modules string) { return testbin.Build(t) }

// instance is one running httpd on 127.0.0.1 port 0.
type instance struct {
	t       testing.TB
	srv     *testserver.Server
	root    string
	cmd     *exec.Cmd     // srv.Cmd
	addr    string        // srv.Addr()
	stderr  *syncBuffer   // what httpd wrote to stderr
	done    chan struct{} // srv.Done
	modules string
}

// siteConfig is the test configuration; %[1]s is the MPM name, %[2]s its
// module, %[3]s the modules directory; extra is appended.
const siteConfig = `LoadModule %[2]s %[3]s/mod_mpm_%[1]s.so
` + testserver.Basics + `LogLevel info
DocumentRoot htdocs
TypesConfig /etc/mime.types
KeepAliveTimeout 5
<IfModule mpm_prefork_module>
    StartServers 3
    MinSpareServers 3
    MaxSpareServers 4
    MaxRequestWorkers 3
</IfModule>
<IfModule mpm_worker_module>
    StartServers 2
    ThreadsPerChild 4
    MinSpareThreads 8
    MaxSpareThreads 13
    MaxRequestWorkers 8
</IfModule>
<IfModule mpm_event_module>
    StartServers 2
    ThreadsPerChild 4
    MinSpareThreads 8
    MaxSpareThreads 13
    MaxRequestWorkers 8
</IfModule>
%[4]s
`

// newSite makes a ServerRoot with a document tree and a config for mpm.
func newSite(t testing.TB, mpmName, module, extra string) string {
	t.Helper()
	_, modules := build(t)
	root := t.TempDir()
	must(t, testserver.WriteRoot(root, fmt.Sprintf(siteConfig, mpmName, module, modules, extra), map[string]string{
		"htdocs/index.html":     "<html><body>index page</body></html>\n",
		"htdocs/hello.txt":      "hello, world\n",
		"htdocs/sub/index.html": "sub index\n",
		"htdocs/big.bin":        strings.Repeat("0123456789abcdef", 64*1024), // 1 MiB
	}))
	must(t, os.Mkdir(filepath.Join(root, "htdocs/noindex"), 0o755))
	return root
}

// reachableByNobody lets other users (children running as User nobody)
// through every directory from root up to the temporary directory it is
// in, which it leaves alone (a shared /tmp stays 1777).
func reachableByNobody(t testing.TB, root string) {
	t.Helper()
	tmp := filepath.Clean(os.TempDir())
	for d := filepath.Clean(root); strings.HasPrefix(d, tmp+string(filepath.Separator)); d = filepath.Dir(d) {
		must(t, os.Chmod(d, 0o755))
	}
}

// needsRoot skips t, saying "needs root" and why (what for), unless it
// runs as root; under CI, which runs as root, it fails t instead: there
// the test must run.
func needsRoot(t testing.TB, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI runs as root: this test must run there, as root")
		}
		t.Skip("needs root " + why)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func write(t testing.TB, path, content string) {
	t.Helper()
	must(t, os.WriteFile(path, []byte(content), 0o644))
}

// start runs httpd in the foreground on root and waits until it serves.
func start(t testing.TB, root string) *instance {
	t.Helper()
	httpd, _ := build(t)
	return startCmd(t, root, testserver.Command(httpd, root))
}

// startCmd is start with the command given (a wrapper such as
// systemd-socket-activate, or extra environment).
func startCmd(t testing.TB, root string, cmd *exec.Cmd) *instance {
	t.Helper()
	_, modules := build(t)
	in := &instance{t: t, root: root, stderr: new(syncBuffer), modules: modules}
	cmd.Stderr = in.stderr
	srv, err := testserver.Start(cmd, root, "")
	must(t, err)
	in.srv, in.cmd, in.done = srv, srv.Cmd, srv.Done
	t.Cleanup(func() {
		srv.Terminate(10 * time.Second)
		if t.Failed() {
			t.Logf("stderr:\n%s\nerror_log:\n%s", in.stderr, srv.ErrorLog())
		}
	})
	// Serving once the address is known and the pid file written.
	_, err = srv.Ready(context.Background(), 20*time.Second, 20*time.Millisecond, func(string) bool {
		_, err := os.Stat(filepath.Join(root, "run/httpd.pid"))
		return err == nil
	})
	if err != nil {
		t.Fatalf("httpd: %v\n%s", err, in.stderr)
	}
	in.addr = srv.Addr()
	return in
}

func (in *instance) url(path string) string { return "http://" + in.addr + path }

// get performs a GET with a fresh client and returns status, headers, body.
func (in *instance) get(path string, hdr ...string) (*http.Response, string) {
	in.t.Helper()
	req, err := http.NewRequest("GET", in.url(path), nil)
	must(in.t, err)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	must(in.t, err)
	defer resp.Body.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(resp.Body)
	must(in.t, err)
	return resp, b.String()
}

// raw sends raw request bytes on a new connection and returns everything
// the server sends until it closes (or 5 s pass).
func (in *instance) raw(req string) string {
	in.t.Helper()
	c, err := net.Dial("tcp", in.addr)
	must(in.t, err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	_, err = c.Write([]byte(req))
	must(in.t, err)
	var b bytes.Buffer
	b.ReadFrom(c)
	return b.String()
}

// signal sends sig to the host.
func (in *instance) signal(sig syscall.Signal) {
	in.t.Helper()
	must(in.t, in.srv.Signal(sig))
}

// wait waits for the host to exit and returns its exit code.
func (in *instance) wait() int {
	in.t.Helper()
	select {
	case <-in.done:
		return in.cmd.ProcessState.ExitCode()
	case <-time.After(30 * time.Second):
		in.t.Fatal("httpd did not exit")
		return -1
	}
}

// children lists the pids whose parent is pid, zombies included.
func children(pid int) []int { return proctree.Children(pid) }

// ppid is pid's parent, -1 once pid is reaped.
func ppid(pid int) int {
	if p, ok := proctree.Stat(pid); ok {
		return p.PPid
	}
	return -1
}

// threadCount is pid's number of threads, -1 once it is gone.
func threadCount(pid int) int { return proctree.Threads(pid) }

// alive reports whether pid runs: a zombie is not alive.
func alive(pid int) bool { return proctree.Alive(pid) }

// eventually is testbin.Eventually.
func eventually(limit time.Duration, cond func() bool) bool { return testbin.Eventually(limit, cond) }

// readyChildren (the site needs statusLocation) waits until the MPM's children have all started (no slot
// of the scoreboard is 'S', starting up) and returns them. A child still in
// its runtime's start-up is not yet what a test of serving children means.
func (in *instance) readyChildren() []int {
	in.t.Helper()
	plugin := in.pluginPid()
	var kids []int
	eventually(10*time.Second, func() bool {
		kids = children(plugin)
		return len(kids) > 0 && !strings.Contains(in.auto().values["Scoreboard"], "S") && slices.Equal(kids, children(plugin))
	})
	return kids
}

// executedChildren waits up to 10 s for the MPM process plugin to have n
// children that have all executed their program, and returns them (fewer or
// more if it does not come to that). A child between fork and exec (os/exec's
// vfork) still shows the MPM's image and environment; StartChild gives every
// child wire.ChildEnv, which the MPM's own environment does not have.
func executedChildren(plugin, n int) []int {
	executed := func(pid int) bool {
		env, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		return slices.ContainsFunc(strings.Split(string(env), "\x00"), func(kv string) bool {
			return strings.HasPrefix(kv, wire.ChildEnv+"=")
		})
	}
	var kids []int
	eventually(10*time.Second, func() bool {
		kids = children(plugin)
		return len(kids) == n && !slices.ContainsFunc(kids, func(k int) bool { return !executed(k) })
	})
	return kids
}

// pluginPid is the MPM plugin process: the host's one child.
func (in *instance) pluginPid() int {
	in.t.Helper()
	var kids []int
	eventually(5*time.Second, func() bool { kids = children(in.cmd.Process.Pid); return len(kids) == 1 })
	if len(kids) != 1 {
		in.t.Fatalf("host has %d child processes (%v), want 1 plugin", len(kids), kids)
	}
	return kids[0]
}

// syncBuffer is testbin.SyncBuffer.
type syncBuffer = testbin.SyncBuffer
