// Package unpolled makes *os.File values over sockets that Go's netpoller
// does not watch.
//
// os.NewFile registers a non-blocking descriptor with the runtime's
// netpoller, edge-triggered. A process that only holds a listening socket
// for others (the host, an MPM parent) then wakes a thread for every
// connection that arrives on it, although it never accepts: two context
// switches per connection on a busy server. A File from this package
// serves to pass the socket on (exec, SCM_RIGHTS) and to duplicate it;
// blocking calls on it would block, and none are made.
package unpolled

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// File returns an *os.File that owns fd (which it may renumber: use the
// File's Fd from then on) and is not in the netpoller. The descriptor's
// open file description, flags included, is left as it is: it may be
// shared with other processes. On error fd is left open and untouched.
func File(fd int, name string) (*os.File, error) { return file(fd, name) }

// DupFD returns a close-on-exec duplicate of f's descriptor, a bare one
// (no File, so in no netpoller) that the caller closes; f stays open and
// its caller's.
func DupFD(f *os.File) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	cerr := rc.Control(func(s uintptr) { fd, err = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0) })
	if err = errors.Join(cerr, err); err != nil {
		return -1, fmt.Errorf("dup: %w", err)
	}
	return fd, nil
}

// Dup returns a File out of the netpoller over DupFD of f.
func Dup(f *os.File, name string) (*os.File, error) {
	fd, err := DupFD(f)
	if err != nil {
		return nil, err
	}
	nf, err := File(fd, name)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return nf, nil
}
