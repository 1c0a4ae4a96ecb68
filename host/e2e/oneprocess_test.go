package e2e_test

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// oneProcessMPMs are the built-in MPMs with their modules.
var oneProcessMPMs = []struct{ name, module string }{
	{"prefork", "mpm_prefork_module"}, {"worker", "mpm_worker_module"}, {"event", "mpm_event_module"},
}

// startOneProcess runs httpd with flags (-X, or a Define that means the
// same) on a site whose config asks for several children (StartServers 3
// for prefork, 2 for worker and event).
func startOneProcess(t *testing.T, name, module, extra string, flags ...string) *instance {
	t.Helper()
	root := newSite(t, name, module, extra)
	httpd, _ := build(t)
	return startCmd(t, root, exec.Command(httpd, append([]string{"-d", root, "-f", "httpd.conf"}, flags...)...))
}

// onlyChild checks, over several maintenance passes of the MPM (one a
// second), that the plugin has exactly one child process and that it
// stays the same one, and returns it.
func onlyChild(t *testing.T, in *instance, plugin int) int {
	t.Helper()
	var first []int
	for i := 0; i < 12; i++ {
		kids := children(plugin)
		if len(kids) != 1 {
			t.Fatalf("plugin %d has %d child processes %v under -X, want 1", plugin, len(kids), kids)
		}
		if first == nil {
			first = kids
		} else if !slices.Equal(kids, first) {
			t.Fatalf("plugin %d's child changed from %v to %v under -X", plugin, first, kids)
		}
		time.Sleep(250 * time.Millisecond)
	}
	return first[0]
}

// get200 asks for /hello.txt on a connection of its own and checks the
// answer.
func get200(t *testing.T, in *instance) {
	t.Helper()
	resp := in.raw("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(resp, "HTTP/1.1 200 ") || !strings.HasSuffix(resp, "hello, world\n") {
		t.Fatalf("GET /hello.txt under -X: %q", resp)
	}
}

// TestOneProcessKillChild: with -X each MPM serves from exactly one child
// process, which is not replaced: killing it ends httpd (status 0, as
// Apache's -X process ends with its one process), leaving no process
// behind.
func TestOneProcessKillChild(t *testing.T) {
	for _, m := range oneProcessMPMs {
		t.Run(m.name, func(t *testing.T) {
			in := startOneProcess(t, m.name, m.module, "", "-X")
			plugin := in.pluginPid()
			get200(t, in)
			child := onlyChild(t, in, plugin)
			get200(t, in)
			if err := syscall.Kill(child, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			if code := in.wait(); code != 0 {
				t.Errorf("httpd -X exited with %d after its child was killed, want 0", code)
			}
			for _, p := range []int{plugin, child} {
				if !eventually(5*time.Second, func() bool { return !alive(p) }) {
					t.Errorf("process %d still alive after httpd -X exited", p)
				}
			}
			want := fmt.Sprintf("the one serving process (pid %d) has exited: shutting down (ONE_PROCESS mode, -X)", child)
			if log := in.srv.ErrorLog(); !strings.Contains(log, want) {
				t.Errorf("error log lacks %q:\n%s", want, log)
			}
		})
	}
}

// TestOneProcessSignals: under -X, SIGUSR1 and SIGHUP restart nothing
// (Apache installs no restart handler in ONE_PROCESS mode): the same
// plugin and the same child keep serving; SIGTERM then stops httpd with
// status 0.
func TestOneProcessSignals(t *testing.T) {
	for _, m := range oneProcessMPMs {
		t.Run(m.name, func(t *testing.T) {
			in := startOneProcess(t, m.name, m.module, "", "-X")
			plugin := in.pluginPid()
			child := onlyChild(t, in, plugin)
			for _, sig := range []struct {
				name string
				sig  syscall.Signal
			}{{"SIGUSR1", syscall.SIGUSR1}, {"SIGHUP", syscall.SIGHUP}} {
				in.signal(sig.sig)
				want := sig.name + " received: no restart in ONE_PROCESS mode (-X); ignored"
				if !eventually(10*time.Second, func() bool { return strings.Contains(in.srv.ErrorLog(), want) }) {
					t.Errorf("error log lacks %q:\n%s", want, in.srv.ErrorLog())
				}
			}
			if got := in.pluginPid(); got != plugin {
				t.Errorf("plugin changed from %d to %d after SIGUSR1 and SIGHUP under -X", plugin, got)
			}
			if got := onlyChild(t, in, plugin); got != child {
				t.Errorf("child changed from %d to %d after SIGUSR1 and SIGHUP under -X", child, got)
			}
			get200(t, in)
			in.signal(syscall.SIGTERM)
			if code := in.wait(); code != 0 {
				t.Errorf("httpd -X exited with %d on SIGTERM, want 0", code)
			}
			for _, p := range []int{plugin, child} {
				if !eventually(5*time.Second, func() bool { return !alive(p) }) {
					t.Errorf("process %d still alive after httpd -X stopped", p)
				}
			}
		})
	}
}

// TestOneProcessMaxConnectionsPerChild: with -D ONE_PROCESS (Apache's
// other spelling of -X, which does not detach either) the one child
// ending by itself at MaxConnectionsPerChild ends httpd with status 0, as
// Apache's does.
func TestOneProcessMaxConnectionsPerChild(t *testing.T) {
	in := startOneProcess(t, "event", "mpm_event_module", "MaxConnectionsPerChild 2\n", "-D", "ONE_PROCESS")
	if kids := children(in.pluginPid()); len(kids) != 1 {
		t.Errorf("plugin has %d child processes %v under -D ONE_PROCESS, want 1", len(kids), kids)
	}
	get200(t, in)
	get200(t, in)
	if code := in.wait(); code != 0 {
		t.Errorf("httpd -X exited with %d after MaxConnectionsPerChild, want 0", code)
	}
}

// TestOneProcessStoppedChildKept: under -X the one child may sit stopped
// in a debugger: the MPM does not take it for hung (HangTimeout is 6 s
// here) and it serves again once continued.
func TestOneProcessStoppedChildKept(t *testing.T) {
	in := startOneProcess(t, "prefork", "mpm_prefork_module", healthExtra, "-X")
	child := onlyChild(t, in, in.pluginPid())
	must(t, syscall.Kill(child, syscall.SIGSTOP))
	defer syscall.Kill(child, syscall.SIGCONT) // if the test fails
	time.Sleep(2 * 6 * time.Second)            // twice HangTimeout
	if !alive(child) {
		t.Fatalf("stopped child %d was ended under -X:\n%s", child, in.srv.ErrorLog())
	}
	if log := in.srv.ErrorLog(); strings.Contains(log, "is hung") {
		t.Errorf("a stopped child was taken for hung under -X:\n%s", log)
	}
	must(t, syscall.Kill(child, syscall.SIGCONT))
	get200(t, in)
}

// TestOneProcessLinked: the MPM linked into httpd (`make MPM=event`) under
// -X: the host itself is the MPM parent, with exactly one child, and
// killing that child ends httpd.
func TestOneProcessLinked(t *testing.T) {
	httpd := testbin.Static(t, "event")
	root := newSite(t, "event", "mpm_event_module", "")
	linkedSite(t, root)
	in := startCmd(t, root, exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-X"))
	get200(t, in)
	child := onlyChild(t, in, in.cmd.Process.Pid)
	must(t, syscall.Kill(child, syscall.SIGKILL))
	if code := in.wait(); code != 0 {
		t.Errorf("linked httpd -X exited with %d after its child was killed, want 0", code)
	}
}
