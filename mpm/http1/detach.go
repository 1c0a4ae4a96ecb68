package http1

import (
	"crypto/tls"
	"net"
)

// Idle is what a connection waiting for its next request needs from its Conn: the
// counts that span its requests (requests started, responses sent with keep-alive,
// which MaxKeepAliveRequests bounds). With Detach and Resume an MPM that parks idle
// keep-alive connections keeps only the descriptor and these few bytes per connection,
// not the Conn with its context and request template.
type Idle struct {
	requests   int64
	keepalives int
	// tc is the connection's TLS state (keys, sequence numbers), which a
	// resumed TLS connection goes on with; nil on a plain connection.
	tc *tls.Conn
	// tlsInfo is what the MPM attached to tc (SetTLSInfo), which the
	// resumed Conn's requests read as the detached one's did.
	tlsInfo any
}

// Detach ends c while its connection waits for its next request, without closing the
// connection, and returns what Server.Resume needs to serve that request on a new Conn.
// It succeeds only between requests: the last ServeRequest returned true and nothing of
// a next request is buffered (Buffered() == 0) and nothing of the last response is
// left unsent (Unsent() == nil) and, over TLS, Quiet() said so before Release;
// otherwise it returns false and c is
// unchanged. After Detach c is finished: it reports nothing more through ConnState, its
// Close does nothing and ServeRequest returns net.ErrClosed. The caller owns c.NetConn()
// and either gives it to Resume or closes it itself.
func (c *Conn) Detach() (Idle, bool) {
	if State(c.state.Load()) != StateIdle || c.Buffered() > 0 || c.unsentSet || !c.closed.CompareAndSwap(false, true) {
		return Idle{}, false
	}
	c.mu.Lock()
	c.releaseLocked()
	c.mu.Unlock()
	c.ctx.cancel()
	return Idle{requests: c.nreq.Load(), keepalives: c.keepalives, tc: c.tc, tlsInfo: c.tlsInfo}, true
}

// Resume wraps a connection that Detach gave up, to serve its next request. The new
// Conn carries on the detached one's counts, so the keep-alive wait, the Keep-Alive
// header's max and MaxKeepAliveRequests are as if the connection had never been
// detached; a TLS connection goes on with its TLS state (c is still the connection
// under it, as NetConn was before Detach was given it). It starts in StateIdle and, unlike NewConn, reports nothing until its next
// request begins. Safe for concurrent use.
func (s *Server) Resume(c net.Conn, st Idle) *Conn {
	cn := s.wrap(c, st.tc)
	cn.tlsInfo = st.tlsInfo
	cn.nreq.Store(st.requests)
	cn.keepalives = st.keepalives
	cn.state.Store(int32(StateIdle))
	return cn
}

// The bounds of the lingering close Close does, for an MPM that does it itself after
// Finish: discard what the client still sends until it ends its side, for up to
// LingerTimeout without a byte and LingerLimit in all.
const (
	LingerTimeout = lingerTimeout
	LingerLimit   = lingerLimit
)

// Finish ends c as Close does (StateClosed, buffers back to the pools, the requests'
// context done) but leaves its connection open and hands it to the caller, so that an
// MPM can do the lingering close without holding a worker. linger reports what Close
// would do next: true when the last response closed the connection and the client may
// still send and so lose some of the response to a reset; Finish has then shut the
// sending side down (CloseWrite), and the caller discards what arrives until the
// client's end of stream, LingerTimeout without a byte or LingerLimit in all, then
// closes. False: the connection can simply be closed (its sending side may be shut
// down). Call it once the response is all written: it asks the socket what the client
// sent and acknowledged. Only the goroutine serving c may call it, not concurrently
// with ServeRequest; on a Conn already closed or detached it returns false and does
// nothing.
func (c *Conn) Finish() (linger bool) {
	if !c.closed.CompareAndSwap(false, true) {
		return false
	}
	c.ctx.cancel()
	c.mu.Lock()
	linger = c.shutForLinger()
	c.dropUnsent()
	c.releaseLocked()
	c.mu.Unlock()
	c.setState(StateClosed)
	return linger
}
