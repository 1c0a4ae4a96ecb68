// Command mod_mpm_event.so is the event MPM: like worker, but a
// connection waiting for its next keep-alive request is parked in an
// epoll set and holds no worker, as in Apache's event; so do the
// lingering close and the end of a response the client is slow to take
// (write completion).
package main

import (
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	"github.com/httpd-mpm/httpd-mpm/mpm"
	_ "github.com/httpd-mpm/httpd-mpm/mpm/earlystart" // the first child starts before most package inits
	"github.com/httpd-mpm/httpd-mpm/plugins/builtin"
)

func main() {
	mpm.Serve(builtin.Event(), mpm.WithChildProgram(wire.ChildProgram("event")))
}
