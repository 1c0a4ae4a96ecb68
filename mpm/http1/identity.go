package http1

import (
	"net/http"
	"strings"
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
}

// NewIdentity returns the identity of a server named serverName ("host",
// "host:port", or either after "scheme://", as Apache's ServerName and
// Server.ServerName) with serverAdmin (as Server.ServerAdmin; empty when not set).
// A scheme makes the URLs pointing back at the server use it.
func NewIdentity(serverName, serverAdmin string) *Identity {
	id := &Identity{serverAdmin: serverAdmin}
	if scheme, rest, ok := strings.Cut(serverName, "://"); ok {
		id.scheme, serverName = strings.ToLower(scheme), rest
	}
	id.host, id.port = splitHostPort(serverName)
	return id
}

// SetIdentity makes id the identity of the request being served; nil restores the
// Server's. The handler calls it, on the goroutine serving the request, before it
// writes the response; it holds through RequestDone and until the next request on
// the connection starts.
func (c *Conn) SetIdentity(id *Identity) { c.ident = id }

// Identity is what SetIdentity set for the request being served, nil if nothing
// did (the engine answered it alone, or the handler did not say). Like SetIdentity,
// it belongs to the goroutine serving the request, and to RequestDone.
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

// SelfURL is the absolute URL apache2 (UseCanonicalName Off) builds for path on the
// server answering r, as ap_construct_url does: the scheme of SelfURL's identity
// (the ServerName's "scheme://", else http, https over TLS), the host and port as
// ServerHostPort gives them, the port left out when it is the scheme's default.
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
	if port != defaultPort(scheme) {
		u += ":" + port
	}
	return u + path
}

// defaultPort is the port a URL of scheme need not name.
func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}
