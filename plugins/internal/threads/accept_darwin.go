package threads

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// AcceptNonblock accepts a connection from the non-blocking listening
// socket lfd as a non-blocking, close-on-exec descriptor. macOS has no
// accept4: the flags are set after, under syscall.ForkLock so that no exec
// in between inherits the descriptor.
func AcceptNonblock(lfd int) (int, unix.Sockaddr, error) {
	syscall.ForkLock.RLock()
	nfd, sa, err := unix.Accept(lfd)
	if err == nil {
		unix.CloseOnExec(nfd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, nil, err
	}
	if err := unix.SetNonblock(nfd, true); err != nil {
		unix.Close(nfd)
		return -1, nil, err
	}
	return nfd, sa, nil
}

// rawGetsockname is getsockname(2) (an ordinary system call here).
func rawGetsockname(fd int) (unix.Sockaddr, error) { return unix.Getsockname(fd) }
