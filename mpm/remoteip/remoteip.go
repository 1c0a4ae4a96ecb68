// Package remoteip is Apache's mod_remoteip: the client's address taken from
// a request header (RemoteIPHeader, say X-Forwarded-For) that the proxies in
// front of the server fill in, walked from its right while the address at
// hand is a proxy the configuration trusts.
//
// Its directives are server-wide (main server and <VirtualHost>):
// RemoteIPHeader, RemoteIPProxiesHeader, RemoteIPInternalProxy,
// RemoteIPTrustedProxy and their *List forms, which read the addresses from a
// file. A virtual host takes the main server's header names unless it sets
// its own; its proxy list is its own entries followed by the main server's
// (apache2 2.4.71 merges them, with its warning AH10633).
package remoteip

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/internal/apconf"
	"github.com/httpd-mpm/httpd-mpm/mpm/authz"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// Config is one server's mod_remoteip settings. The zero value does nothing.
type Config struct {
	// Header is RemoteIPHeader's field name, "" for none (the module is then
	// off).
	Header string
	// ProxiesHeader is RemoteIPProxiesHeader's, spelled as configured (a
	// TRACE echo's added line spells it so, as apache2's), "" for none.
	ProxiesHeader string
	// proxies are the RemoteIP*Proxy subnets in the order given; none means
	// every peer is a trusted (not internal) proxy.
	proxies []proxy
}

type proxy struct {
	net      netip.Prefix
	internal bool
}

// Directives are the module's directive names.
var Directives = []string{"RemoteIPHeader", "RemoteIPProxiesHeader", "RemoteIPInternalProxy", "RemoteIPTrustedProxy",
	"RemoteIPInternalProxyList", "RemoteIPTrustedProxyList"}

// IsDirective reports whether name (any case) is one of the module's
// directives.
func IsDirective(name string) bool {
	return directiveName(name) != name || slices.Contains(Directives, name)
}

// IsProxyDirective reports whether name (any case) adds to the proxy list: a
// virtual host's come before the main server's.
func IsProxyDirective(name string) bool {
	switch strings.ToLower(name) {
	case "remoteipinternalproxy", "remoteiptrustedproxy", "remoteipinternalproxylist", "remoteiptrustedproxylist":
		return true
	}
	return false
}

// Set applies one directive, refusing it in apache2's words. A *List
// directive's file is read now; a relative name is taken from the working
// directory (the host makes it absolute against the ServerRoot, and hands
// the children the lines Resolve made of it instead).
func (c *Config) Set(name string, args []string) error {
	switch strings.ToLower(name) {
	case "remoteipheader":
		c.Header = http.CanonicalHeaderKey(args[0])
	case "remoteipproxiesheader":
		c.ProxiesHeader = args[0]
	case "remoteipinternalproxy", "remoteiptrustedproxy":
		internal := strings.EqualFold(name, "RemoteIPInternalProxy")
		for _, a := range args {
			if err := c.addProxy(directiveName(name), a, internal); err != nil {
				return err
			}
		}
	case "remoteipinternalproxylist", "remoteiptrustedproxylist":
		return c.readList(directiveName(name), args[0], strings.EqualFold(name, "RemoteIPInternalProxyList"))
	default:
		return fmt.Errorf("remoteip: unknown directive %s", name)
	}
	return nil
}

// Resolve is a RemoteIP*Proxy or RemoteIP*ProxyList line as the
// RemoteIPInternalProxy or RemoteIPTrustedProxy line of the subnets it
// stands for: the list's file read, host names looked up. The host calls it
// once per configuration, as apache2's parent reads them (as root), so that
// the children, which may not read the file, neither open it nor look
// anything up.
func Resolve(name string, args []string) (string, []string, error) {
	var c Config
	if err := c.Set(name, args); err != nil {
		return "", nil, err
	}
	out := "RemoteIPTrustedProxy"
	if strings.HasPrefix(strings.ToLower(name), "remoteipinternal") {
		out = "RemoteIPInternalProxy"
	}
	nets := make([]string, len(c.proxies))
	for i, p := range c.proxies {
		nets[i] = p.net.String()
	}
	return out, nets, nil
}

// directiveName is name as apache2 spells it in its messages.
func directiveName(name string) string {
	for _, n := range Directives {
		if strings.EqualFold(n, name) {
			return n
		}
	}
	return name
}

