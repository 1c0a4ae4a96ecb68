package e2e_test

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/internal/testserver"
)

// misbehaveSite is a ServerRoot whose MPM is the misbehave test plugin,
// and the httpd command for it, the plugin going wrong as how says at call.
func misbehaveSite(t *testing.T, how, call string) (string, *exec.Cmd) {
	t.Helper()
	httpd, _ := build(t)
	plugin := testbin.Plugin(t, "./internal/testbin/testdata/misbehave")
	root := t.TempDir()
	must(t, testserver.WriteRoot(root, "LoadModule mpm_misbehave_module "+plugin+"\n"+testserver.Basics+"LogLevel info\n", nil))
	cmd := testserver.Command(httpd, root)
	cmd.Env = append(os.Environ(), "MISBEHAVE="+how, "MISBEHAVE_AT="+call)
	return root, cmd
}

// TestPluginStdioInErrorLog: what an MPM plugin writes to os.Stdout and
// os.Stderr once it serves (a stray fmt.Println of a third-party MPM) is
// in the error log, under the plugin's pid, instead of being lost.
func TestPluginStdioInErrorLog(t *testing.T) {
	root, cmd := misbehaveSite(t, "stdio", "run")
	in := startCmd(t, root, cmd)
	plugin := in.pluginPid()
	for _, msg := range []string{"misbehave: a stray line on stdout", "misbehave: a stray line on stderr"} {
		want := fmt.Sprintf("[mpm:error] [pid %d] %s\n", plugin, msg)
		if !eventually(30*time.Second, func() bool { return strings.Contains(in.srv.ErrorLog(), want) }) {
			t.Errorf("error log lacks %q:\n%s", want, in.srv.ErrorLog())
		}
	}
}

// TestPluginCrashInErrorLog: an MPM plugin that panics in Run (the Go
// runtime writes the trace to its stderr and exits 2) is reported in the
// error log with its pid and exit status, once, and the trace's lines are
// logged under its pid, not pid 0.
func TestPluginCrashInErrorLog(t *testing.T) {
	root, cmd := misbehaveSite(t, "panic", "run")
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("httpd exited %d (%v), want 1:\n%s", code, err, out)
	}
	log, _ := os.ReadFile(root + "/logs/error_log")
	m := regexp.MustCompile(`\[core:error\] \[pid \d+\] AH02818: MPM run failed: MPM plugin mpm_misbehave_module \(pid (\d+)\) exited: exit status 2\n`).FindAllSubmatch(log, -1)
	if len(m) != 1 {
		t.Fatalf("error log has %d AH02818 lines with the plugin's pid and exit status, want 1:\n%s", len(m), log)
	}
	if want := fmt.Sprintf("[mpm:error] [pid %s] panic: misbehave: a panic in run\n", m[0][1]); !strings.Contains(string(log), want) {
		t.Errorf("error log lacks %q:\n%s", want, log)
	}
	if strings.Contains(string(log), "[pid 0]") || strings.Contains(string(log), "EOF") {
		t.Errorf("error log has pid 0 or gRPC's EOF:\n%s", log)
	}
}

// TestLargeConfigReachesPlugin: a configuration of 10000 virtual hosts
// (over 5 MiB to send, gRPC's default limit being 4 MiB) reaches the MPM
// plugin (rpcwire.MaxConfig).
func TestLargeConfigReachesPlugin(t *testing.T) {
	httpd, _ := build(t)
	root := newSite(t, "event", "mpm_event_module", "")
	var conf strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&conf, `<VirtualHost *:80>
    ServerName site%[1]d.example.com
    ServerAlias www.site%[1]d.example.com
    DocumentRoot htdocs
    <Directory %[2]s/htdocs>
        Options -Indexes +FollowSymLinks
        AllowOverride None
        Require all granted
    </Directory>
    RewriteEngine On
    RewriteRule ^/old/(.*)$ /new/$1 [R=301,L]
</VirtualHost>
`, i, root)
	}
	write(t, root+"/vhosts.conf", conf.String())
	out, err := exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-C", "Include vhosts.conf", "-t").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Syntax OK") {
		t.Errorf("httpd -t with 10000 virtual hosts: %v\n%s", err, out)
	}
}
