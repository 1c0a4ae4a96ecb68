//go:build linux && !mpmchild

package prestart

import (
	"os"
	"path/filepath"
	"sync"

	"github.com/httpd-mpm/httpd-mpm/internal/cloexec"
	"github.com/httpd-mpm/httpd-mpm/mpm/internal/spawn"
)

// start is what a plugin does first: limit its capabilities, mark its
// inherited descriptors close-on-exec, and take the child package
// mpm/earlystart's init started (spawn.First), with the full checks of its
// program (check) and, in the background, of its build (BuiltTogether).
func start() Result {
	if !spawn.IsPlugin() {
		return Result{}
	}
	r := Result{Plugin: true, CapErr: LimitCapabilities()}
	cloexec.Inherited()
	c, err := spawn.TakeFirst()
	if c == nil {
		r.Err = err
		return r
	}
	r.Child, r.Path = c, c.Path
	self, err := os.Executable()
	if err != nil {
		r.ProgramErr = err
		return r
	}
	if r.Program, r.ProgramErr = check(c.Path, self); r.ProgramErr == nil {
		built := make(chan error, 1)
		go func() { built <- BuiltTogether(r.Program.Path, filepath.Base(self)) }()
		r.build = sync.OnceValue(func() error { return <-built })
	}
	return r
}
