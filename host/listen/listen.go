// Package listen binds the host's listening sockets. The host binds them
// once, keeps them open for its whole life (across MPM restarts and swaps,
// so that the kernel backlog holds connections while an MPM starts), and
// hands duplicates to the MPM plugin. The host never accepts on them.
package listen

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// Socket is one bound, listening socket.
type Socket struct {
	Name    string // the Listen argument as written, e.g. "8080" or "127.0.0.1:0"
	Network string // "tcp4" or "tcp6"
	Addr    string // the bound address, with the real port when Listen said 0
	Bucket  int    // listeners bucket (ListenCoresBucketsRatio); 0 without buckets
	File    *os.File
	// Inherited is set on a socket bound by someone else (systemd socket
	// activation, see Adopt): its options are theirs, and SetDeferAccept
	// only turns TCP_DEFER_ACCEPT on.
	Inherited bool
}

// Close closes the socket.
func (s *Socket) Close() error { return s.File.Close() }

// ParseAddr splits a Listen argument ("80", "1.2.3.4:80", "[::1]:80",
// "*:80") into a host (empty for every address) and port.
func ParseAddr(arg string) (host string, port int, err error) {
	hostPart, portPart := "", arg
	if i := strings.LastIndexByte(arg, ':'); i >= 0 {
		hostPart, portPart = arg[:i], arg[i+1:]
		if strings.HasPrefix(hostPart, "[") && strings.HasSuffix(hostPart, "]") {
			hostPart = hostPart[1 : len(hostPart)-1]
		} else if strings.Contains(hostPart, ":") {
			return "", 0, fmt.Errorf("Invalid address or port")
		}
	}
	if hostPart == "*" {
		hostPart = ""
	}
	p, perr := strconv.Atoi(portPart)
	if perr != nil || p < 0 || p > 65535 {
		return "", 0, fmt.Errorf("Invalid address or port")
	}
	return hostPart, p, nil
}

// Bind binds and listens on one Listen argument with the given backlog.
// A port-only argument listens on every address (IPv6 and IPv4 in one
// socket where the system has IPv6).
func Bind(arg string, backlog int) (*Socket, error) {
	socks, err := BindBuckets(arg, backlog, 1)
	if err != nil {
		return nil, err
	}
	return socks[0], nil
}

// BindBuckets binds buckets sockets on one Listen argument, as Apache's
// ListenCoresBucketsRatio does: with more than one, every socket has
// SO_REUSEPORT and the kernel spreads new connections across them; the
// later ones take the port the first one got (Listen with port 0).
func BindBuckets(arg string, backlog, buckets int) ([]*Socket, error) {
	host, port, err := ParseAddr(arg)
	if err != nil {
		return nil, err
	}
	var ip netip.Addr
	if host != "" {
		if ip, err = netip.ParseAddr(host); err != nil {
			ips, lerr := net.DefaultResolver.LookupNetIP(context.Background(), "ip", host)
			if lerr != nil || len(ips) == 0 {
				return nil, fmt.Errorf("could not resolve host name %s -- ignoring", host)
			}
			ip = ips[0]
		}
	}
	reusePort := buckets > 1
	var socks []*Socket
	for b := 0; b < max(buckets, 1); b++ {
		s, err := bind(ip, host == "", port, backlog, reusePort)
		if err != nil {
			for _, o := range socks {
				o.Close()
			}
			return nil, fmt.Errorf("AH00072: make_sock: could not bind to address %s: %w", displayAddr(ip, host == "", port), err)
		}
		if port == 0 {
			// The other buckets share the port the kernel chose.
			if ap, perr := netip.ParseAddrPort(s.Addr); perr == nil {
				port = int(ap.Port())
			}
		}
		s.Name, s.Bucket = arg, b
		socks = append(socks, s)
	}
	return socks, nil
}

func displayAddr(ip netip.Addr, any bool, port int) string {
	if any {
		return fmt.Sprintf("[::]:%d", port)
	}
	return netip.AddrPortFrom(ip, uint16(port)).String()
}

// Match reports whether a bound socket answers a Listen argument: the same
// port, and the same address unless the argument names none. It is how
// sockets passed by systemd (socket activation) are matched to Listen.
func Match(arg, boundAddr string) bool {
	host, port, err := ParseAddr(arg)
	if err != nil {
		return false
	}
	ap, err := netip.ParseAddrPort(boundAddr)
	if err != nil || int(ap.Port()) != port {
		return false
	}
	if host == "" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap() == ap.Addr().Unmap()
}
