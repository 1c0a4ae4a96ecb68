package host

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/httpd-mpm/httpd-mpm/host/config"
)

// The <VirtualHost> sections as Apache 2.4's vhost.c sorts them for
// -D DUMP_VHOSTS (ap_fini_vhost_config, dump_vhost_config): what the -S
// output says, not what this server serves by.

// unappliedInVhosts warns of each directive and section in a <VirtualHost>
// that this server ignores there (ExtendedStatus, ...): requests
// to the virtual host get the main server's setting. Better said at every
// start and -t than found out from the wrong behaviour.
func unappliedInVhosts(cfg *config.Config) []string {
	var out []string
	for _, d := range cfg.Directives {
		if !d.IsSection() || !strings.EqualFold(d.Name, "VirtualHost") {
			continue
		}
		for _, x := range d.Children {
			name := x.Name
			if x.IsSection() {
				if _, ok := siteSection(x, ""); ok {
					continue
				}
				name = "<" + name + ">"
			} else if appliedInVhost(x.Name) || refusedInVhost(x.Name) {
				continue
			}
			out = append(out, fmt.Sprintf("Warning: %s on line %d of %s is ignored in <VirtualHost %s>: "+
				"httpd-mpm gives its requests the main server's setting",
				name, x.Line, x.File, strings.Join(d.Args, " ")))
		}
	}
	return out
}

// appliedInVhost says whether a directive in <VirtualHost> applies to that
// virtual host's requests.
func appliedInVhost(name string) bool {
	switch strings.ToLower(name) {
	case "servername", "serveralias", "documentroot", "serveradmin", "errorlog", "loglevel", "logformat", "customlog", "transferlog",
		"ssloptions": // accepted: no CGI or SSI here to take its variables
		return true
	}
	if config.IsPerServer(name) {
		return true
	}
	return isSiteDirective(name)
}

// refusedInVhost says whether Apache refuses the core directive name in
// <VirtualHost> (ServerTokens, Listen, ...): the config check reports it as
// an error, which says enough.
func refusedInVhost(name string) bool {
	s := config.Core.Lookup(name, false)
	return s != nil && s.Context != 0 && s.Context&config.InVirtualHost == 0 // 0: anywhere
}

// vhost is one <VirtualHost> section: its names and where it opens.
type vhost struct {
	name          string
	aliases, wild []string // ServerAlias names, with and without wildcards
	file          string
	line          int
}

// vhostAddr is one address of a <VirtualHost> line. A zero ip is a
// wildcard ("*", "_default_", 0.0.0.0 or [::]); port 0 is "any port".
// host is the host as written (vhost.c's virthost).
type vhostAddr struct {
	ip   netip.Addr
	port int
	host string
}

func (a vhostAddr) wildcard() bool { return !a.ip.IsValid() || a.ip.IsUnspecified() }

// vhostChain is Apache's ipaddr_chain: the vhosts of one address. With
// more than one, the address is a NameVirtualHost and the first in the
// config is its default server.
type vhostChain struct {
	addr    vhostAddr
	members []vhostMember // in config order
}

type vhostMember struct {
	v    *vhost
	port int // the member's own port (for "port N namevhost")
}

// vhostTable is the sorted result: the exact-address chains by
// Apache's hash bucket, then the wildcard ones.
type vhostTable struct {
	buckets  [256][]*vhostChain
	defaults []*vhostChain
}

// parseVhostAddr reads one <VirtualHost> argument as vhost.c's
// get_addresses does: "host", "host:port", "host:*", "[v6]:port"; "*"
// and "_default_" are the wildcard. A missing port (or 0) is defPort,
// and ":*" is "any" (0), as is a lone "*" (get_addresses takes its
// trailing '*' for a wildcard port). Names are resolved; nothing is
// returned for an address Apache refuses or cannot resolve.
func parseVhostAddr(w string, defPort int) []vhostAddr {
	w, wildPort := strings.CutSuffix(w, ":*")
	if wildPort && w == "" {
		return nil
	}
	wildPort = wildPort || w == "*"
	host, port := w, defPort
	if wildPort {
		port = 0
	}
	if h, p, err := net.SplitHostPort(w); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 65535 {
			return nil
		}
		host = h
		if n != 0 {
			port = n
		}
	} else if strings.HasPrefix(w, "[") && strings.HasSuffix(w, "]") {
		host = w[1 : len(w)-1]
	}
	if host == "" || strings.Contains(host, "%") {
		return nil
	}
	if host == "*" || strings.EqualFold(host, "_default_") {
		return []vhostAddr{{port: port, host: host}}
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return []vhostAddr{{ip: ip.Unmap(), port: port, host: host}}
	}
	ips, _ := net.DefaultResolver.LookupNetIP(context.Background(), "ip", host)
	var addrs []vhostAddr
	for _, ip := range ips {
		addrs = append(addrs, vhostAddr{ip: ip.Unmap(), port: port, host: host})
	}
	return addrs
}

