package mpm

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/internal/loglevel"
	"github.com/httpd-mpm/httpd-mpm/mpm/accesslog"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/remoteip"
	"github.com/httpd-mpm/httpd-mpm/mpm/site"
	"github.com/httpd-mpm/httpd-mpm/mpm/sslvars"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
	"github.com/httpd-mpm/httpd-mpm/mpm/wildcard"
)

// hostConfig is the main server's settings a virtual host may set
// (VirtualHost.HostConfig): what one without its own has.
func (c *Core) hostConfig() http1.HostConfig {
	return http1.HostConfig{
		KeepAlive: c.KeepAlive, MaxKeepAliveRequests: c.MaxKeepAliveRequests,
		ServerSignature: c.ServerSignature, TraceEnable: c.TraceEnable, LimitRequestBody: c.LimitRequestBody,
		BodyTimeout: c.BodyTimeout, BodyMinRate: c.BodyMinRate, LimitRequestLine: c.LimitRequestLine,
		LimitRequestFieldSize: c.LimitRequestFieldSize, LimitRequestFields: c.LimitRequestFields,
		Timeout: c.Timeout, KeepAliveTimeout: c.KeepAliveTimeout,
	}
}

// VirtualHost is one <VirtualHost> section as the host resolved it. What the
// section does not set is the main server's, already merged in: an MPM needs
// no rule of its own to serve it (NewHTTPServer serves it). A VirtualHost is
// read-only: its slices may share arrays with Core's and with other virtual
// hosts'.
type VirtualHost struct {
	// Addrs are the addresses of the <VirtualHost> line.
	Addrs []VirtualHostAddr
	// ServerName is the name requests are matched by and error pages and
	// redirects name, "host", "host:port" or either after "scheme://": the
	// section's ServerName; without one, the main server's name for a
	// wildcard address, else the reverse-DNS name of its first address, with
	// the port of its first address (else the main server's), as Apache's.
	ServerName string
	// ServerAliases are the ServerAlias names; "*" and "?" are wildcards.
	ServerAliases []string
	// DocumentRoot and ServerAdmin are the section's, else the main server's.
	DocumentRoot string
	ServerAdmin  string
	// AddTypes are the main server's with the section's over them.
	AddTypes map[string]string
	// HostConfig holds the server settings Apache keeps per virtual host
	// (ServerSignature, TraceEnable, LimitRequestBody, KeepAlive,
	// MaxKeepAliveRequests, RequestReadTimeout's body limit, LimitRequestLine,
	// LimitRequestFieldSize, LimitRequestFields, Timeout, KeepAliveTimeout):
	// the section's, else the main server's, with Core's meanings. The
	// keep-alive settings decide, after each response to a request for the
	// virtual host, whether the connection is kept (Apache's ap_set_keepalive
	// looks at the request's server); the LimitRequest* ones, and Timeout for
	// the wait for a first request and for reading request heads, hold on
	// the connections to the addresses it is the default server of (first in
	// the config there), whatever virtual host those requests name, as Apache
	// reads a head with the settings of the connection's base server (see
	// http1.HostConfig for Timeout and KeepAliveTimeout, whose
	// OwnKeepAliveTimeout says the section sets it). As for Core, zero values
	// are settings (KeepAlive off, ...), not "the main server's": the host
	// fills them all in; so must anyone else building a VirtualHost (a zero
	// Timeout or KeepAliveTimeout is the engine's default).
	http1.HostConfig
	// ServerDirectives and Sections are the per-path configuration (package
	// site) with the main server's merged in as Apache merges them:
	// ServerDirectives are the section's Alias* and Redirect* lines (mod_alias
	// tries them before the main server's), the main server's directives,
	// then the section's others (the later wins); Sections are the main
	// server's followed by the section's.
	ServerDirectives []site.Directive
	Sections         []site.Section
	// Handlers are the main server's <Location> handlers followed by the
	// section's own (as Core.Handlers).
	Handlers []Handler
	// AccessLogs are where its requests are logged: its own CustomLog and
	// TransferLog lines, else the main server's (descriptors as in
	// Core.AccessLogs). Empty in a config check (-t).
	AccessLogs []AccessLog
	// ErrorLog is where its requests' errors go: its own ErrorLog, else the
	// main server's (Core.ErrorLog; unset in the same cases).
	ErrorLog ErrorLog
	// LogLevel is its LogLevel lines merged over the main server's, in
	// Config.LogLevel's form ("info ssl:debug"), which NewHTTPServer applies
	// to its requests' errors as apache2 applies a virtual host's LogLevel.
	// Empty from an older host: Config.LogLevel.
	LogLevel string
	// TLS is its mod_ssl settings (the section's over the main server's) when
	// it has SSLEngine on, else nil.
	TLS *TLS
	// File and Line locate the <VirtualHost> line.
	File string
	Line int
}

