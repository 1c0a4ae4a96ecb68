//go:build linux

package unpolled

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

func file(fd int, name string) (*os.File, error) {
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return nil, fmt.Errorf("fd %d: %w", fd, err)
	}
	if flags&unix.O_NONBLOCK == 0 {
		return os.NewFile(uintptr(fd), name), nil // blocking: NewFile leaves it out
	}
	// Clearing O_NONBLOCK would change it for every process that shares the
	// socket. Instead: a File over a blocking placeholder (an eventfd),
	// which NewFile leaves out of the netpoller, then the socket moved onto
	// the placeholder's number (dup3 replaces it atomically).
	tmp, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("fd %d: placeholder: %w", fd, err)
	}
	f := os.NewFile(uintptr(tmp), name)
	if err := unix.Dup3(fd, tmp, unix.O_CLOEXEC); err != nil {
		f.Close()
		return nil, fmt.Errorf("fd %d: dup3: %w", fd, err)
	}
	unix.Close(fd)
	return f, nil
}
