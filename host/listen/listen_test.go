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
