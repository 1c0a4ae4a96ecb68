// Command mod_mpm_percore.so is an MPM for httpd-mpm built only on its
// public SDK: one process per CPU core, each pinned to its core and
// running on one OS thread, serving every connection on a goroutine of
// its own. See README.md.
package main

import "github.com/httpd-mpm/httpd-mpm/mpm"

func main() { mpm.Serve(&PerCore{}) }
