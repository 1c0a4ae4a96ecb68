//go:build freebsd

package threads

import "golang.org/x/sys/unix"

// AcceptNonblock accepts a connection from the non-blocking listening
// socket lfd as a non-blocking, close-on-exec descriptor.
func AcceptNonblock(lfd int) (int, unix.Sockaddr, error) {
	return unix.Accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
}

// rawGetsockname is getsockname(2) (an ordinary system call here).
func rawGetsockname(fd int) (unix.Sockaddr, error) { return unix.Getsockname(fd) }
