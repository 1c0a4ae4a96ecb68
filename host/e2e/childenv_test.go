package e2e_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// TestChildSpecNotInEnvironment: a child's spec (its settings, TLS keys
// included) never is in its environment: not in /proc/PID/environ, which
// the child's user could read, nor for what a configuration or a .htaccess
// file can name (%{ENV:...} in mod_rewrite, PassEnv); and no other user
// reads a child's /proc files (it is not dumpable).
func TestChildSpecNotInEnvironment(t *testing.T) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			in := start(t, newSite(t, m.Name, m.Module, `
SetEnv PROBE s3cr3t-probe
RewriteEngine On
RewriteRule ^/hello\.txt$ - [E=spec:%{ENV:HTTPD_MPM_CHILD}]
PassEnv HTTPD_MPM_CHILD
Header always set X-Spec "[%{spec}e]"
Header always set X-Passed "[%{HTTPD_MPM_CHILD}e]"
`))
			resp, _ := in.get("/hello.txt")
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			for _, h := range []string{"X-Spec", "X-Passed"} {
				if v := resp.Header.Get(h); v != "[]" && v != "[(null)]" {
					t.Errorf("%s: %.60q...: the child's spec leaked", h, v)
				}
			}
			kids := children(in.pluginPid())
			if len(kids) == 0 {
				t.Fatal("no child process")
			}
			for _, pid := range kids {
				env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(env), "s3cr3t-probe") {
					t.Errorf("child %d has its spec in its environment", pid)
				}
			}
			if os.Geteuid() == 0 {
				keysGuarded(t, kids)
			}
		})
	}
}
