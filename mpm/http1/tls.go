package http1

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// notePlainOnTLS is mod_ssl's error-note for a client speaking plain HTTP to
// a TLS port (apache2 2.4.71's ssl_io_filter_error).
const notePlainOnTLS = "Reason: You're speaking plain HTTP to an SSL-enabled server port.<br />\n" +
	" Instead use the HTTPS scheme to access this URL, please.<br />\n"

// errPlainOnTLS answers the fake request below.
var errPlainOnTLS = &protoError{status: http.StatusBadRequest, notes: notePlainOnTLS}

// fakeRequest is what mod_ssl hands the HTTP engine in place of what a plain
// HTTP client sent to a TLS port: the access log shows this line.
const fakeRequest = "GET / HTTP/1.0\r\n\r\n"

// startTLS makes cn serve TLS with cfg over its accepted connection: the
// handshake runs on the first read (ServeRequest's wait for a request).
func (cn *Conn) startTLS(cfg *tls.Config) {
	cn.tc = tls.Server(&probeConn{Conn: cn.rwc, owner: cn}, cfg)
	cn.rwc = cn.tc
}

// probeConn is the connection under a tls.Conn: it passes everything through,
// except that while probe is set a read returns errProbe at once, without
// touching the socket. Quiet uses it to ask the tls.Conn, without blocking,
// whether it holds anything of a next request.
type probeConn struct {
	net.Conn
	probe atomic.Bool // atomic: Close may write (close_notify) from another goroutine
	owner *Conn       // the Conn whose handshake runs over it, nil once done
}

// HelloConn is the Conn whose TLS handshake hello belongs to, for a
// tls.Config's GetConfigForClient (say, to note with SetTLSInfo what the
// client offered); nil for a hello of another connection.
func HelloConn(hello *tls.ClientHelloInfo) *Conn {
	if p, ok := hello.Conn.(*probeConn); ok {
		return p.owner
	}
	return nil
}

func (p *probeConn) Read(b []byte) (int, error) {
	if p.probe.Load() {
		return 0, errProbe
	}
	return p.Conn.Read(b)
}

// Write passes b on, but while probe is set only as much as the socket takes
// at once (see closeNotifyNow), when the connection can tell.
func (p *probeConn) Write(b []byte) (int, error) {
	if p.probe.Load() {
		if nb, ok := p.Conn.(NonblockingWriter); ok {
			n, err := nb.TryWrite(b)
			if err == nil && n < len(b) {
				err = errProbe
			}
			return n, err
		}
	}
	return p.Conn.Write(b)
}

// CloseNotify sends the TLS close_notify alert on an idle TLS connection that an
// MPM closes itself (after Finish), as tls.Conn.Close would and as mod_ssl does,
// as far as the socket takes it at once: it never waits. It does nothing on a
// plain connection.
func (c *Conn) CloseNotify() { closeNotifyNow(c.tc) }

// CloseNotify is Conn.CloseNotify for a detached connection.
func (st Idle) CloseNotify() { closeNotifyNow(st.tc) }

func closeNotifyNow(tc *tls.Conn) {
	if tc == nil {
		return
	}
	p := tc.NetConn().(*probeConn)
	p.probe.Store(true)
	tc.CloseWrite() // nothing before the handshake is done
	p.probe.Store(false)
}

// closeWriteUnder shuts down the sending side of the connection under tc, whose
// CloseWrite sends only close_notify: the FIN follows it at once, as from apache2,
// instead of at the end of the lingering close (when that connection has a
// CloseWrite: otherwise it is sent at the close).
func closeWriteUnder(tc *tls.Conn) {
	pc, ok := tc.NetConn().(*probeConn)
	if !ok {
		return
	}
	if cw, ok := pc.Conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
}

// errProbe is a temporary net.Error, which a tls.Conn returns without
// recording it (the connection stays usable), as it does a read deadline.
var errProbe = probeError{}

type probeError struct{}

