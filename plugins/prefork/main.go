// Command mod_mpm_prefork.so is the prefork MPM: child processes each
// serving one connection at a time, kept between MinSpareServers and
// MaxSpareServers idle ones, as Apache's prefork.
package main

import (
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	"github.com/httpd-mpm/httpd-mpm/mpm"
	_ "github.com/httpd-mpm/httpd-mpm/mpm/earlystart" // the first child starts before most package inits
	"github.com/httpd-mpm/httpd-mpm/plugins/builtin"
)

func main() {
	mpm.Serve(builtin.Prefork(), mpm.WithChildProgram(wire.ChildProgram("prefork")))
}