// addProxy is apache2's proxies_set: an address or subnet as Require ip
// reads it, else a host name, each of whose addresses is added.
func (c *Config) addProxy(directive, arg string, internal bool) error {
	ip, mask, hasMask := strings.Cut(arg, "/")
	if authz.LooksLikeIP(ip) {
		p, err := authz.ParseSubnet(arg)
		if err != nil {
			return fmt.Errorf("RemoteIP: Error parsing IP %s (%v error) for %s", arg, err, directive)
		}
		c.proxies = append(c.proxies, proxy{p, internal})
		return nil
	}
	if hasMask {
		return fmt.Errorf("RemoteIP: Error parsing IP %s the subnet /%s is invalid for %s", arg, mask, directive)
	}
	if a, ok := parseInetAton(ip); ok { // getaddrinfo's numeric forms: 0x7f000001 is 127.0.0.1
		c.proxies = append(c.proxies, proxy{netip.PrefixFrom(a, 32), internal})
		return nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", ip)
	if err != nil {
		msg := err.Error()
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			msg = "Name or service not known" // getaddrinfo's EAI_NONAME
		}
		return fmt.Errorf("RemoteIP: Error parsing IP %s (%s error) for %s", arg, msg, directive)
	}
	for _, a := range addrs {
		a = a.Unmap().WithZone("")
		c.proxies = append(c.proxies, proxy{netip.PrefixFrom(a, a.BitLen()), internal})
	}
	return nil
}

// readList is apache2's proxylist_read: the words of each line of file
// (ap_cfg_getline's lines, a backslash at the end continuing one, and
// ap_getword_conf's words, quoted or not), up to a word that starts with
// '#' or an empty one ("", which ends proxylist_read's line too), each an
// address for addProxy.
func (c *Config) readList(directive, file string, internal bool) error {
	src, err := os.ReadFile(file)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) && pe.Op == "open" {
			return fmt.Errorf("%s: Could not open file %s: %s", directive, file, errnoText(pe.Err))
		}
		return fmt.Errorf("%s: reading %s: %w", directive, file, err)
	}
	for _, l := range apconf.Lines(src) {
		for _, w := range apconf.Words(l.Text) {
			if w == "" || strings.HasPrefix(w, "#") {
				break
			}
			if err := c.addProxy(directive, w, internal); err != nil {
				return fmt.Errorf("%w at line %d of %s", err, l.Last, file)
			}
		}
	}
	return nil
}

// errnoText is err as strerror words it ("No such file or directory").
func errnoText(err error) string {
	s := err.Error()
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

// Empty reports whether c sets nothing.
func (c *Config) Empty() bool {
	return c.Header == "" && c.ProxiesHeader == "" && c.proxies == nil
}

// Merge is apache2 2.4.71's merge of a virtual host's settings (c) over the
// main server's (main): each header name is the host's when it set one, else
// the main server's; the proxy list is the host's entries, then the main
// server's.
func (c *Config) Merge(main *Config) Config {
	m := *c
	if m.Header == "" {
		m.Header = main.Header
	}
	if m.ProxiesHeader == "" {
		m.ProxiesHeader = main.ProxiesHeader
	}
	m.proxies = slices.Concat(c.proxies, main.proxies)
	return m
}

// Enabled reports whether c changes requests: a RemoteIPHeader is set.
func (c *Config) Enabled() bool { return c.Header != "" }

// Result is what Walk found.
type Result struct {
	// Client is the client's address, IPv4 for an IPv4-mapped one.
	Client netip.Addr
	// Rest is what is left of the header, to the left of the address taken;
	// HasRest is false when nothing is (the header is removed).
	Rest    string
	HasRest bool
	// Proxies are the trusted (not internal) proxies walked past, as the
	// RemoteIPProxiesHeader lists them ("" for none).
	Proxies string
}

// Walk is apache2's remoteip_modify_request on value, the header's value
// (its lines joined by ", "), for a connection from peer: from the right,
// while the address at hand (peer first) is in the proxy list (or there is
// none), take the next entry as the client. An internal proxy may hand over
// a private address (10/8, 127/8, 169.254/16, 172.16/12, 192.168/16, or IPv6
// outside 2000::/3) and, with a list, the entry is internal until a trusted
// proxy hands over; an entry that is empty, not an address, or private where
// that is not allowed ends the walk and stays in the header. ok is false when
// no entry was taken: the request is left as it is.
func (c *Config) Walk(peer netip.Addr, value string) (res Result, ok bool) {
	internal := len(c.proxies) > 0
	// A zoned peer (fe80::1%eth0) is matched without its zone, as
	// apr_ipsubnet_test compares the bytes alone (and authz's clientAddr).
	curText := peer.Unmap().String()
	cur := peer.Unmap().WithZone("")
	var proxies []string
	remote, more := value, true
	for more {
		if len(c.proxies) > 0 {
			i := 0
			for ; i < len(c.proxies); i++ {
				if c.proxies[i].net.Contains(cur) {
					if internal {
						internal = c.proxies[i].internal
					}
					break
				}
			}
			if i == len(c.proxies) {
				break
			}
		}
		var elem string
		if i := strings.LastIndexByte(remote, ','); i >= 0 {
			elem, remote = remote[i+1:], remote[:i]
		} else {
			elem, remote, more = remote, "", false
		}
		lead := len(elem) - len(strings.TrimLeft(elem, " "))
		entry := strings.TrimRight(elem[lead:], " ")
		// Where the walk stops, the entry goes back: after the comma as it
		// was but for its trailing spaces (apache2 wrote NULs over them),
		// alone without its spaces.
		restore := func() {
			if more {
				remote += "," + elem[:lead+len(entry)]
			} else {
				remote, more = entry, true
			}
		}
		if entry == "" {
			restore()
			break
		}
		a, parsed := ParseAddr(entry)
		if !parsed || !internal && Private(a) {
			restore()
			break
		}
		ok = true
		if !internal {
			proxies = append(proxies, curText)
		}
		cur, curText = a, a.String()
	}
	if !ok {
		return Result{}, false
	}
	return Result{Client: cur, Rest: remote, HasRest: more, Proxies: strings.Join(proxies, ", ")}, true
}

// Apply walks r's header for r's peer (r.RemoteAddr) and, when an entry was
// taken, makes the client r.RemoteAddr (port 0: apache2's "port is not
// known"), leaves the rest in the header or removes it, and sets the note
// "remoteip-proxy-ip-list" and ProxiesHeader to the trusted proxies walked
// past. It returns the names of
// the fields it changed, ProxiesHeader spelled as configured (r.Header
// holds their new values under http.CanonicalHeaderKey's, none for one
// removed).
func (c *Config) Apply(r *http.Request) []string {
	vals := r.Header[c.Header]
	if len(vals) == 0 {
		return nil
	}
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return nil
	}
	value := vals[0]
	if len(vals) > 1 {
		value = strings.Join(vals, ", ") // apache2 merges a field's lines
	}
	res, ok := c.Walk(peer.Addr(), value)
	if !ok {
		return nil
	}
	r.RemoteAddr = netip.AddrPortFrom(res.Client, 0).String()
	changed := []string{c.Header}
	if res.HasRest {
		r.Header[c.Header] = []string{res.Rest}
	} else {
		delete(r.Header, c.Header)
		http1.RemovedField(r, c.Header) // mod_proxy's X-Forwarded-For is a new field
	}
	if res.Proxies != "" {
		http1.SetNote(r, "remoteip-proxy-ip-list", res.Proxies) // for %{remoteip-proxy-ip-list}n
		if c.ProxiesHeader != "" {
			r.Header[http.CanonicalHeaderKey(c.ProxiesHeader)] = []string{res.Proxies}
			changed = append(changed, c.ProxiesHeader)
		}
	}
	return changed
}

