package http1

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net/http"
	"strings"
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
	cn.tc = tls.Server(cn.rwc, cfg)
	cn.rwc = cn.tc
}

// TLS is the connection's TLS state once its handshake is done, nil on a
// plain connection (and before the handshake).
func (c *Conn) TLS() *tls.ConnectionState { return c.tmpl.TLS }

// SetTLSInfo attaches v to the connection's TLS (mod_ssl's SSLConnRec: the
// server whose certificate the handshake sent); TLSInfo returns it.
func (c *Conn) SetTLSInfo(v any) { c.tlsInfo = v }
func (c *Conn) TLSInfo() any     { return c.tlsInfo }

// IsTLS reports whether c was set up for TLS (Server.TLS gave it a config),
// whether or not its handshake is done.
func (c *Conn) IsTLS() bool { return c.tc != nil }

// handshaken records the TLS state for the requests of c once the first wait
// for a request has read from it (the handshake is done).
func (c *Conn) handshaken() {
	if c.tmpl.TLS == nil {
		st := c.tc.ConnectionState()
		c.tmpl.TLS = &st
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
	c.rwc = rh.Conn
	c.tc = nil
	c.plain = true
	c.rwc.SetWriteDeadline(time.Now().Add(c.base.timeout))
	c.br.Reset(bufio.NewReader(strings.NewReader(fakeRequest)))
	return true
}
