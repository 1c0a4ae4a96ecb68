package http1

import (
	"errors"
	"net/http"
	"time"
)

// ErrCannotSwitch is SwitchProtocols' refusal, before it has written anything.
var ErrCannotSwitch = errors.New("http1: cannot switch protocols: not the engine's response, or already started")

// SwitchProtocols answers the request of w with "101 Switching Protocols"
// and the field lines fields ("Name: value\r\n" each, written as given, then
// the empty line), as apache2's ap_send_interim_response sends a backend's
// 101 (neither Date nor Server), and hands the client connection to the
// handler for the protocol that follows (mod_proxy's tunnel): reads start
// with what the client sent after the request's head. The access log sees
// status 101 with no body bytes (%b "-"), the tunnel's bytes in %I and %O,
// as apache2's; the connection closes once the handler returns. To an
// HTTP/1.0 client, which knows no 1xx, the head is not sent (the tunnel
// starts at once, as apache2's). It fails with ErrCannotSwitch, having
// written nothing, when w is not the engine's or its response has started;
// with the write's error when the client is gone.
func SwitchProtocols(w http.ResponseWriter, fields []byte) (*Tunnel, error) {
	rw, err := takeOver(w, http.StatusSwitchingProtocols)
	if err != nil {
		return nil, err
	}
	c := rw.c
	if rw.req.ProtoAtLeast(1, 1) {
		c.bw.WriteString(statusLine(http.StatusSwitchingProtocols))
		c.bw.Write(fields)
		c.bw.WriteString("\r\n")
		if err := c.flush(); err != nil {
			return nil, err
		}
	}
	return &Tunnel{c: c, rw: rw}, nil
}

// TakeOver hands the client connection of w to the handler without an
// answer of the engine's (mod_proxy_wstunnel's older tunnel, which relays a
// backend's answer unread): the access log sees status 200 with no body
// bytes (%b "-"), as apache2's; the connection closes once the handler
// returns. It fails with ErrCannotSwitch when w is not the engine's or its
// response has started.
func TakeOver(w http.ResponseWriter) (*Tunnel, error) {
	rw, err := takeOver(w, http.StatusOK)
	if err != nil {
		return nil, err
	}
	return &Tunnel{c: rw.c, rw: rw}, nil
}

// takeOver marks the engine's response w as answered with status and no body
// the engine writes (the access log's status, %b "-"), its connection to close
// once the handler returns; ErrCannotSwitch when w is not the engine's or its
// response has started.
func takeOver(w http.ResponseWriter, status int) (*response, error) {
	rw, ok := w.(*response)
	if !ok || rw.committed || rw.finished || rw.wroteHeader {
		return nil, ErrCannotSwitch
	}
	rw.status, rw.wroteHeader, rw.noBody = status, true, true
	rw.committed, rw.closeAfter, rw.cl, rw.pendN = true, true, -1, 0
	return rw, nil
}

// A Tunnel is the client connection SwitchProtocols hands over. Read and
// Write may be called from two goroutines at once (one each); the other
// methods from either. Each Read and Write, and Touch, counts as progress
// of the connection's worker (Server.Progress, called from the goroutine
// that calls them).
type Tunnel struct {
	c  *Conn
	rw *response
}

// Headless, once nothing reads or writes the tunnel any more, answers the
// request with an error after all, as apache2's mod_proxy_wstunnel does
// when its tunnel ends before the backend sent a byte: the access log's
// status becomes status (%b still "-"), and what is written to the
// ResponseWriter it returns (an error page, an ErrorDocument) goes to the
// client as its body only, without status line or fields, as apache2's
// answer through the connection's filters alone.
func (t *Tunnel) Headless(status int) http.ResponseWriter {
	t.rw.status = status
	return &headless{t: t, h: http.Header{}}
}

// headless is Headless' ResponseWriter.
type headless struct {
	t *Tunnel
	h http.Header
}

func (h *headless) Header() http.Header         { return h.h }
func (h *headless) WriteHeader(int)             {}
func (h *headless) Write(p []byte) (int, error) { return h.t.Write(p) }

// Touch reports a wait on the network about to start, as Read does: a
// tunnel that waits longer than the server's Timeout calls it at least
// that often, so its worker is not taken for hung.
func (t *Tunnel) Touch() { t.c.progress(time.Now()) }

// Read reads what the client sends; io.EOF once it has shut its side down.
func (t *Tunnel) Read(p []byte) (int, error) {
	c := t.c
	c.progress(time.Now())
	n, err := c.br.Read(p)
	if n == 0 && err != nil && !isTimeout(err) {
		c.sawEOF = true // nothing to linger for at the close
	}
	return n, err
}

// Write sends p to the client.
func (t *Tunnel) Write(p []byte) (int, error) {
	c := t.c
	c.progress(time.Now())
	n, err := c.rwc.Write(p)
	c.out += int64(n)
	return n, err
}

// CloseWrite shuts the sending side down (the client reads an end of
// stream), when the connection can (over TLS, close_notify).
func (t *Tunnel) CloseWrite() error {
	if t.c.tc != nil {
		return t.c.tc.CloseWrite()
	}
	if cw, ok := t.c.rwc.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}

// SetReadDeadline and SetWriteDeadline bound the next reads and writes.
func (t *Tunnel) SetReadDeadline(d time.Time) error  { return t.c.rwc.SetReadDeadline(d) }
func (t *Tunnel) SetWriteDeadline(d time.Time) error { return t.c.rwc.SetWriteDeadline(d) }

// Abort, once nothing reads or writes the tunnel any more, has the
// connection closed without lingering once the handler returns (apache2's
// aborted connection): a tunnel ended by a failure of the client connection
// (a write to it failing or timing out).
func (t *Tunnel) Abort() { t.c.sawEOF = true }

// Close ends the connection at once (an aborted tunnel): pending reads and
// writes fail.
func (t *Tunnel) Close() error {
	return t.c.rwc.SetDeadline(time.Now())
}
