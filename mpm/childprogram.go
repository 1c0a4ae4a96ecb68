package mpm

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// childProgram is the file StartChild executes when Serve found the MPM's
// child program usable (see WithChildProgram); empty, it executes this
// binary. Serve sets it before it starts any child and it does not change
// afterwards.
var childProgram string

// childExecutable is the program a child of this process runs.
func childExecutable() (string, error) {
	if childProgram != "" {
		return childProgram, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find own executable: %w", err)
	}
	return exe, nil
}

// ChildMain is the main of an MPM's child program (see WithChildProgram):
// it serves impl's child side as StartChild asked (RunChild) and exits
// with its status. Run by a person, it explains what the program is and
// exits 1. It does not return.
func ChildMain(impl MPM) {
	if status, ok := RunChild(impl); ok {
		os.Exit(status)
	}
	d := impl.Describe()
	name := filepath.Base(os.Args[0])
	fmt.Fprintf(os.Stderr, "%s: this is the child program of the %s MPM of httpd-mpm (module %s).\n", name, d.Name, d.Module)
	if os.Getenv(wire.CookieKey) == wire.CookieValue {
		fmt.Fprintf(os.Stderr, "It is not the MPM's plugin: LoadModule %s names the plugin file beside it.\n", d.Module)
	} else {
		fmt.Fprintf(os.Stderr, "The MPM's plugin starts it for its child processes; it is not run by hand.\n")
	}
	os.Exit(1)
}