// VirtualHostAddr is one address of a <VirtualHost> line, resolved by the host.
type VirtualHostAddr struct {
	IP   string // an IP address; "" for any ("*", "_default_", 0.0.0.0, ::)
	Port int    // 0 for any port
	// Name is the host as written ("www.example.com" in <VirtualHost
	// www.example.com:80>), lowercased: a request for that name picks this
	// virtual host when no ServerName or ServerAlias does.
	Name string
}

// vserver is one server the engine answers as: the main server or a virtual host.
type vserver struct {
	name    string   // the host part of ServerName, lowercased
	aliases []string // exact ServerAlias names, lowercased
	wild    []string // ServerAlias names with wildcards, lowercased
	id      *http1.Identity
	handler http.Handler
	filter  http1.HeaderFilter // the server level's Header and Expires*, nil without
	// errorPage answers a refused TRACE with the server's ErrorDocument
	// (http1.Server.ErrorPage), nil without per-path configuration.
	errorPage func(w http.ResponseWriter, r *http.Request, status int) bool
	// translatesTrace is http1.Server.TranslatesTrace for its requests,
	// nil without per-path configuration.
	translatesTrace func(r *http.Request) bool
	// remoteIP is its mod_remoteip settings, nil without RemoteIPHeader.
	remoteIP *remoteip.Config
	logs     []accesslog.Log
	logName  string // ServerName as %v and %p see it
	// canonicalName is UseCanonicalName On (accesslog.Entry.CanonicalName).
	canonicalName bool
	docRoot       string
	// tlsSettings are its mod_ssl settings (nil: SSLEngine off); tls their
	// crypto/tls form, nil until setupTLS.
	tlsSettings *TLS
	tls         *tls.Config
	sslServer   *sslvars.Server // what mod_ssl's variables read of it
	logError    static.LogFunc  // its requests' error lines
	logLevels   loglevel.Levels // the server's LogLevel, which logError applies
	sslInfo     bool            // ssl's level is info or above: AH01964 for each connection
}

// matches is vhost.c's matches_aliases: host is the ServerName or a ServerAlias.
func (s *vserver) matches(host string) bool {
	if host == s.name {
		return true
	}
	for _, a := range s.aliases {
		if host == a {
			return true
		}
	}
	for _, w := range s.wild {
		if wildMatch(host, w) {
			return true
		}
	}
	return false
}

// vhostMember is one address of a virtual host in a chain.
type vhostMember struct {
	s    *vserver
	name string // VirtualHostAddr.Name
}

// vhostChain is the virtual hosts of one address, in config order: with one
// member it is IP-based (Host is not looked at), with more name-based, the
// first being the default.
type vhostChain []vhostMember

// vhostTable picks the server of a request as Apache 2.4's vhost.c does:
// by the connection's local address first (ap_update_vhost_given_ip: the
// chain of that IP and port, else of that IP and any port, else the wildcard
// chain of that port, else of any port, else the main server), then among a
// name-based chain by the request's host (update_server_from_aliases).
type vhostTable struct {
	main  *vserver
	all   []*vserver // the virtual hosts, in config order
	byID  map[*http1.Identity]*vserver
	exact map[netip.AddrPort]vhostChain // port 0: any port
	wild  map[uint16]vhostChain         // port 0: any port
}

// add puts s in the chains of its addresses; called in config order. A
// virtual host naming one wildcard address twice in a row is in its chain
// once, as in ap_fini_vhost_config.
func (t *vhostTable) add(s *vserver, addrs []VirtualHostAddr) {
	t.all = append(t.all, s)
	t.byID[s.id] = s
	for i, a := range addrs {
		m := vhostMember{s: s, name: a.Name}
		port := uint16(a.Port)
		ip, ok := a.ip()
		if !ok {
			if _, prevIP := addrs[max(i-1, 0)].ip(); i > 0 && !prevIP && addrs[i-1].Port == a.Port {
				continue
			}
			t.wild[port] = append(t.wild[port], m)
			continue
		}
		k := netip.AddrPortFrom(ip, port)
		t.exact[k] = append(t.exact[k], m)
	}
}

