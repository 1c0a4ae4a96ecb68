package e2e_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// TestKSignals drives the daemon the way apachectl does: -k start detaches
// and returns once the server serves; -k graceful and -k stop signal the
// pid in PidFile; messages and exit codes are Apache's.
func TestKSignals(t *testing.T) {
	httpd, _ := testbin.Build(t)
	root := newSite(t, "event", "mpm_event_module", "")
	ctl := func(arg string) (string, int) {
		cmd := exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-k", arg)
		out, _ := cmd.CombinedOutput()
		return string(out), cmd.ProcessState.ExitCode()
	}
	pidFile := filepath.Join(root, "run/httpd.pid")

	if out, code := ctl("stop"); code != 0 || out != "httpd (no pid file) not running\n" {
		t.Errorf("stop when not running: %d %q", code, out)
	}
	if out, code := ctl("start"); code != 0 || out != "" {
		t.Fatalf("start: %d %q", code, out)
	}
	// -k start returned: the server must already answer.
	b, err := os.ReadFile(filepath.Join(root, "run/addr"))
	must(t, err)
	in := &instance{t: t, addr: strings.TrimSpace(string(b))}
	if resp, body := in.get("/hello.txt"); resp.StatusCode != 200 || body != "hello, world\n" {
		t.Fatalf("after -k start: %d %q", resp.StatusCode, body)
	}
	pb, err := os.ReadFile(pidFile)
	must(t, err)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(pb)))
	t.Cleanup(func() {
		if alive(pid) {
			exec.Command("kill", "-9", strconv.Itoa(pid)).Run()
		}
	})
	if out, code := ctl("start"); code != 0 || out != "httpd (pid "+strconv.Itoa(pid)+") already running\n" {
		t.Errorf("second start: %d %q", code, out)
	}
	plugin := children(pid)
	if out, code := ctl("graceful"); code != 0 || out != "" {
		t.Errorf("graceful: %d %q", code, out)
	}
	if !eventually(10*time.Second, func() bool {
		k := children(pid)
		return len(k) == 1 && len(plugin) == 1 && k[0] != plugin[0]
	}) {
		t.Errorf("graceful did not start a new MPM generation: before %v, after %v", plugin, children(pid))
	}
	if resp, _ := in.get("/hello.txt"); resp.StatusCode != 200 {
		t.Errorf("after graceful: %d", resp.StatusCode)
	}
	if out, code := ctl("stop"); code != 0 || out != "" {
		t.Errorf("stop: %d %q", code, out)
	}
	if !eventually(10*time.Second, func() bool { return !alive(pid) }) {
		t.Fatal("server still running after -k stop")
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("pid file left behind: %v", err)
	}
	if out, code := ctl("graceful-stop"); code != 0 || out != "httpd (no pid file) not running\n" {
		t.Errorf("graceful-stop when not running: %d %q", code, out)
	}
}

// TestKGracefulChecksConfig: -k graceful with a config the MPM refuses
// prints the error, exits 1 and signals nothing (Apache's order).
func TestKGracefulChecksConfig(t *testing.T) {
	httpd, _ := testbin.Build(t)
	root := newSite(t, "event", "mpm_event_module", "")
	in := start(t, root)
	plugin := in.pluginPid()
	conf := filepath.Join(root, "httpd.conf")
	b, _ := os.ReadFile(conf)
	write(t, conf, string(b)+"NoSuchDirective 1\n")
	cmd := exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-k", "graceful")
	out, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(out), "Invalid command 'NoSuchDirective'") || !strings.Contains(string(out), "AH00526: Syntax error on line") {
		t.Errorf("-k graceful with a bad config: exit %d\n%s", cmd.ProcessState.ExitCode(), out)
	}
	time.Sleep(300 * time.Millisecond) // a wrongly sent USR1 would start a new generation now
	if k := children(in.cmd.Process.Pid); len(k) != 1 || k[0] != plugin {
		t.Errorf("the server was signalled: plugin %v, was %d", k, plugin)
	}
}
