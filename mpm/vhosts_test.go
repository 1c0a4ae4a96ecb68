package mpm

import (
	"net"
	"net/http"
	"net/netip"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// TestVhostPick follows Apache 2.4's vhost.c: the connection's local address
// picks a chain (its IP and port, its IP and any port, the wildcard of its
// port, the wildcard of any port, else the main server); a chain of one is
// IP-based, a longer one name-based by the request's host, its first member
// the default.
func TestVhostPick(t *testing.T) {
	t.Parallel()
	main := newVserver("main.test", "", nil, http1.CanonicalNameOff, nil)
	servers := map[*vserver]string{main: "main"}
	table := newVhostTable(main)
	add := func(label, name string, aliases []string, addrs ...VirtualHostAddr) {
		s := newVserver(name, "", aliases, http1.CanonicalNameOff, nil)
		servers[s] = label
		table.add(s, addrs)
	}
	add("ip", "ip.test", nil, VirtualHostAddr{IP: "127.0.0.2", Port: 80, Name: "127.0.0.2"})
	add("ipany", "ipany.test", nil, VirtualHostAddr{IP: "127.0.0.3", Name: "127.0.0.3"})
	add("a", "a.test:80", nil, VirtualHostAddr{Port: 80, Name: "*"})
	add("b", "B.Test", []string{"www.b.test", "*.Wild.test", "x?.q.test"}, VirtualHostAddr{Port: 80, Name: "*"}, VirtualHostAddr{Port: 80, Name: "*"})
	add("byaddr", "c.test", nil, VirtualHostAddr{Port: 80, Name: "named.test"})
	add("any1", "any1.test", nil, VirtualHostAddr{Name: "_default_"})
	add("any2", "any2.test", nil, VirtualHostAddr{IP: "0.0.0.0", Name: "0.0.0.0"})
	add("v6", "v6.test", nil, VirtualHostAddr{IP: "::1", Port: 80, Name: "::1"})
	add("ll", "ll.test", nil, VirtualHostAddr{IP: "fe80::1", Port: 80, Name: "fe80::1"})

	cases := []struct {
		local, host, want string
	}{
		{"127.0.0.2:80", "b.test", "ip"},             // an IP chain of one: Host is not looked at
		{"127.0.0.2:81", "b.test", "any1"},           // no IP chain for that port: the wildcard of any port
		{"127.0.0.3:8080", "", "ipany"},              // the IP with any port
		{"127.0.0.1:80", "a.test", "a"},              // name-based
		{"127.0.0.1:80", "B.TEST:8080", "b"},         // case and port do not count
		{"127.0.0.1:80", "b.test.", "b"},             // nor one trailing dot
		{"127.0.0.1:80", "www.b.test", "b"},          // ServerAlias
		{"127.0.0.1:80", "deep.x.wild.test", "b"},    // wildcard ServerAlias
		{"127.0.0.1:80", "wild.test", "a"},           // "*." needs the dot
		{"127.0.0.1:80", "x1.q.test", "b"},           // "?" is one byte
		{"127.0.0.1:80", "x12.q.test", "a"},          // not two
		{"127.0.0.1:80", "named.test", "byaddr"},     // the <VirtualHost> name, when no ServerName matches
		{"127.0.0.1:80", "unknown.test", "a"},        // no match: the chain's first
		{"127.0.0.1:80", "", "a"},                    // no Host: the chain's first
		{"127.0.0.1:9", "any2.test", "any2"},         // wildcard of any port: 0.0.0.0 is one too
		{"127.0.0.1:9", "nothing.test", "any1"},      //
		{"[::1]:80", "a.test", "v6"},                 // IPv6
		{"[::ffff:127.0.0.2]:80", "x", "ip"},         // a mapped IPv4 address is the IPv4 one
		{"[::ffff:127.0.0.1]:80", "www.b.test", "b"}, //
		{"[fe80::1%lo]:80", "x", "ll"},               // the connection's zone does not count
	}
	for _, c := range cases {
		ap := netip.MustParseAddrPort(c.local)
		got := table.pick(net.TCPAddrFromAddrPort(ap), c.host)
		if servers[got] != c.want {
			t.Errorf("local %s, host %q: %s, want %s", c.local, c.host, servers[got], c.want)
		}
	}

	// Without a wildcard of any port, an address no vhost names is the main server's.
	only := newVhostTable(main)
	only.add(newVserver("a.test", "", nil, http1.CanonicalNameOff, nil), []VirtualHostAddr{{Port: 80}})
	if got := only.pick(net.TCPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:81")), "a.test"); got != main {
		t.Errorf("port 81 with vhosts only on 80: %s, want the main server", got.name)
	}
}

func TestWildMatch(t *testing.T) {
	t.Parallel()
	cases := []struct {
		s, pattern string
		want       bool
	}{
		{"a.example.com", "*.example.com", true},
		{"example.com", "*.example.com", false},
		{"a.b.example.com", "*.example.com", true},
		{"ab", "a?", true},
		{"a", "a?", false},
		{"abc", "a*c", true},
		{"abd", "a*c", false},
		{"anything", "*", true},
		{"", "*", true},
		{"", "?", false},
		{"www1.x", "www?.*", true},
	}
	for _, c := range cases {
		if got := wildMatch(c.s, c.pattern); got != c.want {
			t.Errorf("wildMatch(%q, %q) = %v, want %v", c.s, c.pattern, got, c.want)
		}
	}
}

// TestVhostsShareFileCache: the main server and every virtual host serve through
// one open-file cache, so that its bound on descriptors holds for the process.
func TestVhostsShareFileCache(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	cfg := &Config{Core: Core{DocumentRoot: root, VirtualHosts: []VirtualHost{
		{ServerName: "a.test", DocumentRoot: root, Addrs: []VirtualHostAddr{{Port: 80, Name: "*"}}},
		{ServerName: "b.test", DocumentRoot: root, Addrs: []VirtualHostAddr{{Port: 80, Name: "*"}}},
	}}}
	var handlers []*static.Handler
	wrap := func(h http.Handler, _ int, _ string, _ []Handler, _ static.LogFunc) http.Handler {
		sh, ok := h.(*static.Handler)
		if !ok {
			t.Fatalf("content handler %T, want *static.Handler", h)
		}
		handlers = append(handlers, sh)
		return h
	}
	if _, err := newHTTPServer(cfg, wrap); err != nil {
		t.Fatal(err)
	}
	if len(handlers) != 3 {
		t.Fatalf("%d content handlers, want 3", len(handlers))
	}
	for i, h := range handlers {
		if h.Files == nil || h.Files != handlers[0].Files {
			t.Errorf("handler %d: file cache %p, handler 0's %p", i, h.Files, handlers[0].Files)
		}
	}
}