func (probeError) Error() string   { return "tls probe: no input without waiting" }
func (probeError) Timeout() bool   { return true }
func (probeError) Temporary() bool { return true }

// Quiet reports whether nothing of a next request is held by c, so that an MPM
// may wait for the connection's next bytes on its socket alone (park it in a
// poller) instead of in ServeRequest: Buffered() == 0 and, over TLS, the
// tls.Conn holds no input that a read would return without the socket. Call it
// between requests, before Release.
//
// A tls.Conn reads ahead: it may hold whole records read from the socket but
// not decrypted yet (its raw input) and decrypted bytes not read yet, and the
// socket shows neither. Quiet asks it with one read whose source fails at once
// (probeConn, errProbe): a tls.Conn reads while it has nothing to return,
// decrypting every whole record it holds, and asks its source only when what
// is left is less than a record. So a read that fails with errProbe means no
// bytes are waiting in the tls.Conn and any record it has begun needs more from
// the socket, which makes the socket readable (the invariant a parked
// connection needs). Decrypted bytes are moved into c's buffer instead
// (Buffered then counts them: a pipelined request, served at once), and any
// other error (the client's close_notify, a bad record) is left for the next
// ServeRequest, which meets it again: either way Quiet reports false.
func (c *Conn) Quiet() bool {
	if c.Buffered() > 0 {
		return false
	}
	if c.tc == nil {
		return true
	}
	if c.br == nil || c.plain {
		return false
	}
	p := c.tc.NetConn().(*probeConn)
	p.probe.Store(true)
	_, err := c.br.Peek(1)
	p.probe.Store(false)
	return err == errProbe
}

// TLS is the connection's TLS state once its handshake is done, nil on a
// plain connection (and before the handshake).
func (c *Conn) TLS() *tls.ConnectionState { return c.tmpl.TLS }

// SetTLSInfo attaches v to the connection's TLS (mod_ssl's SSLConnRec: the
// server whose certificate the handshake sent); TLSInfo returns it.
func (c *Conn) SetTLSInfo(v any) { c.tlsInfo = v }
func (c *Conn) TLSInfo() any     { return c.tlsInfo }

// SetTLSOptions keeps o as the SSLOptions of r's directory (package
// sslvars' bits), which mod_ssl's variables read for r; TLSOptions returns
// them, 0 until set.
func SetTLSOptions(r *http.Request, o uint8) {
	if c := ConnFromRequest(r); c != nil {
		c.tlsOpts = o
	}
}

func TLSOptions(r *http.Request) uint8 {
	if c := ConnFromRequest(r); c != nil {
		return c.tlsOpts
	}
	return 0
}

// IsTLS reports whether c was set up for TLS (Server.TLS gave it a config),
// whether or not its handshake is done.
func (c *Conn) IsTLS() bool { return c.tc != nil }

// handshaken records the TLS state for the requests of c once the first wait
// for a request has read from it (the handshake is done).
func (c *Conn) handshaken() {
	if c.tmpl.TLS == nil {
		st := c.tc.ConnectionState()
		c.tmpl.TLS = &st
		c.tc.NetConn().(*probeConn).owner = nil // a detached connection keeps no Conn
	}
}

// plainOnTLS handles a failed first read of a TLS connection: when the client
// spoke plain HTTP (its first bytes are no TLS record), the connection goes on
// in plain with mod_ssl's fake request in the read buffer, which ServeRequest
// answers 400 (errPlainOnTLS) and closes. It reports whether it did so.
func (c *Conn) plainOnTLS(err error) bool {
	var rh tls.RecordHeaderError
	if !errors.As(err, &rh) || rh.Conn == nil || c.nreq.Load() != 0 {
		return false
	}
	c.rwc = rh.Conn.(*probeConn).Conn
	c.tc = nil
	c.plain = true
	c.rwc.SetWriteDeadline(time.Now().Add(c.base.timeout))
	c.br.Reset(bufio.NewReader(strings.NewReader(fakeRequest)))
	return true
}
