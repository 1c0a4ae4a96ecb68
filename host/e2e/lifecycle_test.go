package e2e_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// lifecycleSite has enough workers that wrk's connections never queue:
// every failure counted is the server's doing.
const lifecycleMPMs = `
<IfModule mpm_prefork_module>
    StartServers 12
</IfModule>
<IfModule mpm_worker_module>
    StartServers 2
    ThreadsPerChild 16
</IfModule>
<IfModule mpm_event_module>
    StartServers 2
    ThreadsPerChild 16
</IfModule>
`

// wrkResult is what a wrk run reports.
type wrkResult struct {
	requests int
	errors   int // socket errors of every kind plus non-2xx responses
	out      string
}

var (
	wrkRequests = regexp.MustCompile(`(\d+) requests in`)
	wrkSocket   = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	wrkNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
)

// runWrk runs wrk against url for d while actions run at their offsets,
// then returns the counts. wrk is a real outside client (Debian's wrk).
func runWrk(t *testing.T, url string, d time.Duration, actions map[time.Duration]func()) wrkResult {
	t.Helper()
	if _, err := exec.LookPath("wrk"); err != nil {
		t.Fatalf("wrk not installed (make test-deps installs it): %v", err)
	}
	cmd := exec.Command("wrk", "-t2", "-c8", "-d"+strconv.Itoa(int(d.Seconds()))+"s", "--timeout", "10s", url)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	must(t, cmd.Start())
	begin := time.Now()
	for at := time.Duration(0); at < d; at += 100 * time.Millisecond {
		if f, ok := actions[at]; ok {
			time.Sleep(time.Until(begin.Add(at)))
			f()
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("wrk: %v\n%s", err, out.String())
	}
	r := wrkResult{out: out.String()}
	m := wrkRequests.FindStringSubmatch(r.out)
	if m == nil {
		t.Fatalf("cannot read wrk output:\n%s", r.out)
	}
	r.requests, _ = strconv.Atoi(m[1])
	if m := wrkSocket.FindStringSubmatch(r.out); m != nil {
		for _, v := range m[1:] {
			n, _ := strconv.Atoi(v)
			r.errors += n
		}
	}
	if m := wrkNon2xx.FindStringSubmatch(r.out); m != nil {
		n, _ := strconv.Atoi(m[1])
		r.errors += n
	}
	return r
}

// setMPM rewrites the LoadModule line of root's httpd.conf.
func setMPM(t *testing.T, root, modules, name string) {
	t.Helper()
	conf := filepath.Join(root, "httpd.conf")
	b, err := os.ReadFile(conf)
	must(t, err)
	re := regexp.MustCompile(`(?m)^LoadModule mpm_\w+_module .*$`)
	write(t, conf, re.ReplaceAllString(string(b), fmt.Sprintf("LoadModule mpm_%s_module %s/mod_mpm_%s.so", name, modules, name)))
}

// pluginExe is the file the host's current plugin process runs.
func pluginExe(in *instance) string {
	kids := children(in.cmd.Process.Pid)
	if len(kids) != 1 {
		return ""
	}
	exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", kids[0]))
	return filepath.Base(exe)
}

// TestZeroFailedRequests runs wrk across (a) graceful restarts, (b) MPM
// swaps prefork -> event -> worker, and (c) kill -9 of the MPM plugin,
// and requires that not one request fails.
func TestZeroFailedRequests(t *testing.T) {
	_, modules := testbin.Build(t)
	t.Run("graceful", func(t *testing.T) {
		in := start(t, newSite(t, "event", "mpm_event_module", lifecycleMPMs))
		first := in.pluginPid()
		r := runWrk(t, in.url("/hello.txt"), 6*time.Second, map[time.Duration]func(){
			1500 * time.Millisecond: func() { in.signal(syscall.SIGUSR1) },
			3500 * time.Millisecond: func() { in.signal(syscall.SIGUSR1) },
		})
		checkWrk(t, r)
		if p := in.pluginPid(); p == first {
			t.Errorf("plugin %d still serving after two graceful restarts", p)
		}
	})
	t.Run("swap", func(t *testing.T) {
		root := newSite(t, "prefork", "mpm_prefork_module", lifecycleMPMs)
		in := start(t, root)
		var seen []string
		swap := func(name string) func() {
			return func() {
				setMPM(t, root, modules, name)
				in.signal(syscall.SIGUSR1)
			}
		}
		note := func() { seen = append(seen, pluginExe(in)) }
		r := runWrk(t, in.url("/hello.txt"), 8*time.Second, map[time.Duration]func(){
			500 * time.Millisecond:  note,
			1000 * time.Millisecond: swap("event"),
			3000 * time.Millisecond: note,
			4000 * time.Millisecond: swap("worker"),
			6500 * time.Millisecond: note,
		})
		checkWrk(t, r)
		want := []string{"mod_mpm_prefork.so", "mod_mpm_event.so", "mod_mpm_worker.so"}
		if strings.Join(seen, " ") != strings.Join(want, " ") {
			t.Errorf("plugins seen %v, want %v", seen, want)
		}
	})
	t.Run("kill-plugin", func(t *testing.T) {
		in := start(t, newSite(t, "worker", "mpm_worker_module", lifecycleMPMs))
		first := in.pluginPid()
		r := runWrk(t, in.url("/hello.txt"), 6*time.Second, map[time.Duration]func(){
			2000 * time.Millisecond: func() { syscall.Kill(first, syscall.SIGKILL) },
		})
		checkWrk(t, r)
		if p := in.pluginPid(); p == first {
			t.Errorf("plugin was not restarted")
		}
		log, _ := os.ReadFile(filepath.Join(in.root, "logs/error_log"))
		if !strings.Contains(string(log), "exited unexpectedly") {
			t.Errorf("the crash is not logged:\n%s", log)
		}
	})
}

func checkWrk(t *testing.T, r wrkResult) {
	t.Helper()
	if r.requests < 100 {
		t.Errorf("only %d requests: the load did not run\n%s", r.requests, r.out)
	}
	if r.errors != 0 {
		t.Errorf("%d failed requests out of %d\n%s", r.errors, r.requests, r.out)
	}
}

// TestCrashLoopGivesUp: a plugin killed again and again is restarted with
// backoff, and after a bounded number of tries the host gives up with a
// clear message and exit status 1, leaving no process behind.
func TestCrashLoopGivesUp(t *testing.T) {
	root := newSite(t, "event", "mpm_event_module", "")
	in := start(t, root)
	var killed []int
	done := false
	for i := 0; i < 10 && !done; i++ {
		var p int
		ok := eventually(15*time.Second, func() bool {
			select {
			case <-in.done:
				done = true
				return true
			default:
			}
			kids := children(in.cmd.Process.Pid)
			if len(kids) == 1 && (len(killed) == 0 || kids[0] != killed[len(killed)-1]) {
				p = kids[0]
				return true
			}
			return false
		})
		if !ok {
			t.Fatalf("no new plugin after %d kills", len(killed))
		}
		if !done {
			syscall.Kill(p, syscall.SIGKILL)
			killed = append(killed, p)
		}
	}
	if code := in.wait(); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	log, _ := os.ReadFile(filepath.Join(root, "logs/error_log"))
	if !strings.Contains(string(log), "keeps exiting; giving up after 5 restarts") {
		t.Errorf("no give-up message:\n%s", log)
	}
	if len(killed) != 6 {
		t.Errorf("killed %d plugins, want 6 (5 restarts)", len(killed))
	}
	for _, p := range killed {
		if !eventually(5*time.Second, func() bool { return !alive(p) }) {
			t.Errorf("plugin %d still alive", p)
		}
	}
}
