package http1

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Identity is the server a request is answered as when one Server serves several
// (Apache's virtual hosts): its ServerName and ServerAdmin stand in for the Server's
// in error pages, their signature and the URLs that point back at the server
// (ServerHostPort, SelfURL). An Identity is immutable; one may serve any number of
// requests at once.
type Identity struct {
	serverAdmin string
	scheme      string // the ServerName's "scheme://", lowercased, without "://"; "" if none
	host, port  string
	canonical   CanonicalName
	dnsNames    *sync.Map // CanonicalNameDNS: local IP -> its reverse-DNS name ("" if none)
	conf        *hostConf // WithConfig's; nil: the Server's
}

// CanonicalName is Apache's UseCanonicalName: where the host and port of the URLs
// pointing back at the server (SelfURL, ServerHostPort) and of the error-page
// signature come from.
type CanonicalName uint8

const (
	// CanonicalNameOff (Apache's default) takes the request's host and the port of
	// its Host header; without a port there, ServerName's, else the scheme's default;
	// without a host, ServerName's.
	CanonicalNameOff CanonicalName = iota
	// CanonicalNameOn takes ServerName and its port, else the scheme's default port,
	// whatever the request names.
	CanonicalNameOn
	// CanonicalNameDNS takes the reverse-DNS name of the connection's local address
	// (else ServerName's host) and the port as CanonicalNameOff does.
	CanonicalNameDNS
)

// NewIdentity returns the identity of a server named serverName ("host",
// "host:port", or either after "scheme://", as Apache's ServerName and
// Server.ServerName) with serverAdmin (as Server.ServerAdmin; empty when not set).
// A scheme makes the URLs pointing back at the server use it.
func NewIdentity(serverName, serverAdmin string) *Identity {
	id := &Identity{serverAdmin: serverAdmin}
	id.scheme, id.host, id.port = SplitServerName(serverName)
	return id
}

// SplitServerName splits a ServerName ("host", "host:port", "[IPv6]:port", any of
// them after "scheme://") into its scheme, lowercased ("" when it names none), its
// host as written (an IPv6 address without brackets) and its port ("" when it names
// none).
func SplitServerName(name string) (scheme, host, port string) {
	if sc, rest, ok := strings.Cut(name, "://"); ok {
		scheme, name = strings.ToLower(sc), rest
	}
	host, port = splitHostPort(name)
	return scheme, host, port
}

// RequestHost is a request's host (its Host field, or the authority of an
// absolute-form target) as Apache's fix_hostname leaves it, the form virtual hosts
// are chosen by and %V logs: lowercased, without its port, IPv6 brackets or one
// trailing dot. It takes a host from SplitServerName too (an IPv6 address without
// brackets is left whole) and gives it the same form; RequestHost(RequestHost(h)) is
// RequestHost(h).
func RequestHost(host string) string {
	if strings.HasPrefix(host, "[") {
		if i := strings.IndexByte(host, ']'); i > 0 {
			host = host[1:i]
		}
	} else if i := strings.LastIndexByte(host, ':'); i >= 0 && strings.IndexByte(host, ':') == i {
		host = host[:i]
	}
	host = strings.TrimSuffix(host, ".")
	for i := 0; i < len(host); i++ {
		if 'A' <= host[i] && host[i] <= 'Z' {
			return strings.ToLower(host)
		}
	}
	return host
}

// WithCanonicalName returns a copy of id that names the server as mode says
// (UseCanonicalName). id is not changed.
func (id *Identity) WithCanonicalName(mode CanonicalName) *Identity {
	c := *id
	c.canonical = mode
	c.dnsNames = nil
	if mode == CanonicalNameDNS {
		c.dnsNames = new(sync.Map)
	}
	return &c
}

// WithConfig returns a copy of id whose requests get conf's settings in place of
// the Server's: those of a virtual host (see HostConfig; its LimitRequest* fields
// hold on the connections whose Server.BaseIdentity it is). An identity without it
// takes the Server's. id is not changed.
func (id *Identity) WithConfig(conf HostConfig) *Identity {
	c := *id
	c.conf = conf.compile()
	return &c
}

// host is the HostConfig of the request being served: its identity's, else the
// Server's.
func (c *Conn) host() *hostConf {
	if id := c.ident; id != nil && id.conf != nil {
		return id.conf
	}
	return &c.srv.cfg.host
}

