package e2e_test

import (
	"testing"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// TestChildSpecNotInEnvironment: a child's spec (its settings, TLS keys
// included) reaches it in its environment, but nothing a configuration or a
// .htaccess file can name reads it there: %{ENV:...} in mod_rewrite and
// PassEnv find it unset.
func TestChildSpecNotInEnvironment(t *testing.T) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			in := start(t, newSite(t, m.Name, m.Module, `
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
		})
	}
}
