//go:build linux

package mpm

import (
	"os"
	"os/signal"
	"syscall"
)

// childSysProcAttr asks the kernel for SIGUSR1 (graceful) when the plugin
// process dies: the child finishes its requests instead of cutting them.
func childSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGUSR1}
}

// onGraceful calls f once on the first SIGUSR1; later ones are ignored.
// SIGINT is ignored: a terminal's Ctrl-C is the host's business.
func onGraceful(f func()) {
	signal.Ignore(syscall.SIGINT, syscall.SIGHUP, syscall.SIGWINCH, syscall.SIGPIPE)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	go func() {
		<-ch
		f()
	}()
}
