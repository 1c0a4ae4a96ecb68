package threads

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// AcceptNonblock accepts a connection from the non-blocking listening
// socket lfd as a non-blocking, close-on-exec descriptor. It decodes the
// peer's address itself: unix.Accept4 asks the kernel for the socket's
// protocol on every connection (a getsockopt that an Internet socket
// never needs). The call is raw (see rawio_linux.go): on a non-blocking
// listener accept4 never waits.
func AcceptNonblock(lfd int) (int, unix.Sockaddr, error) {
	var rsa unix.RawSockaddrAny
	size := uint32(unix.SizeofSockaddrAny)
	fd, _, e := syscall.RawSyscall6(syscall.SYS_ACCEPT4, uintptr(lfd), uintptr(unsafe.Pointer(&rsa)), uintptr(unsafe.Pointer(&size)),
		uintptr(unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC), 0, 0)
	if e != 0 {
		return -1, nil, e
	}
	switch rsa.Addr.Family {
	case unix.AF_INET:
		p := (*unix.RawSockaddrInet4)(unsafe.Pointer(&rsa))
		port := (*[2]byte)(unsafe.Pointer(&p.Port))
		return int(fd), &unix.SockaddrInet4{Port: int(port[0])<<8 | int(port[1]), Addr: p.Addr}, nil
	case unix.AF_INET6:
		p := (*unix.RawSockaddrInet6)(unsafe.Pointer(&rsa))
		port := (*[2]byte)(unsafe.Pointer(&p.Port))
		return int(fd), &unix.SockaddrInet6{Port: int(port[0])<<8 | int(port[1]), ZoneId: p.Scope_id, Addr: p.Addr}, nil
	}
	return int(fd), nil, nil // another family (a Unix socket): no Internet peer address
}
