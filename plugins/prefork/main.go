// Command mod_mpm_prefork.so is the prefork MPM: StartServers child
// processes, each serving one connection at a time, as Apache's prefork.
package main

import (
	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/plugins/internal/pool"
)

func main() {
	mpm.Serve(&pool.MPM{
		Desc:    description,
		Servers: func(v mpm.Values) int { return v.Int("StartServers") },
		Serve:   serveChild,
	})
}

var description = mpm.Description{
	Module:   "mpm_prefork_module",
	Name:     "prefork",
	Source:   "prefork.c",
	Version:  "0.1.0",
	Threaded: "no",
	Forked:   "yes (variable process count)",
	Directives: []mpm.Directive{
		{Name: "StartServers", Kind: mpm.KindInt, Default: "5", Min: 1, Max: 200000, Help: "Number of child processes launched at server startup"},
		{Name: "MinSpareServers", Kind: mpm.KindInt, Default: "5", Min: 1, Max: 200000, Help: "Minimum number of idle children, to handle request spikes"},
		{Name: "MaxSpareServers", Kind: mpm.KindInt, Default: "10", Min: 1, Max: 200000, Help: "Maximum number of idle children"},
		{Name: "MaxRequestWorkers", Kind: mpm.KindInt, Default: "256", Min: 1, Max: 200000, Help: "Maximum number of children alive at the same time"},
		{Name: "MaxClients", Kind: mpm.KindInt, Min: 1, Max: 200000, Help: "Deprecated name of MaxRequestWorkers"},
		{Name: "ServerLimit", Kind: mpm.KindInt, Default: "256", Min: 1, Max: 200000, Help: "Maximum value of MaxRequestWorkers for this run of Apache"},
	},
}
