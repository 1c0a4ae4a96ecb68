//go:build linux

package launch

import (
	"os"
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

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

// waitExit returns once process pid has exited, without reaping it (go-plugin
// does that), then once exited reports true. It sleeps in the runtime's
// netpoller on a pidfd, which becomes readable at the exit; where pidfds
// are not available it polls exited.
func waitExit(pid int, exited func() bool) {
	if fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK); err == nil {
		f := os.NewFile(uintptr(fd), "pidfd")
		if rc, err := f.SyscallConn(); err == nil {
			_ = rc.Read(func(fd uintptr) bool {
				var info unix.Siginfo
				err := unix.Waitid(unix.P_PIDFD, int(fd), &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
				// Exited (SIGCHLD in info; nothing with WNOHANG while it runs), or
				// reaped already (ECHILD).
				return err != nil || info.Signo != 0
			})
		}
		f.Close()
	}
	// go-plugin's own Wait notes the exit just after the reaping.
	pollExit(exited)
}
