// Package builtin is httpd-mpm's own MPMs, prefork, worker and event, as
// values. The same code serves both forms Apache has: a plugin executable
// (plugins/NAME, whose main is mpm.Serve(builtin.NAME()), with the child
// program plugins/NAME/child) and an MPM linked into the httpd binary
// (`make MPM=NAME`, Apache's --with-mpm), which the host runs in its own
// process.
package builtin

import (
	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/plugins/internal/pool"
	"github.com/httpd-mpm/httpd-mpm/plugins/internal/prefork"
	"github.com/httpd-mpm/httpd-mpm/plugins/internal/threads"
)

// Prefork returns a new prefork MPM: child processes each serving one
// connection at a time, kept between MinSpareServers and MaxSpareServers
// idle ones, as Apache's prefork. Every call returns a fresh instance with
// no state shared with others: one per MPM generation.
func Prefork() mpm.MPM {
	return &pool.MPM{Kind: pool.Prefork, Desc: preforkDesc, Serve: prefork.ServeChild}
}

// Worker returns a new worker MPM: child processes, each with a pool of
// ThreadsPerChild workers; a connection holds its worker for its whole
// life, keep-alive waits included, as in Apache's worker. Every call
// returns a fresh instance.
func Worker() mpm.MPM {
	return &pool.MPM{
		Kind: pool.Worker,
		Desc: workerDesc,
		Serve: func(c *mpm.Child, s pool.Settings) error {
			return threads.Serve(c, threads.Options{Workers: s.ThreadsPerChild})
		},
	}
}

// Event returns a new event MPM: like worker, but a connection waiting for
// its next keep-alive request is parked in the poller (epoll) and holds no
// worker, as in Apache's event. Every call returns a fresh instance.
func Event() mpm.MPM {
	return &pool.MPM{
		Kind: pool.Event,
		Desc: eventDesc,
		Serve: func(c *mpm.Child, s pool.Settings) error {
			return threads.Serve(c, threads.Options{Workers: s.ThreadsPerChild, Park: true, AsyncRequestWorkerFactor: s.AsyncRequestWorkerFactor, Servers: s.StartServers})
		},
	}
}

var (
	preforkDesc = mpm.Description{
		Module:     "mpm_prefork_module",
		Name:       "prefork",
		Source:     "prefork.c",
		Version:    "0.2.0",
		Threaded:   "no",
		Forked:     "yes (variable process count)",
		Directives: pool.Directives(pool.Prefork),
	}
	workerDesc = mpm.Description{
		Module:     "mpm_worker_module",
		Name:       "worker",
		Source:     "worker.c",
		Version:    "0.2.0",
		Threaded:   "yes (fixed thread count)",
		Forked:     "yes (variable process count)",
		Directives: pool.Directives(pool.Worker),
	}
	eventDesc = mpm.Description{
		Module:     "mpm_event_module",
		Name:       "event",
		Source:     "event.c",
		Version:    "0.2.0",
		Threaded:   "yes (fixed thread count)",
		Forked:     "yes (variable process count)",
		Directives: pool.Directives(pool.Event),
	}
)
