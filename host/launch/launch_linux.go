//go:build linux

package launch

import (
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// sysProcAttr puts the plugin in its own process group (a terminal's
// Ctrl-C reaches only the host, which drains the MPM) and kills it if the
// host dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// closeInheritedOnExec marks every descriptor from 3 up close-on-exec, so
// that a plugin inherits only what Start hands it (stdio, the lifeline and
// the listeners, placed by ExtraFiles). The descriptors Go opens are
// close-on-exec already; the ones this process inherited (from a shell, a
// supervisor, a test harness) are not, and would otherwise pass on to the
// plugin and to every child it starts.
func closeInheritedOnExec() {
	if unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC) == nil {
		return
	}
	// Before Linux 5.11: one by one.
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range ents {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd >= 3 {
			syscall.CloseOnExec(fd)
		}
	}
}
