package e2e_test

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
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
