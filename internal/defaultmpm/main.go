// Command defaultmpm prints the MPM a build of httpd-mpm defaults to on a
// platform, by Apache's rule (server/mpm/config.m4): threads and a
// thread-safe poller (epoll or kqueue) give event, threads alone give
// worker, neither gives prefork. The Makefile runs it for `make` without
// MPM= to pick the LoadModule line of the generated conf/httpd.conf.
//
//	go run ./internal/defaultmpm [GOOS]
//
// GOOS defaults to this program's; run it for the host's, not a cross
// target's, and pass the target's GOOS as the argument.
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	goos := runtime.GOOS
	if len(os.Args) > 1 {
		goos = os.Args[1]
	}
	fmt.Println(defaultMPM(goos))
}

// defaultMPM is the rule for goos. Go gives every platform threads but
// js and wasip1 (one thread, no processes either); epoll is Linux's
// (android's too), kqueue the BSDs' and Apple's.
func defaultMPM(goos string) string {
	switch goos {
	case "linux", "android", // epoll
		"freebsd", "netbsd", "openbsd", "dragonfly", "darwin", "ios": // kqueue
		return "event"
	case "js", "wasip1":
		return "prefork"
	default:
		return "worker"
	}
}
