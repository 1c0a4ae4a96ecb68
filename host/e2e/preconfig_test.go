package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/internal/testserver"
)

// preconfigLine is what a plugin logs (at debug) when it took the
// configuration the host handed it at exec.
const preconfigLine = "configured from the host's preconfiguration, ahead of the handshake"

// TestPreconfigured: serving, the host hands each built-in MPM plugin its
// configuration at exec, and the plugin takes it: it configures itself and
// starts its children while the handshake goes on. The MPM's directives
// reach it so (the site's StartServers, not the default, children), and a
// graceful restart's new plugin takes its configuration the same way.
func TestPreconfigured(t *testing.T) {
	startServers := map[string]int{"prefork": 3, "worker": 2, "event": 2} // newSite's, not the defaults (5, 3, 3)
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			root := newSite(t, m.Name, m.Module, "LogLevel info "+strings.TrimSuffix(m.Module, "_module")+":debug\n")
			in := start(t, root)
			taken := func() int { return strings.Count(in.srv.ErrorLog(), preconfigLine) }
			if !eventually(10*time.Second, func() bool { return taken() == 1 }) {
				t.Fatalf("the plugin did not log %q once (%d times):\n%s", preconfigLine, taken(), in.srv.ErrorLog())
			}
			if kids := executedChildren(in.pluginPid(), startServers[m.Name]); len(kids) != startServers[m.Name] {
				t.Errorf("%d children (%v), want StartServers %d", len(kids), kids, startServers[m.Name])
			}
			if resp, body := in.get("/hello.txt"); resp.StatusCode != 200 || body != "hello, world\n" {
				t.Fatalf("GET /hello.txt = %d %q", resp.StatusCode, body)
			}
			old := in.pluginPid()
			in.signal(syscall.SIGUSR1)
			if !eventually(20*time.Second, func() bool { return taken() == 2 }) {
				t.Fatalf("after a graceful restart the new plugin did not log %q (%d times):\n%s", preconfigLine, taken(), in.srv.ErrorLog())
			}
			var now int
			eventually(20*time.Second, func() bool { now = in.pluginPid(); return now != old })
			if now == old {
				t.Errorf("the plugin (pid %d) was not replaced by the graceful restart", old)
			}
			if resp, body := in.get("/hello.txt"); resp.StatusCode != 200 || body != "hello, world\n" {
				t.Fatalf("after the restart GET /hello.txt = %d %q", resp.StatusCode, body)
			}
		})
	}
}

// TestPreconfigNotBeforeRefusal: a configuration the host refuses after
// the plugin has started gets no MPM run before the refusal, as apache2
// serves nothing then: a LoadModule name that is not the plugin's module,
// a PidFile that is a directory (apache2 cannot rename its file onto it).
// Nothing is served, no AH00489 logged, and httpd exits 1 with the error.
func TestPreconfigNotBeforeRefusal(t *testing.T) {
	httpd, _ := build(t)
	for _, c := range []struct {
		name, module, extra, want string
	}{
		{"module name", "mpm_worker_module", "", "Can't locate API module structure `mpm_worker_module'"},
		{"PidFile a directory", "mpm_event_module", "PidFile piddir", "AH10231"},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := newSite(t, "event", c.module, c.extra)
			must(t, os.Mkdir(filepath.Join(root, "piddir"), 0o755))
			cmd := testserver.Command(httpd, root)
			var stderr testbin.SyncBuffer
			cmd.Stderr = &stderr
			srv := exitsWith1(t, cmd, root)
			out := stderr.String() + srv.ErrorLog()
			if !strings.Contains(out, c.want) {
				t.Errorf("no %q in the output:\n%s", c.want, out)
			}
			if strings.Contains(out, "resuming normal operations") {
				t.Errorf("the MPM ran before the refusal:\n%s", out)
			}
		})
	}
}

// TestPreconfigWarningsFirst: the MPM's warnings about its directives are
// logged before it runs (its AH00489), as apache2 logs them: a plugin
// whose configuration gave diagnostics runs only once the host has printed
// them.
func TestPreconfigWarningsFirst(t *testing.T) {
	root := newSite(t, "event", "mpm_event_module", "ThreadsPerChild 100000")
	in := start(t, root)
	var log string
	eventually(10*time.Second, func() bool { log = in.srv.ErrorLog(); return strings.Contains(log, "AH00489") })
	warn, run := strings.Index(log, "WARNING: ThreadsPerChild"), strings.Index(log, "AH00489")
	if warn < 0 || run < 0 || warn > run {
		t.Errorf("want the ThreadsPerChild warning before AH00489:\n%s", log)
	}
}
