package cloexec

import (
	"os"
	"strconv"
	"syscall"
)

// close_range(2)'s flag; its number is sysCloseRange. Package
// golang.org/x/sys/unix has both, but a package that imports it is
// initialised late in a plugin (see mpm/internal/spawn), and this one must
// not be.
const closeRangeCloexec = 1 << 2

// Inherited marks every descriptor from 3 up close-on-exec. The
// descriptors Go opens are close-on-exec already; inherited ones are not.
func Inherited() {
	if _, _, e := syscall.Syscall(sysCloseRange, 3, ^uintptr(0), closeRangeCloexec); e == 0 {
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
