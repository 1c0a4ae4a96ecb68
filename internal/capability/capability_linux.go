package capability

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Parent are the capabilities an MPM parent keeps when it is started as
// root: CAP_SETUID and CAP_SETGID to start children as User and Group,
// CAP_KILL to signal them.
var Parent = []int{unix.CAP_SETUID, unix.CAP_SETGID, unix.CAP_KILL}

// Mask is caps as a bit set.
func Mask(caps []int) uint64 {
	m := uint64(0)
	for _, c := range caps {
		m |= 1 << c
	}
	return m
}

// Last is the highest capability the kernel knows.
func Last() int {
	if b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n >= 0 && n < 64 {
			return n
		}
	}
	return unix.CAP_LAST_CAP
}

// Bounding is the calling thread's bounding set, capabilities 0 to last.
func Bounding(last int) uint64 {
	b := uint64(0)
	for c := 0; c <= last; c++ {
		if in, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(c), 0, 0, 0); err == nil && in == 1 {
			b |= 1 << c
		}
	}
	return b
}

// LimitThread drops every capability but keep from the calling thread's
// bounding set and empties its inheritable set, so that a program it
// executes as root is given keep and no more (root's new permitted set is
// the bounding set plus the inheritable one) and passes none on: the
// inheritable set survives exec and a change of uid, so a child of that
// program dropping to User would have to capset it away on every thread,
// which a program using cgo cannot (AllThreadsSyscall). Its own permitted
// and effective sets stay as they are. The caller keeps the goroutine locked to the thread
// (runtime.LockOSThread): the change is the thread's, not the process's.
// Without CAP_SETPCAP (not root) it fails having changed nothing.
func LimitThread(keep uint64) error {
	last := Last()
	bounding := Bounding(last)
	// CAP_SETPCAP is what allows dropping: it goes last.
	order := make([]int, 0, last+1)
	for c := 0; c <= last; c++ {
		if c != unix.CAP_SETPCAP {
			order = append(order, c)
		}
	}
	for _, c := range append(order, unix.CAP_SETPCAP) {
		if keep&(1<<c) != 0 || bounding&(1<<c) == 0 {
			continue
		}
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil {
			return fmt.Errorf("drop capability %d from the bounding set: %w", c, err)
		}
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capget: %w", err)
	}
	data[0].Inheritable, data[1].Inheritable = 0, 0
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset: %w", err)
	}
	return nil
}
