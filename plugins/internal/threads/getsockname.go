//go:build freebsd || darwin || (linux && 386)

package threads

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// rawGetsockname is getsockname(2), an ordinary system call on the BSDs
// and on Linux 386, whose socket calls go through socketcall(2) (elsewhere
// on Linux: accept_raw_linux.go).
func rawGetsockname(fd int) (netip.AddrPort, error) {
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return sockaddrAddrPort(sa), nil
}