// hostOf is the HostConfig r is answered with (s may be nil: outside the engine,
// where only the zero settings hold).
func hostOf(s *Server, r *http.Request) *hostConf {
	if id := identity(s, r); id != nil && id.conf != nil {
		return id.conf
	}
	if s == nil {
		return &hostConf{}
	}
	return &s.cfg.host
}

// maxDNSNames bounds the reverse-DNS names an Identity keeps, one per local IP.
const maxDNSNames = 256

// localName is CanonicalNameDNS's host: the reverse-DNS name of the local address r
// came in on, lower-cased, as apr_getnameinfo finds it (/etc/hosts first); "" if
// it has none. The name of each IP is looked up once, with a 5 s bound, and kept.
func (id *Identity) localName(r *http.Request) string {
	a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return ""
	}
	ip, _ := splitHostPort(a.String())
	if v, ok := id.dnsNames.Load(ip); ok {
		return v.(string)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	name := ""
	if names, err := net.DefaultResolver.LookupAddr(ctx, ip); err == nil && len(names) > 0 {
		name = strings.ToLower(strings.TrimSuffix(names[0], "."))
	}
	n := 0
	id.dnsNames.Range(func(any, any) bool { n++; return n < maxDNSNames })
	if n < maxDNSNames {
		id.dnsNames.Store(ip, name)
	}
	return name
}

// SetIdentity makes id the identity of the request being served; nil restores the
// Server's. The handler calls it, on the goroutine serving the request, before it
// writes the response; it holds through RequestDone and until the next request on
// the connection starts.
func (c *Conn) SetIdentity(id *Identity) { c.ident = id }

// Identity is what SetIdentity set for the request being served, else what
// Server.Identify gave once its head parsed; nil if neither did (no Identify, or a
// request the engine could not parse). Like SetIdentity, it belongs to the
// goroutine serving the request, and to RequestDone.
func (c *Conn) Identity() *Identity { return c.ident }

// identity is who answers r: the Identity its handler set, else the one s.Identify
// gives, else s's (nil without s).
func identity(s *Server, r *http.Request) *Identity {
	c := ConnFromRequest(r)
	if c != nil && c.ident != nil {
		return c.ident
	}
	if s == nil {
		return nil
	}
	if c != nil && s.Identify != nil {
		if id := s.Identify(c, r); id != nil {
			return id
		}
	}
	return &s.cfg.ident
}

// ServerHostname is the host part of the ServerName of the server answering r, as
// written (Apache's r->server->server_hostname), whatever r's Host and
// UseCanonicalName say: the Identity its handler set with SetIdentity, else the one
// Server.Identify gives, else the Server's. Without a ServerName it is the host of
// the connection's local address (the last of Apache's ap_get_local_host guesses),
// else "localhost". It may be called before the handler runs, on the goroutine
// serving r, or from RequestDone.
func ServerHostname(r *http.Request) string {
	var s *Server
	if c := ConnFromRequest(r); c != nil {
		s = c.srv
	}
	if id := identity(s, r); id != nil && id.host != "" {
		return id.host
	}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		host, _ := splitHostPort(a.String())
		return host
	}
	return "localhost"
}

// scheme is the scheme of URLs pointing back at the server for r: the ServerName's
// if it names one, else https over TLS, else http.
func (id *Identity) schemeFor(r *http.Request) string {
	switch {
	case id != nil && id.scheme != "":
		return id.scheme
	case r.TLS != nil:
		return "https"
	}
	return "http"
}

// SelfURL is the absolute URL apache2 builds for path on the server answering r, as
// ap_construct_url does: the scheme of the server's identity (the ServerName's
// "scheme://", else http, https over TLS), the host and port as ServerHostPort gives
// them (see CanonicalName), the port left out when it is the scheme's default.
// path must be escaped already ("/dir/", "/a%20b?q=1").
func SelfURL(r *http.Request, path string) string {
	var s *Server
	if c := ConnFromRequest(r); c != nil {
		s = c.srv
	}
	scheme := identity(s, r).schemeFor(r)
	host, port := signatureHostPort(s, r)
	if strings.IndexByte(host, ':') >= 0 {
		host = "[" + host + "]"
	}
	u := scheme + "://" + host
	if port != DefaultPort(scheme) {
		u += ":" + port
	}
	return u + path
}

// DefaultPort is Apache's ap_default_port for scheme (as SplitServerName gives it):
// "443" for "https", else "80". A URL of scheme need not name it.
func DefaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}
