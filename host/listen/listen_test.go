package listen

import (
	"net"
	"strings"
	"testing"
)

func TestParseAddr(t *testing.T) {
	cases := []struct {
		in   string
		host string
		port int
		err  bool
	}{
		{"80", "", 80, false},
		{"*:8080", "", 8080, false},
		{"127.0.0.1:0", "127.0.0.1", 0, false},
		{"[::1]:443", "::1", 443, false},
		{"::1:443", "", 0, true},
		{"127.0.0.1:x", "", 0, true},
		{"127.0.0.1:70000", "", 0, true},
	}
	for _, c := range cases {
		host, port, err := ParseAddr(c.in)
		if (err != nil) != c.err || host != c.host || port != c.port {
			t.Errorf("ParseAddr(%q) = %q %d %v", c.in, host, port, err)
		}
	}
}

// TestBind binds real sockets on loopback and connects to them.
func TestBind(t *testing.T) {
	for _, arg := range []string{"127.0.0.1:0", "[::1]:0"} {
		s, err := Bind(arg, 16)
		if err != nil {
			if strings.Contains(arg, "::1") {
				t.Logf("no IPv6 loopback here: %v", err)
				continue
			}
			t.Fatal(err)
		}
		if s.Name != arg || strings.HasSuffix(s.Addr, ":0") {
			t.Errorf("%s: name %q addr %q", arg, s.Name, s.Addr)
		}
		c, err := net.Dial("tcp", s.Addr)
		if err != nil {
			t.Fatalf("dial %s: %v", s.Addr, err)
		}
		c.Close()
		// The same address again is refused while the first is bound.
		if _, err := Bind(s.Addr, 16); err == nil || !strings.Contains(err.Error(), "AH00072: make_sock: could not bind to address") {
			t.Errorf("second bind of %s: %v", s.Addr, err)
		}
		s.Close()
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		arg, bound string
		want       bool
	}{
		{"8080", "0.0.0.0:8080", true},
		{"8080", "[::]:8080", true},
		{"8080", "127.0.0.1:8081", false},
		{"127.0.0.1:8080", "127.0.0.1:8080", true},
		{"127.0.0.1:8080", "127.0.0.2:8080", false},
		{"[::1]:80", "[::1]:80", true},
		{"*:80", "127.0.0.1:80", true},
	}
	for _, c := range cases {
		if got := Match(c.arg, c.bound); got != c.want {
			t.Errorf("Match(%q, %q) = %v", c.arg, c.bound, got)
		}
	}
}

func TestAdopt(t *testing.T) {
	s, err := Bind("127.0.0.1:0", 8)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, err := Adopt(s.File)
	if err != nil || a.Addr != s.Addr || a.Network != "tcp4" {
		t.Fatalf("Adopt = %+v, %v; want %s", a, err, s.Addr)
	}
	c, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f, err := c.(*net.TCPConn).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := Adopt(f); err == nil || !strings.Contains(err.Error(), "not a listening socket") {
		t.Errorf("a connected socket was adopted as a listener: %v", err)
	}
}

// TestBindBuckets: several SO_REUSEPORT sockets on one port (Listen with
// port 0 included), each accepting connections.
func TestBindBuckets(t *testing.T) {
	socks, err := BindBuckets("127.0.0.1:0", 16, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, s := range socks {
			s.Close()
		}
	}()
	if len(socks) != 3 {
		t.Fatalf("%d sockets", len(socks))
	}
	for i, s := range socks {
		if s.Addr != socks[0].Addr || s.Bucket != i {
			t.Errorf("socket %d: %s bucket %d; want %s bucket %d", i, s.Addr, s.Bucket, socks[0].Addr, i)
		}
	}
	// A plain bind of the same port is refused while the buckets hold it.
	if _, err := Bind(socks[0].Addr, 16); err == nil {
		t.Error("a socket without SO_REUSEPORT joined the buckets' port")
	}
	c, err := net.Dial("tcp", socks[0].Addr)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}
