//go:build linux

package launch

import (
	"runtime"
	"sync"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/internal/capability"
)

// sysProcAttr puts the plugin in its own process group (a terminal's
// Ctrl-C reaches only the host, which drains the MPM) and kills it if the
// host dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// launcher is the OS thread that starts every plugin process. Its
// bounding set holds only capability.Parent, so a plugin started as root
// gets those capabilities and no more at exec, and need not execute
// itself again to drop the others (see Privileges in package mpm). The
// rest of the host keeps its capabilities: the thread stays locked to its
// goroutine, so the Go runtime neither runs anything else on it nor starts
// threads from it. It lives as long as the host, as each plugin's
// parent-death signal is tied to the thread that started it.
var launcher struct {
	once sync.Once
	work chan func()
}

// onLauncher runs start on the launcher thread and returns when it has.
func onLauncher(start func()) {
	launcher.once.Do(func() {
		launcher.work = make(chan func())
		go func() {
			runtime.LockOSThread() // for good
			// Not root: nothing to drop. Otherwise a plugin left with
			// more drops the rest itself.
			_ = capability.LimitThread(capability.Mask(capability.Parent))
			for f := range launcher.work {
				f()
			}
		}()
	})
	done := make(chan struct{})
	launcher.work <- func() {
		defer close(done)
		start()
	}
	<-done
}
