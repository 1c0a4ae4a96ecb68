//go:build linux || freebsd

package threads

import "golang.org/x/sys/unix"

// acceptNonblock accepts a connection as a non-blocking, close-on-exec
// descriptor.
func acceptNonblock(lfd int) (int, unix.Sockaddr, error) {
	return unix.Accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
}
