package e2e_test

import (
	"testing"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// TestServerStatusRequire: Require in the server-status <Location> is
// enforced (Apache's usual "Require local"-style protection of the page).
func TestServerStatusRequire(t *testing.T) {
	const sections = `
<Location /server-status>
    SetHandler server-status
    Require all denied
</Location>
<Location /open-status>
    SetHandler server-status
</Location>
`
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			in := start(t, newSite(t, m.Name, m.Module, sections))
			if resp, _ := in.get("/server-status?auto"); resp.StatusCode != 403 {
				t.Errorf("denied status page: %d, want 403", resp.StatusCode)
			}
			if resp, body := in.get("/open-status?auto"); resp.StatusCode != 200 || len(body) == 0 {
				t.Errorf("open status page: %d", resp.StatusCode)
			}
		})
	}
}
