// Command httpd is the httpd-mpm server: Apache-compatible configuration
// and command line, with the MPM loaded as a plugin process or, built
// with the tag mpm_NAME (`make MPM=NAME`), linked in and run in-process
// (static_NAME.go).
package main

import (
	"os"

	"github.com/httpd-mpm/httpd-mpm/host"
)

func main() { os.Exit(host.Main(os.Args[1:], os.Stdout, os.Stderr)) }