// ip is the address, false for a wildcard ("", 0.0.0.0 or ::).
func (a VirtualHostAddr) ip() (netip.Addr, bool) {
	ip, err := netip.ParseAddr(a.IP)
	if err != nil || ip.IsUnspecified() {
		return netip.Addr{}, false
	}
	return ip.Unmap(), true
}

// chain is the chain of a connection to local, nil for the main server.
func (t *vhostTable) chain(local netip.AddrPort) vhostChain {
	ip := local.Addr().Unmap().WithZone("") // Apache compares the address bytes only
	if c, ok := t.exact[netip.AddrPortFrom(ip, local.Port())]; ok {
		return c
	}
	if c, ok := t.exact[netip.AddrPortFrom(ip, 0)]; ok {
		return c
	}
	if c, ok := t.wild[local.Port()]; ok {
		return c
	}
	return t.wild[0]
}

// pick is the server answering a request for host (a Host header or the
// authority of an absolute URI; "" without) on a connection to local.
func (t *vhostTable) pick(local net.Addr, host string) *vserver {
	var ap netip.AddrPort
	if a, ok := local.(*net.TCPAddr); ok {
		ap = a.AddrPort()
	}
	c := t.chain(ap)
	if len(c) == 0 {
		return t.main
	}
	if len(c) == 1 || host == "" {
		return c[0].s
	}
	host = http1.RequestHost(host)
	var byAddr *vserver
	var last *vserver
	for _, m := range c {
		if m.s != last && m.s.matches(host) {
			return m.s
		}
		if byAddr == nil && host == m.name {
			byAddr = m.s
		}
		last = m.s
	}
	if byAddr != nil {
		return byAddr
	}
	return c[0].s
}

// wildMatch is ap_strcasecmp_match for lowercase s and pattern: "*" matches
// any run of bytes, "?" any one byte.
func wildMatch(s, pattern string) bool {
	return wildcard.Match(s, pattern, false)
}

// newVhostTable is an empty table over the main server.
func newVhostTable(main *vserver) *vhostTable {
	return &vhostTable{main: main, exact: map[netip.AddrPort]vhostChain{}, wild: map[uint16]vhostChain{},
		byID: map[*http1.Identity]*vserver{main.id: main}}
}

// answered is the server that answered a request on c: the one whose identity
// ServeHTTP set, else (the engine answered alone) the one pick gives.
func (t *vhostTable) answered(c *http1.Conn, r *http.Request) *vserver {
	if s, ok := t.byID[c.Identity()]; ok {
		return s
	}
	return t.pick(c.LocalAddr(), r.Host)
}

// base is http1.Server.BaseIdentity: the default server of the connection's
// local address (what a request without a host picks).
func (t *vhostTable) base(c *http1.Conn) *http1.Identity {
	return t.pick(c.LocalAddr(), "").id
}

// identify is http1.Server.Identify: the identity of the server answering a
// request the engine answers alone, by its address and whatever Host it has.
func (t *vhostTable) identify(c *http1.Conn, r *http.Request) *http1.Identity {
	return t.pick(c.LocalAddr(), r.Host).id
}

// ServeHTTP answers r as the server the table picks for it.
func (t *vhostTable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var local net.Addr
	c := http1.ConnFromRequest(r)
	if c != nil {
		// The engine picked it already (Server.Identify).
		if s, ok := t.byID[c.Identity()]; ok {
			if r.TLS != nil && t.misdirected(w, r, c, s) {
				return
			}
			s.handler.ServeHTTP(w, r)
			return
		}
		local = c.LocalAddr()
	} else {
		local, _ = r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	}
	s := t.pick(local, r.Host)
	if c != nil {
		c.SetIdentity(s.id)
	}
	s.handler.ServeHTTP(w, r)
}

// newVserver builds a server's matching names and identity (with conf, if
// not nil); handler, logs and docRoot are filled in by the caller.
func newVserver(serverName, serverAdmin string, aliases []string, canonical http1.CanonicalName, conf *http1.HostConfig) *vserver {
	id := http1.NewIdentity(serverName, serverAdmin).WithCanonicalName(canonical)
	if conf != nil {
		id = id.WithConfig(*conf)
	}
	_, host, _ := http1.SplitServerName(serverName)
	s := &vserver{name: http1.RequestHost(host), id: id, logName: serverName, canonicalName: canonical == http1.CanonicalNameOn}
	for _, a := range aliases {
		a = strings.ToLower(a)
		if strings.ContainsAny(a, "*?") {
			s.wild = append(s.wild, a)
		} else {
			s.aliases = append(s.aliases, a)
		}
	}
	return s
}
