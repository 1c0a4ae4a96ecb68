package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/httpd-mpm/httpd-mpm/host"
	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"httpd": func() { os.Exit(host.Main(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScript runs testdata/script/*.txtar: the command line's exact
// messages, streams and exit codes. $MODULES holds the real MPM plugins.
func TestScript(t *testing.T) {
	_, modules := testbin.Build(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			e.Setenv("MODULES", modules)
			return nil
		},
	})
}
