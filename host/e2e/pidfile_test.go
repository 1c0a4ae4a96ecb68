package e2e_test

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testserver"
)

// pidFileFailure matches apache2's two lines for a PID file it cannot
// create in root/nodir.
func pidFileFailure(t *testing.T, root, errorLog string) {
	t.Helper()
	path := regexp.QuoteMeta(filepath.Join(root, "nodir/httpd.pid"))
	for _, re := range []string{
		`\[core:error\] \[pid \d+\] \(2\)No such file or directory: AH00099: could not create ` + path + `\.\d+\n`,
		`\[core:error\] \[pid \d+\] AH00100: httpd: could not log pid to file ` + path + `\n`,
	} {
		if !regexp.MustCompile(re).MatchString(errorLog) {
			t.Errorf("error log lacks %s", re)
		}
	}
}

// refused checks that nothing listens on addr any more.
func refused(t *testing.T, addr string) {
	t.Helper()
	if c, err := net.DialTimeout("tcp", addr, 5*time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections", addr)
	}
}

// exitsWith1 starts httpd's cmd on root and checks that it exits 1 within
// 30 s, as it does on a configuration it refuses.
func exitsWith1(t *testing.T, cmd *exec.Cmd, root string) *testserver.Server {
	t.Helper()
	srv, err := testserver.Start(cmd, root, "")
	must(t, err)
	t.Cleanup(func() { srv.Terminate(10 * time.Second) })
	select {
	case <-srv.Done:
	case <-time.After(30 * time.Second):
		t.Fatalf("httpd still runs%s", srv.LogTail(5))
	}
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	return srv
}

// TestPidFileUnwritableAtStart: a PidFile in a directory that does not
// exist makes httpd log AH00099 and AH00100 and exit 1, as apache2 does,
// before the MPM runs (no AH00489), with nothing left listening.
func TestPidFileUnwritableAtStart(t *testing.T) {
	httpd, _ := build(t)
	root := newSite(t, "event", "mpm_event_module", "PidFile nodir/httpd.pid")
	cmd := testserver.Command(httpd, root)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	srv := exitsWith1(t, cmd, root)
	pidFileFailure(t, root, srv.ErrorLog())
	if strings.Contains(srv.ErrorLog(), "resuming normal operations") {
		t.Errorf("the MPM ran (apache2 writes the PID file before):\n%s", srv.ErrorLog())
	}
	b, err := os.ReadFile(filepath.Join(root, "run/addr"))
	must(t, err)
	refused(t, strings.TrimSpace(string(b)))
}

// TestPidFileUnwritableAtRestart: a restart whose new PidFile cannot be
// written ends the server, exit 1, as apache2's (USR1 and HUP alike): the
// old and the new generation's processes are gone, the old PID file stays.
func TestPidFileUnwritableAtRestart(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			root := newSite(t, "event", "mpm_event_module", "")
			in := start(t, root)
			if kids := in.srv.Children(); len(kids) == 0 {
				t.Fatal("no MPM children")
			}
			conf := filepath.Join(root, "httpd.conf")
			b, err := os.ReadFile(conf)
			must(t, err)
			write(t, conf, string(b)+"PidFile nodir/httpd.pid\n")
			in.signal(sig)
			if code := in.wait(); code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			pidFileFailure(t, root, in.srv.ErrorLog())
			if _, left := in.srv.WaitGone(time.Now(), 10*time.Second); len(left) > 0 {
				t.Errorf("processes left running: %v", left)
			}
			refused(t, in.addr)
			if b, err := os.ReadFile(filepath.Join(root, "run/httpd.pid")); err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(in.cmd.Process.Pid) {
				t.Errorf("the old PID file holds %q (%v), want the host's pid", b, err)
			}
		})
	}
}

