//go:build linux

package launch

import (
	"os"
	"runtime"
	"sync"
	"syscall"
	"unsafe"

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
// does that), then once exited reports true. It calls died with the
// process's wait status as soon as the process has ended. It sleeps in the
// runtime's netpoller on a pidfd, which becomes readable at the exit; where
// pidfds are not available it polls exited and does not call died.
func waitExit(pid int, exited func() bool, died func(syscall.WaitStatus)) {
	if fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK); err == nil {
		f := os.NewFile(uintptr(fd), "pidfd")
		if rc, err := f.SyscallConn(); err == nil {
			_ = rc.Read(func(fd uintptr) bool {
				var info sigchldInfo
				err := unix.Waitid(unix.P_PIDFD, int(fd), (*unix.Siginfo)(unsafe.Pointer(&info)), unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
				// Exited (SIGCHLD in info; nothing with WNOHANG while it runs), or
				// reaped already (ECHILD).
				if err == nil && info.Signo != 0 {
					died(info.waitStatus())
				}
				return err != nil || info.Signo != 0
			})
		}
		f.Close()
	}
	// go-plugin's own Wait notes the exit just after the reaping.
	pollExit(exited)
}

// sigchldInfo is Linux's siginfo_t as waitid fills it (SIGCHLD): the union
// after si_code is aligned as a pointer.
type sigchldInfo struct {
	Signo, Errno, Code int32
	_                  [unsafe.Sizeof(uintptr(0))/4 - 1]int32
	Pid                int32
	UID                uint32
	Status             int32
	_                  [128 - 3*4 - (unsafe.Sizeof(uintptr(0))/4-1)*4 - 3*4]byte
}

// si_code values of SIGCHLD (CLD_KILLED is 2).
const (
	cldExited = 1
	cldDumped = 3
)

// waitStatus is the status wait(2) would report for info.
func (info *sigchldInfo) waitStatus() syscall.WaitStatus {
	switch info.Code {
	case cldExited:
		return syscall.WaitStatus(info.Status&0xff) << 8
	case cldDumped:
		return syscall.WaitStatus(info.Status&0x7f) | 0x80
	default: // CLD_KILLED
		return syscall.WaitStatus(info.Status & 0x7f)
	}
}
