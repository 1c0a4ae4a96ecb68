//go:build linux && !mpmchild

package prestart

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/httpd-mpm/httpd-mpm/internal/cloexec"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// init does what a plugin does first, before the packages that take
// milliseconds to initialise (see the package comment).
func init() {
	once.Do(func() { result = start() })
}

// start limits a plugin's capabilities (executing it again), makes its
// inherited descriptors close-on-exec, which must precede any exec, and,
// when the host asked for early children, starts one from the child
// program beside the plugin's file if it passes Check.
func start() Result {
	if !isPlugin() {
		return Result{}
	}
	r := Result{Plugin: true, CapErr: LimitCapabilities()}
	cloexec.Inherited()
	cred, asked, err := EarlyCredential()
	if !asked || err != nil {
		return r // Serve warns of a bad credential
	}
	self, err := os.Executable()
	if err != nil {
		return r
	}
	name := wire.ChildProgramOf(filepath.Base(self))
	if name == "" {
		return r
	}
	r.Path = filepath.Join(filepath.Dir(self), name)
	r.Program, r.ProgramErr = check(r.Path, self)
	if r.ProgramErr != nil {
		return r
	}
	// Whether it was built with this binary decides only whether the child
	// gets a spec (mpm's checkBuild): compared meanwhile.
	built := make(chan error, 1)
	go func() { built <- BuiltTogether(r.Program.Path, filepath.Base(self)) }()
	r.build = sync.OnceValue(func() error { return <-built })
	cmd, conn, err := Socket(r.Program.Path, r.Program.Path, EarlyMarker, Lifeline(), os.Stderr, cred)
	if err != nil {
		r.Err = fmt.Errorf("%s: %w", r.Program.Path, err)
		return r
	}
	r.Child = &Child{Cmd: cmd, Conn: conn, Cred: cred}
	return r
}
