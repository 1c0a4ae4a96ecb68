//go:build linux || freebsd || darwin

package threads

import (
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/internal/unpolled"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// listenFD is a listening socket as a bare descriptor, for an Acceptor or
// the event loop, which wait for it themselves.
type listenFD struct {
	name    string // the Listen argument, for messages
	fd      int
	nodelay bool // its connections inherit TCP_NODELAY
	// local is the address its connections arrive at when it is bound to
	// one (not a wildcard): their LocalAddr without a getsockname each.
	// Nil otherwise. Shared; never modified.
	local net.Addr
}

// boundAddr is fd's address when it is bound to a specific IP (then every
// connection it accepts has it as its local address), or nil.
func boundAddr(fd int) net.Addr {
	ap, err := rawGetsockname(fd)
	if err != nil || !ap.IsValid() {
		return nil
	}
	if a := tcpAddr(ap); !a.IP.IsUnspecified() {
		return a
	}
	return nil
}

// tcpAddr is an Internet address as a *net.TCPAddr (an IPv4 one in its
// 16-byte form, as net's own).
func tcpAddr(ap netip.AddrPort) *net.TCPAddr {
	ip := ap.Addr().As16()
	return &net.TCPAddr{IP: ip[:], Port: int(ap.Port())}
}

// takeListeners takes over the child's listeners as bare descriptors:
// duplicates (close-on-exec, non-blocking as the host made them; set again
// here because accepting is a raw call that must never wait), and it closes the
// Listeners' Files. An *os.File over a non-blocking socket sits in Go's
// netpoller (and so would a net.Listener), which then wakes a thread of
// every child for every new connection; a child waits for its listeners
// in its own epoll or kqueue set instead. On error it closes what it took.
func takeListeners(ls []mpm.Listener) ([]listenFD, error) {
	var out []listenFD
	for _, l := range ls {
		fd, err := dupListener(l)
		if err == nil {
			if err = unix.SetNonblock(fd, true); err != nil {
				unix.Close(fd)
				err = fmt.Errorf("listener %s: %w", l.Name, err)
			}
		}
		if err != nil {
			closeListeners(out)
			return nil, err
		}
		out = append(out, listenFD{name: l.Name, fd: fd, nodelay: inheritsNoDelay(fd), local: boundAddr(fd)})
	}
	for _, l := range ls {
		l.File.Close()
	}
	return out, nil
}

// dupListener duplicates l's descriptor.
func dupListener(l mpm.Listener) (int, error) {
	fd, err := unpolled.DupFD(l.File)
	if err != nil {
		return -1, fmt.Errorf("listener %s: %w", l.Name, err)
	}
	return fd, nil
}

// closeListeners closes descriptors from takeListeners. The host keeps
// its own copy of each socket: closing ours refuses no connection.
func closeListeners(lns []listenFD) {
	for _, lf := range lns {
		unix.Close(lf.fd)
	}
}