// hashVhostAddr is vhost.c's hash_addr: it folds the last four bytes of
// the address (as an unsigned int, key ^= key >> 16; (key >> 8) ^ key)
// and keeps the low byte, which is their XOR whatever the byte order.
func hashVhostAddr(ip netip.Addr) int {
	b := ip.AsSlice()
	b = b[len(b)-4:]
	return int(b[0] ^ b[1] ^ b[2] ^ b[3])
}

// sameIP is apr_sockaddr_equal: an IPv4-mapped IPv6 address equals its
// IPv4 address.
func sameIP(a, b netip.Addr) bool { return a.Unmap() == b.Unmap() }

// findChain is find_ipaddr: the chain of ip and port, else one of ip
// where either port is "any".
func (t *vhostTable) findChain(a vhostAddr) *vhostChain {
	var wild *vhostChain
	for _, c := range t.buckets[hashVhostAddr(a.ip)] {
		if !sameIP(c.addr.ip, a.ip) {
			continue
		}
		if c.addr.port == a.port {
			return c
		}
		if wild == nil && (c.addr.port == 0 || a.port == 0) {
			wild = c
		}
	}
	return wild
}

// findDefault is find_default_server: the wildcard chain of port, else
// the first of any port.
func (t *vhostTable) findDefault(port int) *vhostChain {
	var wild *vhostChain
	for _, c := range t.defaults {
		if c.addr.port == port {
			return c
		}
		if wild == nil && c.addr.port == 0 {
			wild = c
		}
	}
	return wild
}

// parsedVhost is one <VirtualHost> section with its addresses and name.
type parsedVhost struct {
	d       *config.Directive
	v       *vhost
	addrs   []vhostAddr
	defPort int // the main ServerName's port when the section opens, 0 if none
}

// readVhosts reads the <VirtualHost> sections in config order. An address
// without a port takes the port of the main ServerName read before the
// section, as Apache's does. A vhost without ServerName on a wildcard
// address takes mainName(), else the reverse lookup of its first address;
// failures are Apache's AH00549 errors, returned as messages in Apache's
// order (it names the vhosts from the last to the first).
func readVhosts(directives []*config.Directive, mainName func() string) ([]parsedVhost, []string) {
	var all []parsedVhost
	mainPort := 0
	for _, d := range directives {
		if !d.IsSection() && strings.EqualFold(d.Name, "ServerName") && len(d.Args) == 1 {
			mainPort = 0
			if _, port, ok := strings.Cut(strings.TrimPrefix(d.Args[0], serverScheme(d.Args[0])), ":"); ok {
				mainPort, _ = strconv.Atoi(port)
			}
		}
		if !d.IsSection() || !strings.EqualFold(d.Name, "VirtualHost") {
			continue
		}
		p := parsedVhost{d: d, v: vhostOf(d), defPort: mainPort}
		for _, arg := range d.Args {
			p.addrs = append(p.addrs, parseVhostAddr(arg, mainPort)...)
		}
		all = append(all, p)
	}
	var errs []string
	for i := len(all) - 1; i >= 0; i-- {
		if v, addrs := all[i].v, all[i].addrs; v.name == "" {
			var err string
			v.name, err = defaultVhostName(addrs, mainName)
			if err != "" {
				errs = append(errs, err)
			}
		}
	}
	return all, errs
}

// defaultVhostName is the name of a vhost without ServerName, as
// ap_fini_vhost_config gives it, and Apache's AH00549 error if any.
func defaultVhostName(addrs []vhostAddr, mainName func() string) (string, string) {
	if slices.ContainsFunc(addrs, vhostAddr.wildcard) {
		return mainName(), ""
	}
	if len(addrs) == 0 {
		return "bogus_host_without_forward_dns", ""
	}
	ip := addrs[0].ip.String()
	names, err := net.DefaultResolver.LookupAddr(context.Background(), ip)
	if err == nil && len(names) > 0 {
		return strings.TrimSuffix(names[0], "."), ""
	}
	cause := "(EAI 2)Name or service not known: "
	if dnsErr, ok := err.(*net.DNSError); err != nil && (!ok || !dnsErr.IsNotFound) {
		cause = err.Error() + ": "
	}
	return "bogus_host_without_reverse_dns", cause + "AH00549: Failed to resolve server name for " + ip + " (check DNS) -- or specify an explicit ServerName"
}

