// Package earlystart, imported for its side effect by an MPM plugin's main
// package, starts the plugin's first child process before most of the
// plugin's packages (protobuf's, gRPC's, go-plugin's, net/http's) are
// initialised, so that the child's own start overlaps them and the first
// request is served sooner:
//
//	import _ "github.com/httpd-mpm/httpd-mpm/mpm/earlystart"
//
// Its init runs right after package os's: it imports nothing else that is
// initialised later (see mpm/internal/spawn). It does something only in a
// plugin the host started to serve (the host asks for early children),
// whose capabilities need no limiting, and only for a plugin file named
// mod_mpm_X.so with its child program mod_mpm_X.child beside it that
// passes a stricter form of the checks every child program passes (owner
// and permissions: see mpm.WithChildProgram); it marks the descriptors the
// plugin inherited close-on-exec first, as mpm.Serve does too, so that the
// child gets only those it is handed. The child waits for its spec.
// mpm.Serve adopts it as an early child when the MPM is an
// mpm.EarlyChildServer that wants one and mpm.WithChildProgram names that
// same file, and otherwise ends it before it gets anything: import this
// package only in a plugin of that kind. Without it, mpm.Serve starts the
// early children itself, later.
package earlystart

import "github.com/httpd-mpm/httpd-mpm/mpm/internal/spawn"

func init() { spawn.First() }
