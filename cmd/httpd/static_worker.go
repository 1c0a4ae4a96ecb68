//go:build mpm_worker

package main

import (
	"github.com/httpd-mpm/httpd-mpm/host"
	"github.com/httpd-mpm/httpd-mpm/plugins/builtin"
)

// linked names the MPM linked in; a second mpm_* tag fails to compile
// here (linked redeclared), as Apache's configure takes one --with-mpm.
const linked = "worker"

func init() { host.StaticMPM = builtin.Worker }
