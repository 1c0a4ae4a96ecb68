//go:build linux

package listen

import (
	"fmt"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/internal/unpolled"
)

// bind makes the socket as Apache's make_sock does: SO_REUSEADDR,
// SO_KEEPALIVE, TCP_NODELAY, IPV6_V6ONLY for explicit IPv6 addresses, SO_REUSEPORT for
// listeners buckets, bind, listen.
func bind(ip netip.Addr, anyAddr bool, port, backlog int, reusePort bool) (*Socket, error) {
	family, network := unix.AF_INET, "tcp4"
	if anyAddr || ip.Is6() && !ip.Is4In6() {
		family, network = unix.AF_INET6, "tcp6"
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.IPPROTO_TCP)
	if err != nil && anyAddr {
		// No IPv6 here: all addresses means all IPv4 addresses.
		family, network = unix.AF_INET, "tcp4"
		fd, err = unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.IPPROTO_TCP)
	}
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	fail := func(what string, err error) (*Socket, error) {
		unix.Close(fd)
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return fail("setsockopt SO_REUSEADDR", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1); err != nil {
		return fail("setsockopt SO_KEEPALIVE", err)
	}
	// Accepted connections inherit it: the MPMs' children skip a
	// setsockopt per connection, as Apache's do.
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
		return fail("setsockopt TCP_NODELAY", err)
	}
	if reusePort {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
			return fail("setsockopt SO_REUSEPORT", err)
		}
	}
	var sa unix.Sockaddr
	if family == unix.AF_INET6 {
		v6only := 1
		if anyAddr {
			v6only = 0
		}
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, v6only); err != nil {
			return fail("setsockopt IPV6_V6ONLY", err)
		}
		a := &unix.SockaddrInet6{Port: port}
		if !anyAddr {
			a.Addr = ip.As16()
		}
		sa = a
	} else {
		a := &unix.SockaddrInet4{Port: port}
		if !anyAddr {
			a.Addr = ip.Unmap().As4()
		}
		sa = a
	}
	if err := unix.Bind(fd, sa); err != nil {
		return fail("bind", err)
	}
	if err := unix.Listen(fd, backlog); err != nil {
		return fail("listen", err)
	}
	bound, err := unix.Getsockname(fd)
	if err != nil {
		return fail("getsockname", err)
	}
	// The host never accepts: out of its netpoller, a connection wakes no thread of it.
	f, err := unpolled.File(fd, "listener")
	if err != nil {
		return fail("adopt", err)
	}
	return &Socket{Network: network, Addr: sockaddrString(bound), File: f}, nil
}

func sockaddrString(sa unix.Sockaddr) string {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port)).String()
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr), uint16(a.Port)).String()
	}
	return "?"
}

// Adopt wraps an inherited listening socket (from systemd) as a Socket,
// which then owns it (f is closed); on error f is left to the caller.
func Adopt(f *os.File) (*Socket, error) {
	fd := int(f.Fd())
	if on, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN); err != nil || on == 0 {
		return nil, fmt.Errorf("inherited fd %d (%s) is not a listening socket", fd, f.Name())
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return nil, fmt.Errorf("getsockname fd %d: %w", fd, err)
	}
	network := "tcp4"
	if _, ok := sa.(*unix.SockaddrInet6); ok {
		network = "tcp6"
	} else if _, ok := sa.(*unix.SockaddrInet4); !ok {
		return nil, fmt.Errorf("inherited fd %d (%s) is not a TCP socket", fd, f.Name())
	}
	// Adopted sockets are used in non-blocking mode like our own, and held
	// out of the netpoller as they are (os.NewFile put one that systemd
	// passed non-blocking into it): f gives way to an unpolled duplicate.
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, err
	}
	nf, err := unpolled.Dup(f, f.Name())
	if err != nil {
		return nil, fmt.Errorf("fd %d: %w", fd, err)
	}
	f.Close()
	return &Socket{Network: network, Addr: sockaddrString(sa), File: nf, Inherited: true}, nil
}

// SetDeferAccept sets TCP_DEFER_ACCEPT to secs seconds, Apache's accept
// filter "data" on Linux: the kernel keeps a connection out of accept(2)
// until the client has sent something (or, after secs, gives it up), so
// that a worker that accepts it finds its request there instead of
// waiting for it. 0 turns the option off on the host's own sockets and
// leaves an inherited socket as its owner set it (systemd's
// DeferAcceptSec=). The kernel rounds secs up to whole SYN-ACK
// retransmissions.
func (s *Socket) SetDeferAccept(secs int) error {
	if secs == 0 && s.Inherited {
		return nil
	}
	raw, err := s.File.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT, secs)
	}); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("setsockopt TCP_DEFER_ACCEPT on %s: %w", s.Addr, serr)
	}
	return nil
}
