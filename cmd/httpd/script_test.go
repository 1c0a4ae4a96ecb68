package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/httpd-mpm/httpd-mpm/host"
	"github.com/httpd-mpm/httpd-mpm/host/launch"
	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"httpd": func() { os.Exit(host.Main(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScript runs testdata/script/*.txtar: the command line's exact
// messages, streams and exit codes. $MODULES holds the real MPM plugins;
// $STATIC_PREFORK and $STATIC_EVENT are httpd binaries with that MPM
// linked in (make MPM=NAME).
// debianModules is where Debian's apache2 keeps its modules.
const debianModules = "/usr/lib/apache2/modules"

func TestScript(t *testing.T) {
	_, modules := testbin.Build(t)
	apiv2 := testbin.Plugin(t, "./internal/testbin/testdata/apiv2")
	oldSDK := testbin.Plugin(t, "./internal/testbin/testdata/oldsdk")
	frozen := testbin.Plugin(t, "./internal/testbin/testdata/frozen")
	eventSum, err := launch.Checksum(filepath.Join(modules, "mod_mpm_event.so"))
	if err != nil {
		t.Fatal(err)
	}
	staticPrefork, staticEvent := testbin.Static(t, "prefork"), testbin.Static(t, "event")
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			e.Setenv("MODULES", modules)
			e.Setenv("APIV2", apiv2)        // a plugin that speaks only MPM API v2
			e.Setenv("OLDSDK", oldSDK)      // a plugin from an SDK without wire.Features
			e.Setenv("FROZEN", frozen)      // a plugin that stops itself (SIGSTOP) in Configure
			e.Setenv("EVENT_SUM", eventSum) // sha256:HEX of mod_mpm_event.so
			e.Setenv("STATIC_PREFORK", staticPrefork)
			e.Setenv("STATIC_EVENT", staticEvent)
			e.Setenv("APACHE_MODULES", debianModules)
			return nil
		},
		// [root]: this test runs as root (as CI does), as httpd does to
		// serve port 80 and drop to User. [apache2]: Debian's apache2 is
		// installed (its modules in /usr/lib/apache2/modules).
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "root":
				return os.Geteuid() == 0, nil
			case "apache2":
				_, err := os.Stat(debianModules)
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}