// TestPidFileRewrittenAtRestart: a restart writes PidFile again, as
// apache2's MPM does at each generation: a PidFile changed meanwhile names
// the new file, without AH00098 (apache2 warns only at start), and a stop
// removes that one.
func TestPidFileRewrittenAtRestart(t *testing.T) {
	root := newSite(t, "event", "mpm_event_module", "")
	in := start(t, root)
	conf := filepath.Join(root, "httpd.conf")
	b, err := os.ReadFile(conf)
	must(t, err)
	write(t, conf, string(b)+"PidFile run/other.pid\n")
	in.signal(syscall.SIGUSR1)
	other := filepath.Join(root, "run/other.pid")
	pid := strconv.Itoa(in.cmd.Process.Pid)
	if !eventually(20*time.Second, func() bool {
		b, _ := os.ReadFile(other)
		return strings.TrimSpace(string(b)) == pid
	}) {
		t.Fatalf("after USR1, %s does not hold the host's pid %s", other, pid)
	}
	// A second restart writes it again, over the file there.
	in.signal(syscall.SIGUSR1)
	if !eventually(20*time.Second, func() bool {
		return strings.Count(in.srv.ErrorLog(), "AH00493") == 2 && strings.Count(in.srv.ErrorLog(), "serving; retiring") == 2
	}) {
		t.Fatal("the second graceful restart did not complete")
	}
	if strings.Contains(in.srv.ErrorLog(), "AH00098") {
		t.Errorf("a restart warned about the PID file it wrote:\n%s", in.srv.ErrorLog())
	}
	in.signal(syscall.SIGTERM)
	if code := in.wait(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Errorf("%s left after stop: %v", other, err)
	}
}

// TestKStartPidFileUnwritable: -k start waits for the detached server,
// which cannot write its PidFile: it exits 1, with AH00099 and AH00100 in
// the error log and nothing on its streams, and nothing is left listening.
// apache2 2.4.71 exits 0 there, having detached before it writes the file
// (README: a difference kept, so that apachectl sees the failure).
func TestKStartPidFileUnwritable(t *testing.T) {
	httpd, _ := build(t)
	root := newSite(t, "event", "mpm_event_module", "PidFile nodir/httpd.pid")
	cmd := exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-k", "start")
	out, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 1 || len(out) != 0 {
		t.Errorf("-k start: exit %d, output %q; want 1 and none", code, out)
	}
	b, err := os.ReadFile(filepath.Join(root, "logs/error_log"))
	must(t, err)
	pidFileFailure(t, root, string(b))
	b, err = os.ReadFile(filepath.Join(root, "run/addr"))
	must(t, err)
	refused(t, strings.TrimSpace(string(b)))
}

// TestListenAddrFileFollowsNoSymlink: a symlink planted at ListenAddrFile's
// path (its directory may be one User can write) is replaced by the file,
// as the PID file is, not written through: its target keeps its contents.
func TestListenAddrFileFollowsNoSymlink(t *testing.T) {
	root := newSite(t, "event", "mpm_event_module", "")
	victim := filepath.Join(root, "victim")
	write(t, victim, "precious\n")
	addrFile := filepath.Join(root, "run/addr")
	os.Remove(addrFile)
	must(t, os.Symlink(victim, addrFile))
	in := start(t, root)
	if resp, _ := in.get("/hello.txt", "Connection", "close"); resp.StatusCode != 200 {
		t.Fatalf("GET /hello.txt: %d", resp.StatusCode)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
		t.Errorf("the symlink's target now holds %q", b)
	}
	fi, err := os.Lstat(addrFile)
	must(t, err)
	b, _ := os.ReadFile(addrFile)
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o644 || !strings.Contains(string(b), ":") {
		t.Errorf("ListenAddrFile is %v holding %q, want a regular file of mode 0644 with the address", fi.Mode(), b)
	}
}

// TestRootWithoutUserWarns: started as root with no User directive, the
// children keep uid 0 (apache2's would fail with AH02155): the error log
// says so at start, once per generation; with User set it does not.
func TestRootWithoutUserWarns(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	const warning = "[unixd:warn] [pid "
	const words = "httpd runs as root and no User directive is set"
	root := newSite(t, "event", "mpm_event_module", "")
	in := start(t, root)
	if log := in.srv.ErrorLog(); strings.Count(log, warning) != 1 || !strings.Contains(log, words) {
		t.Errorf("error log without User lacks the one warning %q:\n%s", words, log)
	}
	if strings.Contains(in.stderr.String(), words) {
		t.Errorf("the warning reached the console: %s", in.stderr)
	}

	root = newSite(t, "event", "mpm_event_module", "User nobody\nGroup #65534\n")
	reachableByNobody(t, root)
	in = start(t, root)
	if log := in.srv.ErrorLog(); strings.Contains(log, words) {
		t.Errorf("error log with User warns:\n%s", log)
	}
}
