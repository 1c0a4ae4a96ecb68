// Command mod_mpm_prefork.so is the prefork MPM: child processes each
// serving one connection at a time, kept between MinSpareServers and
// MaxSpareServers idle ones, as Apache's prefork.
package main

import (
	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/plugins/internal/pool"
)

func main() {
	mpm.Serve(&pool.MPM{Kind: pool.Prefork, Desc: description, Serve: serveChild})
}

var description = mpm.Description{
	Module:     "mpm_prefork_module",
	Name:       "prefork",
	Source:     "prefork.c",
	Version:    "0.2.0",
	Threaded:   "no",
	Forked:     "yes (variable process count)",
	Directives: pool.Directives(pool.Prefork),
}
