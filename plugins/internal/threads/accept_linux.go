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
	return int(fd), inetSockaddr(&rsa), nil
}

// rawGetsockname is getsockname(2) as a raw system call (see
// rawio_linux.go: an ordinary one wakes the runtime's monitor, which hands
// the worker's P to another thread: measured, a context switch per request
// when the scoreboard asked each connection's local port).
func rawGetsockname(fd int) (unix.Sockaddr, error) {
	var rsa unix.RawSockaddrAny
	size := uint32(unix.SizeofSockaddrAny)
	_, _, e := syscall.RawSyscall(syscall.SYS_GETSOCKNAME, uintptr(fd), uintptr(unsafe.Pointer(&rsa)), uintptr(unsafe.Pointer(&size)))
	if e != 0 {
		return nil, e
	}
	return inetSockaddr(&rsa), nil
}

// inetSockaddr decodes an Internet socket address; nil for another family
// (a Unix socket has no Internet address).
func inetSockaddr(rsa *unix.RawSockaddrAny) unix.Sockaddr {
	switch rsa.Addr.Family {
	case unix.AF_INET:
		p := (*unix.RawSockaddrInet4)(unsafe.Pointer(rsa))
		port := (*[2]byte)(unsafe.Pointer(&p.Port))
		return &unix.SockaddrInet4{Port: int(port[0])<<8 | int(port[1]), Addr: p.Addr}
	case unix.AF_INET6:
		p := (*unix.RawSockaddrInet6)(unsafe.Pointer(rsa))
		port := (*[2]byte)(unsafe.Pointer(&p.Port))
		return &unix.SockaddrInet6{Port: int(port[0])<<8 | int(port[1]), ZoneId: p.Scope_id, Addr: p.Addr}
	}
	return nil
}
