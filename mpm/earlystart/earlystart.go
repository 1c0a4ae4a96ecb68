// Package earlystart, imported for its side effect by an MPM plugin's main
// package, starts the plugin's first child process before most of the
// plugin's packages (go-plugin's, gRPC's, net/http's) are initialised, so
// that the child's own start overlaps them and the first request is served
// sooner:
//
//	import _ "github.com/httpd-mpm/httpd-mpm/mpm/earlystart"
//
// It does something only in a plugin the host started to serve (the host
// asks for early children), and only for a plugin file named mod_mpm_X.so
// with its child program mod_mpm_X.child beside it that passes the checks
// every child program passes (owner and permissions: see
// mpm.WithChildProgram); the child waits for its spec. mpm.Serve adopts it
// as an early child when the MPM is an mpm.EarlyChildServer that wants one
// and mpm.WithChildProgram names that same file, and otherwise ends it
// before it gets anything: import this package only in a plugin of that
// kind. Without it, mpm.Serve starts the early children itself, later.
//
// The package's init also limits the plugin's capabilities and marks the
// descriptors it inherited close-on-exec, which mpm.Serve does otherwise:
// the child must inherit neither.
package earlystart

import "github.com/httpd-mpm/httpd-mpm/mpm/internal/prestart"

func init() { prestart.Early() }
