package e2e_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// linkedSite readies root's config for an httpd with its MPM linked in:
// no LoadModule of an MPM.
func linkedSite(t testing.TB, root string) {
	t.Helper()
	conf := filepath.Join(root, "httpd.conf")
	b, err := os.ReadFile(conf)
	must(t, err)
	write(t, conf, regexp.MustCompile(`(?m)^LoadModule mpm_.*\n`).ReplaceAllString(string(b), ""))
}

// TestLinkedMPM runs each MPM linked into httpd (`make MPM=NAME`), with no
// LoadModule line: TestServeStatic's body, then two graceful restarts
// under wrk with not one failed request. The MPM runs in the host's own
// process (no plugin): its children run the MPM's child program beside
// httpd, directly under the host, and its log lines carry the host's pid
// in the plugin form's format.
func TestLinkedMPM(t *testing.T) {
	resuming := map[string]string{"prefork": "AH00163", "worker": "AH00292", "event": "AH00489"}
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			httpd := testbin.Static(t, m.Name)
			root := newSite(t, m.Name, m.Module, lifecycleMPMs)
			linkedSite(t, root)

			in := startCmd(t, root, exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-D", "FOREGROUND"))
			host := in.cmd.Process.Pid
			serveStatic(t, in)

			first := children(host)
			if len(first) == 0 {
				t.Fatal("the host has no children")
			}
			for _, pid := range first {
				want := filepath.Join(filepath.Dir(httpd), wire.ChildProgram(m.Name))
				if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); exe != want {
					t.Errorf("child %d runs %q, want the MPM's child program %s", pid, exe, want)
				}
			}

			r := runWrk(t, in.url("/hello.txt"), 5*time.Second, map[time.Duration]func(){
				1500 * time.Millisecond: func() { in.signal(syscall.SIGUSR1) },
				3000 * time.Millisecond: func() { in.signal(syscall.SIGUSR1) },
			})
			checkWrk(t, r)
			// The first generation's children drained and exited.
			if !eventually(10*time.Second, func() bool { return !slices.ContainsFunc(first, alive) }) {
				t.Errorf("children of the first generation still alive: %v (now %v)", first, children(host))
			}
			last := children(host)
			in.signal(syscall.SIGTERM)
			if code := in.wait(); code != 0 {
				t.Errorf("exit %d after SIGTERM", code)
			}
			log, _ := os.ReadFile(filepath.Join(root, "logs/error_log"))
			want := regexp.MustCompile(fmt.Sprintf(`(?m)^\[[^]]+\] \[mpm_%s:notice\] \[pid %d\] %s: httpd-mpm/\S+ \(Unix\) configured -- resuming normal operations$`,
				m.Name, host, resuming[m.Name]))
			if n := len(want.FindAll(log, -1)); n != 3 {
				t.Errorf("%d lines match %s, want 3 (start and two restarts):\n%s", n, want, log)
			}
			if !eventually(5*time.Second, func() bool { return !slices.ContainsFunc(last, alive) }) {
				t.Errorf("children left after stop: %v of %v", slices.DeleteFunc(last, func(p int) bool { return !alive(p) }), last)
			}
		})
	}
}

// TestLinkedChildStderrPid: with the MPM linked into httpd, the plain lines
// a child writes to its stderr (here the Go runtime's SIGQUIT dump) are
// logged with that child's pid, not pid 0.
func TestLinkedChildStderrPid(t *testing.T) {
	httpd := testbin.Static(t, "prefork")
	root := newSite(t, "prefork", "mpm_prefork_module", "")
	linkedSite(t, root)
	in := startCmd(t, root, exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-D", "FOREGROUND"))
	var kids []int
	if !eventually(10*time.Second, func() bool { kids = children(in.cmd.Process.Pid); return len(kids) > 0 }) {
		t.Fatal("the host has no children")
	}
	child := kids[0]
	must(t, syscall.Kill(child, syscall.SIGQUIT))
	want := fmt.Sprintf("[mpm:error] [pid %d] SIGQUIT: quit\n", child)
	if !eventually(10*time.Second, func() bool { return strings.Contains(in.srv.ErrorLog(), want) }) {
		t.Errorf("error log lacks %q:\n%s", want, in.srv.ErrorLog())
	}
}

// TestLinkedTypesClosed: with the MPM linked into httpd, the sealed copy
// of TypesConfig a generation shares with its children is closed when the
// generation ends: after graceful restarts the host holds only the
// current generation's, not one per restart until the GC finalizes them
// (review14).
func TestLinkedTypesClosed(t *testing.T) {
	httpd := testbin.Static(t, "prefork")
	root := newSite(t, "prefork", "mpm_prefork_module", "")
	linkedSite(t, root)
	in := startCmd(t, root, exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-D", "FOREGROUND"))
	host := in.cmd.Process.Pid
	resuming := func() int { return strings.Count(in.srv.ErrorLog(), "resuming normal operations") }
	for i := 1; i <= 3; i++ {
		in.signal(syscall.SIGUSR1)
		if !eventually(20*time.Second, func() bool { return resuming() > i && len(children(host)) > 0 }) {
			t.Fatalf("restart %d: %d \"resuming\" lines, children %v", i, resuming(), children(host))
		}
	}
	n := 0
	for _, target := range fdTable(host) {
		if strings.HasPrefix(target, "/memfd:mime.types") {
			n++
		}
	}
	if n > 1 {
		t.Errorf("the host holds %d copies of TypesConfig after 3 restarts, want at most 1: %s", n, describe(fdTable(host)))
	}
}

// TestLinkedInheritedDescriptor: with the MPM linked into httpd, a
// descriptor httpd inherited without close-on-exec (a shell's `exec
// 20<file`) reaches none of the processes it starts: not the MPM's
// children, which run as User, nor a piped logger. (The plugin form:
// TestPluginDescriptors.)
func TestLinkedInheritedDescriptor(t *testing.T) {
	httpd := testbin.Static(t, "prefork")
	extra := `CustomLog "|/bin/cat" common` + "\n"
	if os.Geteuid() == 0 {
		extra += "User nobody\nGroup #65534\n"
	}
	root := newSite(t, "prefork", "mpm_prefork_module", extra)
	reachableByNobody(t, root)
	linkedSite(t, root)
	in := startCmd(t, root, withMarker(t, exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-D", "FOREGROUND")))
	host := in.cmd.Process.Pid
	if resp, _ := in.get("/hello.txt", "Connection", "close"); resp.StatusCode != 200 {
		t.Fatalf("GET /hello.txt: %d", resp.StatusCode)
	}
	marker := fdTable(host)[markerFD]
	if !strings.HasPrefix(marker, "pipe:") {
		t.Fatalf("host fd %d is %q, want the test's pipe", markerFD, marker)
	}
	var procs []int
	var walk func(int)
	walk = func(pid int) {
		for _, k := range children(pid) {
			procs = append(procs, k)
			walk(k)
		}
	}
	walk(host)
	logger := false
	for _, p := range procs {
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p))
		logger = logger || strings.Contains(string(cmdline), "/bin/cat")
		if fds := fdTable(p); shares(fds, marker) {
			t.Errorf("process %d (%q) holds the descriptor httpd inherited:%s", p, cmdline, describe(fds))
		}
	}
	if len(procs) < 2 || !logger {
		t.Errorf("want the MPM's children and the piped logger under the host, got %v", procs)
	}
}
