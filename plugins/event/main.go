// Command mod_mpm_event.so is the event MPM: like worker, but a
// connection waiting for its next keep-alive request is parked in an
// epoll set and holds no worker, as in Apache's event.
package main

import (
	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/plugins/internal/pool"
	"github.com/httpd-mpm/httpd-mpm/plugins/internal/threads"
)

func main() {
	mpm.Serve(&pool.MPM{
		Kind: pool.Event,
		Desc: description,
		Serve: func(c *mpm.Child, s pool.Settings) error {
			return threads.Serve(c, threads.Options{Workers: s.ThreadsPerChild, Park: true, AsyncRequestWorkerFactor: s.AsyncRequestWorkerFactor})
		},
	})
}

var description = mpm.Description{
	Module:     "mpm_event_module",
	Name:       "event",
	Source:     "event.c",
	Version:    "0.2.0",
	Threaded:   "yes (fixed thread count)",
	Forked:     "yes (variable process count)",
	Directives: pool.Directives(pool.Event),
}
