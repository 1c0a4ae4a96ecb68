package http1

import "net/http"

// Identity is the server a request is answered as when one Server serves several
// (Apache's virtual hosts): its ServerName and ServerAdmin stand in for the Server's
// in error pages, their signature and the URLs that point back at the server (as
// ServerHostPort gives them). An Identity is immutable; one may serve any number of
// requests at once.
type Identity struct {
	serverAdmin string
	host, port  string
}

// NewIdentity returns the identity of a server named serverName ("host" or
// "host:port", as Server.ServerName) with serverAdmin (as Server.ServerAdmin; empty
// when not set).
func NewIdentity(serverName, serverAdmin string) *Identity {
	host, port := splitHostPort(serverName)
	return &Identity{serverAdmin: serverAdmin, host: host, port: port}
}

// SetIdentity makes id the identity of the request being served; nil restores the
// Server's. The handler calls it before it writes the response; it lasts until the
// next request on the connection starts.
func (c *Conn) SetIdentity(id *Identity) { c.ident = id }

// identity is who answers r: the Identity its handler set, else s's (nil without s).
func identity(s *Server, r *http.Request) *Identity {
	if c := ConnFromRequest(r); c != nil && c.ident != nil {
		return c.ident
	}
	if s == nil {
		return nil
	}
	return &s.cfg.ident
}
