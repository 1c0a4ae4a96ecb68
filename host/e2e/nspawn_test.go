package e2e_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// TestSystemdInContainer boots real systemd as PID 1 in a systemd-nspawn
// container (a debootstrap'd Debian made by `make test-systemd`, which
// sets HTTPD_NSPAWN_ROOT) and runs testdata/nspawn/run-in-container.sh
// there: systemctl start (Type=notify reaches active), reload swapping the
// MPM, a broken reload, stop, the journal, and socket activation through
// examples/systemd/httpd.socket, with examples/systemd/httpd.conf. `make
// test` runs it; plain `go test`
// without the root skips it.
func TestSystemdInContainer(t *testing.T) {
	root := os.Getenv("HTTPD_NSPAWN_ROOT")
	if root == "" {
		t.Skip("needs a container root: run make test-systemd (part of make test)")
	}
	nspawn, err := exec.LookPath("systemd-nspawn")
	if err != nil {
		t.Fatalf("systemd-nspawn not installed (package systemd-container): %v", err)
	}
	httpd, modules := testbin.Build(t)
	repo := testbin.RepoRoot()
	work := t.TempDir()
	for _, d := range []string{"conf", "htdocs", "out"} {
		must(t, os.MkdirAll(filepath.Join(work, d), 0o755))
	}
	// The example's config, with one child to keep the container light.
	conf, err := os.ReadFile(filepath.Join(repo, "examples/systemd/httpd.conf"))
	must(t, err)
	write(t, filepath.Join(work, "conf/httpd.conf"), string(conf)+
		"<IfModule mpm_event_module>\n    StartServers 1\n</IfModule>\n<IfModule mpm_worker_module>\n    StartServers 1\n</IfModule>\n")
	write(t, filepath.Join(work, "htdocs/index.html"), "hello from nspawn")
	binds := [][2]string{
		{httpd, "/usr/local/sbin/httpd"},
		{modules, "/etc/httpd-mpm/modules"},
		{filepath.Join(repo, "examples/systemd/httpd.service"), "/etc/systemd/system/httpd.service"},
		{filepath.Join(repo, "examples/systemd/httpd.socket"), "/etc/systemd/system/httpd.socket"},
		{filepath.Join(repo, "host/e2e/testdata/nspawn/httpd-test.service"), "/etc/systemd/system/httpd-test.service"},
		{filepath.Join(repo, "host/e2e/testdata/nspawn/run-in-container.sh"), "/opt/httpd-mpm/run-in-container.sh"},
		{filepath.Join(work, "htdocs"), "/etc/httpd-mpm/htdocs"},
		{"/etc/mime.types", "/etc/mime.types"}, // the config's TypesConfig; minbase has no media-types
	}
	args := []string{"-D", root, "--quiet", "--register=no", "--keep-unit", "--volatile=overlay", "-b",
		"--bind=" + filepath.Join(work, "conf") + ":/etc/httpd-mpm/conf",
		"--bind=" + filepath.Join(work, "out") + ":/out"}
	for _, b := range binds {
		args = append(args, "--bind-ro="+b[0]+":"+b[1])
	}
	args = append(args, "--", "systemd.wants=httpd-test.service")
	cmd := exec.Command("timeout", append([]string{"300", nspawn}, args...)...)
	boot, err := cmd.CombinedOutput()
	result, rerr := os.ReadFile(filepath.Join(work, "out/result.txt"))
	if err != nil || rerr != nil {
		t.Fatalf("container: %v / %v\nresult:\n%s\nboot log (tail):\n%s", err, rerr, result, tail(string(boot), 40))
	}
	t.Logf("in the container:\n%s", result)
	for _, check := range []string{"start", "serve", "status-text", "reload", "swap", "mpm-v", "serve-after-reload",
		"active-after-reload", "broken-reload", "serve-after-broken", "stop", "no-orphans", "journal",
		"socket-idle", "socket-activated", "socket-service-active", "socket-adopted"} {
		if !strings.Contains(string(result), "\nok "+check+"\n") && !strings.HasPrefix(string(result), "ok "+check+"\n") {
			t.Errorf("check %s did not pass", check)
		}
	}
	if strings.Contains(string(result), "FAIL ") {
		t.Errorf("failures in the container:\n%s", result)
	}
	if !strings.Contains(string(result), "\ndone\n") {
		t.Error("the in-container script did not finish")
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
