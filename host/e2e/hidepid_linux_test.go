//go:build linux

package e2e_test

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// TestChildrenUnderHidepid: with /proc mounted hidepid=invisible and a
// gid= group the MPM is not in (common hardening), a child that dropped to
// User has no /proc entry the MPM parent may see; the parent's check that
// it dropped before it gets its spec (bf7a5ec) refused every child there
// ("open /proc/N/status: no such file or directory"), where apache2 serves.
// It serves now, and a child program that does not drop, still visible as
// root, still gets nothing.
func TestChildrenUnderHidepid(t *testing.T) {
	needsRoot(t, "to change user and mount /proc")
	httpd, _ := build(t)
	hidden := func(t *testing.T, root string) *instance {
		// httpd is PID 1 of a new PID namespace, under a /proc of its own
		// mounted in a new mount namespace (private: nothing reaches the
		// machine's), and a direct child of the test, which signals it.
		script := `mount --make-rprivate / && mount -t proc -o hidepid=invisible,gid=4 proc /proc && exec "$0" "$@"`
		cmd := exec.Command("sh", "-c", script, httpd, "-d", root, "-f", "httpd.conf", "-D", "FOREGROUND")
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWPID}
		return startCmd(t, root, cmd)
	}

	t.Run("dropped", func(t *testing.T) {
		root := newSite(t, "event", "mpm_event_module", "User nobody\nGroup #65534\n")
		reachableByNobody(t, root)
		in := hidden(t, root)
		if resp, body := in.get("/hello.txt"); resp.StatusCode != 200 || body != "hello, world\n" {
			t.Errorf("GET /hello.txt under hidepid: %d %q, want 200 hello, world", resp.StatusCode, body)
		}
		if log := errorLog(t, root); strings.Contains(log, "early child not used") || strings.Contains(log, "/status") {
			t.Errorf("a child was refused under hidepid:\n%s", log)
		}
	})

	t.Run("no drop", func(t *testing.T) {
		root, dir := noDropSite(t)
		hidden(t, root)
		noDropRefused(t, root, dir, "under hidepid, ")
	})
}
