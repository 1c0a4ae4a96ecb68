package http1

import (
	"net"
	"net/netip"
	"testing"
)

// addrConn is a net.Conn with a peer address and nothing else.
type addrConn struct {
	net.Conn
	addr net.Addr
}

func (c addrConn) RemoteAddr() net.Addr { return c.addr }

// addrPortConn is one that also has RemoteAddrPort (AddrPortConn).
type addrPortConn struct {
	addrConn
	ap netip.AddrPort
}

func (c addrPortConn) RemoteAddrPort() netip.AddrPort { return c.ap }

// TestRemoteAddr: the fast path through RemoteAddrPort writes the client as
// net.TCPAddr.String does, an IPv4-mapped IPv6 peer (a dual-stack listener)
// as IPv4 included.
func TestRemoteAddr(t *testing.T) {
	remoteAddr := func(c net.Conn) string {
		var buf [len("255.255.255.255:65535")]byte
		return remoteAddr(c, &buf)
	}
	for _, s := range []string{"127.0.0.1:50470", "[::1]:8080", "[::ffff:192.0.2.7]:443", "[2001:db8::1]:1", "255.255.255.255:65535", "0.0.0.0:0", "10.20.3.0:9"} {
		ap := netip.MustParseAddrPort(s)
		tcp := net.TCPAddrFromAddrPort(ap)
		want := tcp.String()
		if got := remoteAddr(addrPortConn{addrConn{addr: tcp}, ap}); got != want {
			t.Errorf("RemoteAddrPort %s: got %q, want %q", s, got, want)
		}
		if got := remoteAddr(addrConn{addr: tcp}); got != want {
			t.Errorf("RemoteAddr %s: got %q, want %q", s, got, want)
		}
	}
	if got := remoteAddr(addrConn{}); got != "" {
		t.Errorf("no address: got %q", got)
	}
	// A zero AddrPort falls back to RemoteAddr.
	unix := &net.UnixAddr{Name: "/run/x.sock", Net: "unix"}
	if got := remoteAddr(addrPortConn{addrConn{addr: unix}, netip.AddrPort{}}); got != "/run/x.sock" {
		t.Errorf("zero AddrPort: got %q", got)
	}
}
