//go:build linux

package launch

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// startPreconfigured starts the prefork plugin with the Preconfig mk makes
// (ServerName the core's only directive) for the module named, and returns
// it with whether mk had returned when Start did.
func startPreconfigured(t *testing.T, module string, mk func() *mpm.Config) (*Plugin, bool) {
	t.Helper()
	var made atomic.Bool
	p, err := Start(context.Background(), Options{
		Path:          testbin.Plugin(t, "./plugins/prefork"),
		Preconfig:     func() *mpm.Config { defer made.Store(true); return mk() },
		CoreDirective: func(name string) bool { return name == "ServerName" },
		Module:        module,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	return p, made.Load()
}

// preconfig is a configuration of the top-level directives lines (name
// and one argument each), on lines 1, 2, ... of httpd.conf, with a nearly
// empty Core (the plugin gets no listeners).
func preconfig(lines ...string) *mpm.Config {
	c := &mpm.Config{Core: mpm.Core{ServerRoot: "/nonexistent"}}
	for i := 0; i+1 < len(lines); i += 2 {
		c.Settings = append(c.Settings, mpm.Setting{Name: lines[i], Args: []string{lines[i+1]}, File: "httpd.conf", Line: i/2 + 1})
	}
	return c
}

// TestPreconfigTaken: a plugin takes a Preconfig whose settings are its
// directives or the core's, and keeps only its own: Configure then
// acknowledges the configuration of those, and refuses another.
func TestPreconfigTaken(t *testing.T) {
	full := preconfig("ServerName", "x", "StartServers", "2")
	p, made := startPreconfigured(t, "mpm_prefork_module", func() *mpm.Config { return full })
	if !made {
		t.Error("Start returned before the Preconfig was made")
	}
	if !p.Preconfigured() {
		t.Fatal("the plugin did not take a Preconfig of its own and the core's directives")
	}
	other := preconfig("StartServers", "3")
	if _, err := p.Configure(context.Background(), other); !errors.Is(err, ErrPreconfigDiffers) {
		t.Errorf("Configure with another configuration: %v, want ErrPreconfigDiffers", err)
	}
	own := preconfig("ServerName", "x", "StartServers", "2")
	own.Settings = own.Settings[1:] // StartServers on line 2
	if _, err := p.Configure(context.Background(), own); err != nil {
		t.Errorf("Configure acknowledging the Preconfig's own settings: %v", err)
	}
}

// TestPreconfigDeclined: a plugin does not take a Preconfig with a
// directive that is neither its own nor the core's, nor one for another
// module (the host will refuse the configuration), nor one made after
// preconfigBudget; Start still returns only once it is made.
func TestPreconfigDeclined(t *testing.T) {
	p, _ := startPreconfigured(t, "mpm_prefork_module", func() *mpm.Config { return preconfig("Bogus", "1", "StartServers", "2") })
	if p.Preconfigured() {
		t.Error("the plugin took a Preconfig with a directive that is not its own")
	}
	p, _ = startPreconfigured(t, "mpm_worker_module", func() *mpm.Config { return preconfig("StartServers", "2") })
	if p.Preconfigured() {
		t.Error("the prefork plugin took a Preconfig for mpm_worker_module")
	}
	p, made := startPreconfigured(t, "mpm_prefork_module", func() *mpm.Config {
		time.Sleep(preconfigBudget + 300*time.Millisecond)
		return preconfig("StartServers", "2")
	})
	if !made {
		t.Error("Start returned before the Preconfig was made")
	}
	if p.Preconfigured() {
		t.Error("the plugin took a Preconfig made after preconfigBudget")
	}
}
