// Command mod_mpm_worker.so is the worker MPM: child processes, each with
// a pool of ThreadsPerChild workers; a connection holds its worker for its
// whole life, keep-alive waits included, as in Apache's worker.
package main

import (
	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/plugins/internal/pool"
	"github.com/httpd-mpm/httpd-mpm/plugins/internal/threads"
)

func main() {
	mpm.Serve(&pool.MPM{
		Kind: pool.Worker,
		Desc: description,
		Serve: func(c *mpm.Child, s pool.Settings) error {
			return threads.Serve(c, threads.Options{Workers: s.ThreadsPerChild})
		},
	})
}

var description = mpm.Description{
	Module:     "mpm_worker_module",
	Name:       "worker",
	Source:     "worker.c",
	Version:    "0.2.0",
	Threaded:   "yes (fixed thread count)",
	Forked:     "yes (variable process count)",
	Directives: pool.Directives(pool.Worker),
}
