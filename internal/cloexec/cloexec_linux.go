package cloexec

import (
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// Inherited marks every descriptor from 3 up close-on-exec. The
// descriptors Go opens are close-on-exec already; inherited ones are not.
func Inherited() {
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