// sortVhosts builds the table as ap_fini_vhost_config does: it walks the
// vhosts from the last to the first, so each chain's members end up in
// config order and the first becomes the default server.
func sortVhosts(directives []*config.Directive, mainName func() string) (*vhostTable, []string) {
	t := &vhostTable{}
	all, errs := readVhosts(directives, mainName)
	add := func(c *vhostChain, v *vhost, a vhostAddr) {
		c.members = append([]vhostMember{{v: v, port: a.port}}, c.members...)
	}
	for i := len(all) - 1; i >= 0; i-- {
		v, addrs := all[i].v, all[i].addrs
		for j, a := range addrs {
			if a.wildcard() {
				c := t.findDefault(a.port)
				if c != nil && c.addr.port == a.port {
					// A vhost's repeated wildcard address counts once.
					if j == 0 || !addrs[j-1].wildcard() || addrs[j-1].port != a.port {
						add(c, v, a)
					}
					continue
				}
				c = &vhostChain{addr: vhostAddr{port: a.port}}
				t.defaults = append([]*vhostChain{c}, t.defaults...)
				add(c, v, a)
				continue
			}
			c := t.findChain(a)
			if c == nil || c.addr.port != a.port {
				b := hashVhostAddr(a.ip)
				c = &vhostChain{addr: a}
				t.buckets[b] = append([]*vhostChain{c}, t.buckets[b]...)
			}
			add(c, v, a)
		}
	}
	return t, errs
}

// vhostOf reads a <VirtualHost> section's ServerName (the last one; its
// host part, as core.c's server_hostname_port keeps it) and ServerAlias
// lines (names with a wildcard apart, as ap_is_matchexp tells them).
func vhostOf(d *config.Directive) *vhost {
	v := &vhost{file: d.File, line: d.Line}
	// Conditional sections are flattened by the parser; other sections
	// (<Directory>, ...) cannot hold these.
	for _, x := range d.Children {
		switch {
		case x.IsSection():
		case strings.EqualFold(x.Name, "ServerName") && len(x.Args) == 1:
			v.name = serverHostname(x.Args[0])
		case strings.EqualFold(x.Name, "ServerAlias"):
			for _, a := range x.Args {
				if strings.ContainsAny(a, "*?") {
					v.wild = append(v.wild, a)
				} else {
					v.aliases = append(v.aliases, a)
				}
			}
		}
	}
	return v
}

// serverHostname is the host part of a ServerName: without a
// "scheme://" and from the first ':' on.
func serverHostname(arg string) string {
	host, _, _ := strings.Cut(strings.TrimPrefix(arg, serverScheme(arg)), ":")
	return host
}

// serverScheme is the "scheme://" a ServerName starts with, or "".
func serverScheme(arg string) string {
	if i := strings.Index(arg, "://"); i >= 0 {
		return arg[:i+3]
	}
	return ""
}

// mainHostname is the main server's name for the vhosts that inherit it:
// its ServerName, else what Apache's ap_get_local_host guesses: the
// host's fully qualified name, else its name if it has a dot, else its
// address. This server itself uses no such guess (without ServerName its
// pages name the request's Host or the local address), and so it does
// not print Apache's AH00558 about it either.
func mainHostname(serverName string) string {
	if serverName != "" {
		return serverHostname(serverName)
	}
	name, err := os.Hostname()
	if err != nil {
		return "127.0.0.1"
	}
	ips, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", name)
	if err != nil || len(ips) == 0 {
		return "127.0.0.1"
	}
	if names, err := net.DefaultResolver.LookupAddr(context.Background(), ips[0].String()); err == nil && len(names) > 0 {
		if fqdn := strings.TrimSuffix(names[0], "."); strings.Contains(fqdn, ".") {
			return fqdn
		}
	}
	if strings.Contains(name, ".") {
		return name
	}
	return ips[0].Unmap().String()
}

// printVhosts is -D DUMP_VHOSTS, in vhost.c's dump_a_vhost format. It
// returns Apache's AH00549 errors, for the error log.
func printVhosts(w io.Writer, cfg *config.Config, s *config.Server) []string {
	fmt.Fprintln(w, "VirtualHost configuration:")
	t, errs := sortVhosts(cfg.Directives, sync.OnceValue(func() string { return mainHostname(s.ServerName) }))
	for _, b := range t.buckets {
		for _, c := range b {
			printChain(w, c)
		}
	}
	for _, c := range t.defaults {
		printChain(w, c)
	}
	return errs
}

func printChain(w io.Writer, c *vhostChain) {
	addr := "*:" + strconv.Itoa(c.addr.port)
	if !c.addr.wildcard() {
		addr = netip.AddrPortFrom(c.addr.ip, uint16(c.addr.port)).String()
	}
	if c.addr.port == 0 {
		addr = addr[:len(addr)-1] + "*"
	}
	first := c.members[0].v
	if len(c.members) == 1 {
		fmt.Fprintf(w, "%-22s %s (%s:%d)\n", addr, first.name, first.file, first.line)
		return
	}
	fmt.Fprintf(w, "%-22s is a NameVirtualHost\n%8s default server %s (%s:%d)\n", addr, "", first.name, first.file, first.line)
	for _, m := range c.members {
		port := "*"
		if m.port != 0 {
			port = strconv.Itoa(m.port)
		}
		fmt.Fprintf(w, "%8s port %s namevhost %s (%s:%d)\n", "", port, m.v.name, m.v.file, m.v.line)
		for _, a := range m.v.aliases {
			fmt.Fprintf(w, "%16s alias %s\n", "", a)
		}
		for _, a := range m.v.wild {
			fmt.Fprintf(w, "%16s wild alias %s\n", "", a)
		}
	}
}
