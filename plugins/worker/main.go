// Command mod_mpm_worker.so is the worker MPM: child processes, each with
// a pool of ThreadsPerChild workers; a connection holds its worker for its
// whole life, keep-alive waits included, as in Apache's worker.
package main

import (
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	"github.com/httpd-mpm/httpd-mpm/mpm"
	_ "github.com/httpd-mpm/httpd-mpm/mpm/earlystart" // the first child starts before most package inits
	"github.com/httpd-mpm/httpd-mpm/plugins/builtin"
)

func main() {
	mpm.Serve(builtin.Worker(), mpm.WithChildProgram(wire.ChildProgram("worker")))
}
