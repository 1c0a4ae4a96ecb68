//go:build freebsd || (linux && 386)

package threads

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// AcceptNonblock accepts a connection from the non-blocking listening
// socket lfd as a non-blocking, close-on-exec descriptor, with its peer's
// address (the zero AddrPort for a peer that is not on the Internet). It is
// unix.Accept4 on FreeBSD, and on Linux 386, whose socket calls go through
// socketcall(2) (elsewhere on Linux: accept_raw_linux.go).
func AcceptNonblock(lfd int) (int, netip.AddrPort, error) {
	nfd, sa, err := unix.Accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
	if err != nil {
		return -1, netip.AddrPort{}, err
	}
	return nfd, sockaddrAddrPort(sa), nil
}
