//go:build linux && !386

package threads

import (
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// AcceptNonblock accepts a connection from the non-blocking listening
// socket lfd as a non-blocking, close-on-exec descriptor, with its peer's
// address (the zero AddrPort for a peer that is not on the Internet). It
// decodes the address itself, into a value: unix.Accept4 asks the kernel
// for the socket's protocol on every connection (a getsockopt that an
// Internet socket never needs) and returns a unix.Sockaddr, an allocation.
// The call is raw (see rawio_linux.go): on a non-blocking listener accept4
// never waits.
func AcceptNonblock(lfd int) (int, netip.AddrPort, error) {
	var rsa unix.RawSockaddrAny
	size := uint32(unix.SizeofSockaddrAny)
	fd, _, e := syscall.RawSyscall6(syscall.SYS_ACCEPT4, uintptr(lfd), uintptr(unsafe.Pointer(&rsa)), uintptr(unsafe.Pointer(&size)),
		uintptr(unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC), 0, 0)
	if e != 0 {
		return -1, netip.AddrPort{}, e
	}
	return int(fd), inetAddrPort(&rsa), nil
}

// rawGetsockname is getsockname(2) as a raw system call (see
// rawio_linux.go: an ordinary one wakes the runtime's monitor, which hands
// the worker's P to another thread: measured, a context switch per request
// when the scoreboard asked each connection's local port), the address
// decoded as AcceptNonblock's.
func rawGetsockname(fd int) (netip.AddrPort, error) {
	var rsa unix.RawSockaddrAny
	size := uint32(unix.SizeofSockaddrAny)
	_, _, e := syscall.RawSyscall(syscall.SYS_GETSOCKNAME, uintptr(fd), uintptr(unsafe.Pointer(&rsa)), uintptr(unsafe.Pointer(&size)))
	if e != 0 {
		return netip.AddrPort{}, e
	}
	return inetAddrPort(&rsa), nil
}
