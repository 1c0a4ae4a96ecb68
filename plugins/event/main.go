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
		Desc:    description,
		Servers: func(v mpm.Values) int { return v.Int("StartServers") },
		Serve: func(c *mpm.Child, v mpm.Values) error {
			return threads.Serve(c, threads.Options{Workers: v.Int("ThreadsPerChild"), Park: true})
		},
	})
}

var description = mpm.Description{
	Module:   "mpm_event_module",
	Name:     "event",
	Source:   "event.c",
	Version:  "0.1.0",
	Threaded: "yes (fixed thread count)",
	Forked:   "yes (variable process count)",
	Directives: append(threads.Directives(),
		mpm.Directive{Name: "AsyncRequestWorkerFactor", Kind: mpm.KindFloat, Default: "2", Help: "How many additional connects will be accepted per idle worker thread"},
	),
}
