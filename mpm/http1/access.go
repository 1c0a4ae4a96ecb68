package http1

import (
	"net/http"
	"time"
)

// Accessors for a Server.RequestDone hook (an access log): they describe the request
// just answered and are valid only until the next ServeRequest.

// RequestStart is when the first byte of the current request arrived.
func (c *Conn) RequestStart() time.Time { return c.start }

// RequestLine is the request line as received, without CRLF (apache2's the_request,
// which %r logs); empty when none was read. The bytes are the Conn's: do not keep them.
func (c *Conn) RequestLine() []byte {
	return c.parser.head[c.parser.line.start:c.parser.line.end]
}

// ResponseHeader is the header of the response just written, as the handler (or the
// engine, for its own answers) set it, without the fields the engine adds itself.
func (c *Conn) ResponseHeader() http.Header { return c.hdr }

// KeepingAlive reports whether the connection stays open after the response just
// written (apache2's %X: "+" if so).
func (c *Conn) KeepingAlive() bool { return c.keepNext }

// RemoteAddr is the client's address, "ip:port".
func (c *Conn) RemoteAddr() string { return c.remoteAddr }
