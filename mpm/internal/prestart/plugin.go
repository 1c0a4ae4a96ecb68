//go:build !mpmchild

package prestart

import (
	"os"
	"sync"

	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// Result is what Early (or, without it, Plugin) did in a plugin process.
type Result struct {
	// Plugin is set in a plugin the host started: its capabilities were
	// limited (CapErr if that failed) and its inherited descriptors
	// made close-on-exec.
	Plugin bool
	CapErr error
	// Path is the child program Early checked, "" if it checked none
	// (not to serve, or a plugin file not named as wire.ChildProgramOf
	// expects); Program is its result, or ProgramErr why it is refused.
	Path       string
	Program    *Program
	ProgramErr error
	// Child is the child started from Program, nil if none; Err is why
	// starting it failed.
	Child *Child
	Err   error
	// build is the comparison of Program's build with this binary's
	// (BuiltWith), begun when the child was started.
	build func() error
}

var (
	once   sync.Once
	mu     sync.Mutex
	result Result
)

// Early does, once and only in a plugin the host started (go-plugin's
// cookie set, not a child), what Serve does first: it limits the
// capabilities, marks the inherited descriptors close-on-exec and, on
// Linux when the host asked for early children, starts one child (see the
// package comment). Package mpm/earlystart's init calls it, in the plugins
// whose main package imports it; never in the host, which links package
// mpm but not that one.
func Early() { once.Do(func() { result = start(true) }) }

// Plugin returns what Early did (see Result). The first call gets the
// Child and owns it; later ones get none. When Early did not run (the
// plugin does not import mpm/earlystart) it does what Early does but
// start a child: in a plugin it limits the capabilities and marks the
// inherited descriptors.
func Plugin() Result {
	once.Do(func() { result = start(false) })
	mu.Lock()
	defer mu.Unlock()
	r := result
	result.Child = nil
	return r
}

// isPlugin reports whether this process is a plugin the host started.
func isPlugin() bool {
	return os.Getenv(wire.ChildEnv) == "" && os.Getenv(wire.CookieKey) == wire.CookieValue
}
