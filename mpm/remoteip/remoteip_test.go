package remoteip

import (
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func config(t *testing.T, lines ...[]string) *Config {
	t.Helper()
	c := &Config{}
	for _, l := range lines {
		if err := c.Set(l[0], l[1:]); err != nil {
			t.Fatalf("%v: %v", l, err)
		}
	}
	return c
}

// TestWalk: the cases apache2 2.4.71 was seen to answer so (logged %a, the
// header left and RemoteIPProxiesHeader).
func TestWalk(t *testing.T) {
	none := config(t, []string{"RemoteIPHeader", "X-Forwarded-For"})
	listed := config(t, []string{"RemoteIPHeader", "X-Forwarded-For"},
		[]string{"RemoteIPInternalProxy", "127.0.0.1"}, []string{"RemoteIPTrustedProxy", "8.8.8.8"})
	for _, tc := range []struct {
		c                     *Config
		value                 string
		client, rest, proxies string
		hasRest, ok           bool
	}{
		{none, "8.8.8.8", "8.8.8.8", "", "127.0.0.1", false, true},
		{none, "1.2.3", "1.2.0.3", "", "127.0.0.1", false, true},
		{none, "0x08080808", "8.8.8.8", "", "127.0.0.1", false, true},
		{none, "010.8.8.8", "8.8.8.8", "", "127.0.0.1", false, true},
		{none, "8.8.8.8:80", "", "", "", false, false},
		{none, "[2001:db8::1]", "", "", "", false, false},
		{none, "2001:4860::1", "2001:4860::1", "", "127.0.0.1", false, true},
		{none, "::ffff:8.8.8.8", "8.8.8.8", "", "127.0.0.1", false, true},
		{none, " 8.8.8.8 , 9.9.9.9  ", "8.8.8.8", "", "127.0.0.1, 9.9.9.9", false, true},
		{none, "10.0.0.1, 9.9.9.9", "9.9.9.9", "10.0.0.1", "127.0.0.1", true, true},
		{none, "junk, 9.9.9.9", "9.9.9.9", "junk", "127.0.0.1", true, true},
		{none, "9.9.9.9,, 8.8.8.8", "8.8.8.8", "9.9.9.9,", "127.0.0.1", true, true},
		{none, "  ,8.8.8.8", "8.8.8.8", "", "127.0.0.1", true, true},
		{none, "host.example", "", "", "", false, false},
		{none, "8.8.8.8, 1.1.1.1 x", "", "", "", false, false},
		{none, "8.8.8.8,  junk  , 9.9.9.9", "9.9.9.9", "8.8.8.8,  junk", "127.0.0.1", true, true},
		{listed, "::ffff:10.0.0.1", "10.0.0.1", "", "", false, true},
		{listed, "10.1", "10.0.0.1", "", "", false, true},
		{listed, "1.1.1.1 ,  ,8.8.8.8", "8.8.8.8", "1.1.1.1 ,  ", "", true, true},
		{listed, "1.1.1.1, 10.0.0.2, 8.8.8.8, 10.0.0.1", "10.0.0.1", "1.1.1.1, 10.0.0.2, 8.8.8.8", "", true, true},
		{listed, "1.1.1.1, 10.0.0.2, 8.8.8.8", "8.8.8.8", "1.1.1.1, 10.0.0.2", "", true, true},
		{listed, "5.5.5.5, 9.9.9.9, 8.8.8.8", "9.9.9.9", "5.5.5.5", "8.8.8.8", true, true},
	} {
		res, ok := tc.c.Walk(netip.MustParseAddr("127.0.0.1"), tc.value)
		if ok != tc.ok {
			t.Errorf("%q: ok %v, want %v", tc.value, ok, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		if res.Client.String() != tc.client || res.Rest != tc.rest || res.HasRest != tc.hasRest || res.Proxies != tc.proxies {
			t.Errorf("%q: %s, rest %q (%v), proxies %q; want %s, %q (%v), %q",
				tc.value, res.Client, res.Rest, res.HasRest, res.Proxies, tc.client, tc.rest, tc.hasRest, tc.proxies)
		}
	}
}

// TestWalkPeerNotListed: a peer outside the proxy list is the client.
func TestWalkPeerNotListed(t *testing.T) {
	c := config(t, []string{"RemoteIPHeader", "X-Forwarded-For"}, []string{"RemoteIPTrustedProxy", "10.0.0.0/8"})
	if res, ok := c.Walk(netip.MustParseAddr("127.0.0.1"), "8.8.8.8"); ok {
		t.Errorf("peer 127.0.0.1 outside 10/8 handed over %v", res)
	}
	// A trusted (not internal) proxy may not hand over a private address.
	if res, ok := c.Walk(netip.MustParseAddr("10.1.2.3"), "192.168.1.1"); ok {
		t.Errorf("trusted proxy handed over a private address: %v", res)
	}
}

// TestParseAddr: IPv4 forms as glibc 2.36's inet_aton reads them (checked
// with Python's socket.inet_aton), IPv6 as getaddrinfo does.
func TestParseAddr(t *testing.T) {
	for in, want := range map[string]string{
		"1.2.3.4": "1.2.3.4", "1.2.3": "1.2.0.3", "1.2": "1.0.0.2", "1": "0.0.0.1", "0": "0.0.0.0",
		"0x1": "0.0.0.1", "0X1F.2": "31.0.0.2", "010.8.8.8": "8.8.8.8", "1.2.65535": "1.2.255.255",
		"1.16777215": "1.255.255.255", "4294967295": "255.255.255.255", "0xffffffff": "255.255.255.255",
		"0377.0377.0377.0377": "255.255.255.255", "00": "0.0.0.0",
		"0x": "", "08.1.1.1": "", "0x100.1.1.1": "", "1.2.3.256": "", "1.2.65536": "", "1.16777216": "",
		"4294967296": "", "1..2": "", ".1.2": "", "1.2.": "", "+1.2.3.4": "", "-1": "", "09": "",
		"0x0x1": "", "1.2.3.4.5": "", "0400.1.1.1": "", "1e3": "", "abc": "", "": "",
		"2001:db8::1": "2001:db8::1", "::ffff:8.8.8.8": "8.8.8.8", "[::1]": "", "fe80::1%lo": "", "8.8.8.8:80": "",
	} {
		a, ok := ParseAddr(in)
		got := ""
		if ok {
			got = a.String()
		}
		if got != want {
			t.Errorf("ParseAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHexProxy: a proxy written as inet_aton reads it (getaddrinfo's
// numeric forms), as apache2 takes RemoteIPInternalProxy 0x7f000001 for
// 127.0.0.1.
func TestHexProxy(t *testing.T) {
	c := config(t, []string{"RemoteIPInternalProxy", "0x7f000001", "012.0x1"})
	if len(c.proxies) != 2 || c.proxies[0].net != netip.MustParsePrefix("127.0.0.1/32") || c.proxies[1].net != netip.MustParsePrefix("10.0.0.1/32") {
		t.Errorf("proxies %v, want 127.0.0.1/32 10.0.0.1/32", c.proxies)
	}
}

func TestApply(t *testing.T) {
	c := config(t, []string{"RemoteIPHeader", "x-forwarded-for"}, []string{"RemoteIPProxiesHeader", "X-By"})
	r := &http.Request{RemoteAddr: "127.0.0.1:5555", Header: http.Header{"X-Forwarded-For": {"8.8.8.8", "9.9.9.9"}}}
	c.Apply(r)
	if r.RemoteAddr != "8.8.8.8:0" || r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("X-By") != "127.0.0.1, 9.9.9.9" {
		t.Errorf("RemoteAddr %s, header %v", r.RemoteAddr, r.Header)
	}
	r = &http.Request{RemoteAddr: "127.0.0.1:5555", Header: http.Header{"X-Forwarded-For": {"10.0.0.1, 2001:4860::1"}}}
	c.Apply(r)
	if r.RemoteAddr != "[2001:4860::1]:0" || r.Header.Get("X-Forwarded-For") != "10.0.0.1" {
		t.Errorf("RemoteAddr %s, header %v", r.RemoteAddr, r.Header)
	}
}

// TestApplyProxiesHeaderSpelling: Apply names RemoteIPProxiesHeader as
// configured, which a TRACE echo's added line keeps ("x-by: 127.0.0.1", as
// apache2's), its value in r.Header under the canonical key.
func TestApplyProxiesHeaderSpelling(t *testing.T) {
	c := config(t, []string{"RemoteIPHeader", "X-Forwarded-For"}, []string{"RemoteIPProxiesHeader", "x-by"})
	r := &http.Request{RemoteAddr: "127.0.0.1:5555", Header: http.Header{"X-Forwarded-For": {"8.8.8.8"}}}
	if got := c.Apply(r); !slices.Equal(got, []string{"X-Forwarded-For", "x-by"}) {
		t.Errorf("changed %q, want [X-Forwarded-For x-by]", got)
	}
	if got := r.Header["X-By"]; !slices.Equal(got, []string{"127.0.0.1"}) {
		t.Errorf("X-By %q, want [127.0.0.1]", got)
	}
}

// TestListEmptyWord: an empty quoted word ends its line, as a '#' does
// (apache2's proxylist_read stops at the first empty word): the words after
// it are not read, the next line is.
func TestListEmptyWord(t *testing.T) {
	list := filepath.Join(t.TempDir(), "list")
	if err := os.WriteFile(list, []byte("127.0.0.5 \"\" 300.1.1.1\n127.0.0.6\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	name, nets, err := Resolve("RemoteIPTrustedProxyList", []string{list})
	if err != nil || name != "RemoteIPTrustedProxy" || !slices.Equal(nets, []string{"127.0.0.5/32", "127.0.0.6/32"}) {
		t.Errorf("%s %q, %v; want RemoteIPTrustedProxy [127.0.0.5/32 127.0.0.6/32]", name, nets, err)
	}
}

// TestSetErrors: apache2 -t's messages for the same lines.
func TestSetErrors(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "list")
	if err := os.WriteFile(list, []byte("10.0.0.1 # c\n\n  1.2.3.4/8 5.6.7.8/33\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// apache2 -t's answers: words may be quoted, a backslash at a line's
	// end continues it (the error names its last line).
	quoted, continued := filepath.Join(dir, "quoted"), filepath.Join(dir, "continued")
	if err := os.WriteFile(quoted, []byte("10.0.0.1 \"8.8.8.0/24\" \\\n  127.0.0.3 \"1.2.3.4/33\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(continued, []byte("10.0.0.1 \\\n5.6.7.8/33\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, arg, want string }{
		{"RemoteIPTrustedProxyList", quoted, "RemoteIP: Error parsing IP 1.2.3.4/33 (The specified network mask is invalid. error) for RemoteIPTrustedProxyList at line 2 of " + quoted},
		{"RemoteIPTrustedProxyList", continued, "RemoteIP: Error parsing IP 5.6.7.8/33 (The specified network mask is invalid. error) for RemoteIPTrustedProxyList at line 2 of " + continued},
		{"RemoteIPTrustedProxy", "10.0.0.0/33", "RemoteIP: Error parsing IP 10.0.0.0/33 (The specified network mask is invalid. error) for RemoteIPTrustedProxy"},
		{"remoteiptrustedproxy", "300.1.1.1", "RemoteIP: Error parsing IP 300.1.1.1 (The specified IP address is invalid. error) for RemoteIPTrustedProxy"},
		{"RemoteIPInternalProxy", "foo.invalid/8", "RemoteIP: Error parsing IP foo.invalid/8 the subnet /8 is invalid for RemoteIPInternalProxy"},
		{"RemoteIPInternalProxy", "foo.invalid", "RemoteIP: Error parsing IP foo.invalid (Name or service not known error) for RemoteIPInternalProxy"},
		{"RemoteIPInternalProxy", "1.2.3.4.5", "RemoteIP: Error parsing IP 1.2.3.4.5 (The specified IP address is invalid. error) for RemoteIPInternalProxy"},
		{"RemoteIPTrustedProxyList", filepath.Join(dir, "none"), "RemoteIPTrustedProxyList: Could not open file " + filepath.Join(dir, "none") + ": No such file or directory"},
		{"RemoteIPInternalProxyList", list, "RemoteIP: Error parsing IP 5.6.7.8/33 (The specified network mask is invalid. error) for RemoteIPInternalProxyList at line 3 of " + list},
	} {
		var c Config
		err := c.Set(tc.name, []string{tc.arg})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s %s: %v, want %s", tc.name, tc.arg, err, tc.want)
		}
	}
	var c Config
	for _, ok := range []string{"10.1", "1.2.3.4/255.255.0.0", "1.", "::1/64", "localhost"} {
		if err := c.Set("RemoteIPInternalProxy", []string{ok}); err != nil {
			t.Errorf("RemoteIPInternalProxy %s: %v", ok, err)
		}
	}
}

func TestMerge(t *testing.T) {
	main := config(t, []string{"RemoteIPHeader", "X-Real-IP"}, []string{"RemoteIPInternalProxy", "10.0.0.1"})
	vhost := config(t, []string{"RemoteIPTrustedProxy", "8.8.8.8"})
	m := vhost.Merge(main)
	if m.Header != "X-Real-Ip" || len(m.proxies) != 2 || m.proxies[0].internal || !m.proxies[1].internal {
		t.Errorf("merged %+v", m)
	}
}

// TestWalkZonedPeer: a link-local peer with its zone is matched as the
// address alone, as apr_ipsubnet_test compares it.
func TestWalkZonedPeer(t *testing.T) {
	c := config(t, []string{"RemoteIPHeader", "X-Forwarded-For"}, []string{"RemoteIPTrustedProxy", "fe80::/10"})
	res, ok := c.Walk(netip.MustParseAddr("fe80::1%eth0"), "8.8.8.8")
	if !ok || res.Client != netip.MustParseAddr("8.8.8.8") || res.Proxies != "fe80::1%eth0" {
		t.Errorf("walk from fe80::1%%eth0: %+v %v, want client 8.8.8.8", res, ok)
	}
}
