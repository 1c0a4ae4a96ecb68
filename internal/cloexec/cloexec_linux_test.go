package cloexec

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestCloseRangeConstants: the numbers cloexec uses without x/sys/unix
// are x/sys/unix's.
func TestCloseRangeConstants(t *testing.T) {
	if sysCloseRange != unix.SYS_CLOSE_RANGE || closeRangeCloexec != unix.CLOSE_RANGE_CLOEXEC {
		t.Fatalf("close_range %d flag %d, x/sys/unix says %d and %d", sysCloseRange, closeRangeCloexec, unix.SYS_CLOSE_RANGE, unix.CLOSE_RANGE_CLOEXEC)
	}
}

// TestInherited: a descriptor without close-on-exec has it after Inherited.
func TestInherited(t *testing.T) {
	var p [2]int
	if err := unix.Pipe2(p[:], 0); err != nil { // no O_CLOEXEC: as inherited
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	Inherited()
	for _, fd := range p {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC == 0 {
			t.Errorf("fd %d: flags %#x, %v: not close-on-exec", fd, flags, err)
		}
	}
}