// Private reports whether a is an address only an internal proxy may hand
// over: IPv4 10/8, 127/8, 169.254/16, 172.16/12, 192.168/16 (RFC 3330), IPv6
// outside the global unicast 2000::/3.
func Private(a netip.Addr) bool {
	if a.Is4() {
		b := a.As4()
		return b[0] == 10 || b[0] == 127 || b[0] == 169 && b[1] == 254 || b[0] == 172 && b[1]&0xf0 == 16 || b[0] == 192 && b[1] == 168
	}
	return a.As16()[0]&0xe0 != 0x20
}

// ParseAddr reads an entry of the header as apache2's resolver call does
// for a numeric one: an IPv6 address (an IPv4-mapped one is its IPv4
// address) or an IPv4 one in any form inet_aton takes ("1.2.3" is 1.2.0.3,
// "0x8080808" and "010.8.8.8" are 8.8.8.8). A host name is not looked up.
func ParseAddr(s string) (netip.Addr, bool) {
	if strings.IndexByte(s, ':') >= 0 {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return netip.Addr{}, false
		}
		return a.Unmap(), true
	}
	return parseInetAton(s)
}

// parseInetAton is inet_aton's address: one to four numbers separated by
// dots, each decimal, octal (leading 0) or hexadecimal (0x), the last one
// filling the bytes the others left.
func parseInetAton(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var v [4]uint64
	for i, p := range parts {
		base := 10
		switch {
		case len(p) > 1 && (p[:2] == "0x" || p[:2] == "0X"):
			base, p = 16, p[2:] // "0x" alone is refused below, as glibc refuses it
		case len(p) > 1 && p[0] == '0':
			base, p = 8, p[1:]
		}
		n, err := strconv.ParseUint(p, base, 32)
		if err != nil || p == "" || p[0] == '+' || p[0] == '-' {
			return netip.Addr{}, false
		}
		v[i] = n
	}
	last := len(parts) - 1
	for i := 0; i < last; i++ {
		if v[i] > 0xff {
			return netip.Addr{}, false
		}
	}
	if v[last] >= 1<<(8*(4-last)) {
		return netip.Addr{}, false
	}
	var n uint32
	for i := 0; i < last; i++ {
		n |= uint32(v[i]) << (24 - 8*i)
	}
	n |= uint32(v[last])
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true
}
