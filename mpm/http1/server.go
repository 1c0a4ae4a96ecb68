package http1

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Apache's compiled-in defaults, used when the matching Server field is zero.
const (
	DefaultTimeout               = 60 * time.Second // Timeout
	DefaultKeepAliveTimeout      = 5 * time.Second  // KeepAliveTimeout
	DefaultLimitRequestLine      = 8190             // LimitRequestLine
	DefaultLimitRequestFieldSize = 8190             // LimitRequestFieldSize
	DefaultLimitRequestFields    = 100              // LimitRequestFields
	DefaultLimitRequestBody      = 1 << 30          // LimitRequestBody (1 GiB since Apache 2.4.54)
	DefaultBodyTimeout           = 20 * time.Second // mod_reqtimeout's default body=20
	DefaultBodyMinRate           = 500              // mod_reqtimeout's default MinRate=500 (bytes/s)
)

// ParseSignature reads a ServerSignature keyword: On, Off or EMail, in any case.
func ParseSignature(s string) (Signature, bool) {
	switch strings.ToLower(s) {
	case "off":
		return SignatureOff, true
	case "on":
		return SignatureOn, true
	case "email":
		return SignatureEMail, true
	}
	return SignatureOff, false
}

// Signature is Apache's ServerSignature setting: whether error pages the engine and
// WriteError produce end with an <address> line naming the server.
type Signature int

const (
	SignatureOff   Signature = iota // ServerSignature Off, Apache's default: no <address> line
	SignatureOn                     // ServerSignature On: "<address>SOFTWARE Server at HOST Port PORT</address>"
	SignatureEMail                  // ServerSignature EMail: as On, with HOST linked to mailto:ServerAdmin
)

// Trace is Apache's TraceEnable setting: how the engine answers TRACE, for every path,
// before any handler.
type Trace int

const (
	// TraceOff answers TRACE 405 with an empty Allow, as apache2's "TraceEnable Off".
	// It is the zero value, so the default here, where apache2's default is On.
	TraceOff Trace = iota
	// TraceOn echoes a TRACE request's line and fields as message/http; a TRACE with a
	// body is answered 413.
	TraceOn
	// TraceExtended echoes the body too, up to 64 KiB (apache2's limit; more is 413).
	TraceExtended
)

// Server holds the settings shared by every connection it wraps. Its fields must not
// change after the first call to NewConn, and a Server must not be copied after that.
// The zero value of every numeric field selects Apache's default; for the Limit fields
// a negative value means unlimited (Apache writes that as 0).
type Server struct {
	// Handler answers every request that parses; the engine itself answers only requests
	// it cannot hand over (malformed, too large, timed out, unsupported Expect).
	Handler http.Handler

	// Timeout is Apache's Timeout: it bounds reading the request line and headers of one
	// request (the clock starts at its first byte), each read of the request body, and
	// each write of the response. Zero means DefaultTimeout. With virtual hosts,
	// HostConfig.Timeout says which server's holds where.
	Timeout time.Duration
	// BodyTimeout and BodyMinRate bound reading a whole request body, as
	// mod_reqtimeout's default "body=20,MinRate=500": the body gets
	// BodyTimeout, plus one second for every BodyMinRate bytes received, so
	// that a client trickling bytes cannot hold a worker although each read
	// is within Timeout. Zero means DefaultBodyTimeout and DefaultBodyMinRate.
	BodyTimeout time.Duration
	BodyMinRate int

	// KeepAlive enables persistent connections (Apache's KeepAlive On). When false every
	// response carries "Connection: close".
	KeepAlive bool

	// KeepAliveTimeout is how long ServeRequest waits for the first byte of a request that
	// is not the first on its connection, when none is buffered yet. It is also announced
	// in the Keep-Alive response header. Zero means DefaultKeepAliveTimeout. With virtual
	// hosts, see HostConfig.KeepAliveTimeout.
	KeepAliveTimeout time.Duration

	// MaxKeepAliveRequests is Apache's MaxKeepAliveRequests; 0 means unlimited. As in
	// Apache, N lets a connection carry N kept-alive responses (announced as
	// "Keep-Alive: timeout=T, max=N", max=N-1, ... max=1); the response to request N+1
	// carries "Connection: close".
	MaxKeepAliveRequests int

	// ServerName is Apache's ServerName, "host" or "host:port". Error pages use it for
	// their <address> line when the request has no Host; its port (80 if absent) is the
	// one shown when the Host header names none, as Apache does with UseCanonicalName Off.
	ServerName string

	// UseCanonicalName is Apache's UseCanonicalName for the server: how the URLs
	// pointing back at it and the error-page signature name its host and port. The
	// zero value is CanonicalNameOff, Apache's default. A virtual host's Identity
	// carries its own.
	UseCanonicalName CanonicalName

	// Software is the Server response header value and the banner in error-page
	// signatures, e.g. "Apache/2.4.71 (Unix) httpd-mpm". Empty means no Server header
	// and no <address> line.
	Software string

	// ServerSignature selects the <address> line of error pages. The zero value is
	// SignatureOff, which is Apache's default.
	ServerSignature Signature

	// ServerAdmin is the address shown by 500-class error pages and, with SignatureEMail,
	// in the signature. Empty means Apache's default text "[no address given]".
	ServerAdmin string

	// TraceEnable selects how TRACE is answered; the zero value is TraceOff.
	TraceEnable Trace

	// LimitRequestLine bounds the request line. As apache2 2.4.71 does, a line of up to
	// LimitRequestLine+1 bytes (without CRLF) is accepted; a longer one is answered 414.
	LimitRequestLine int
	// LimitRequestFieldSize bounds one header field line (same +1 as LimitRequestLine);
	// a longer one is answered 400 "Size of a request header field exceeds server limit."
	LimitRequestFieldSize int
	// LimitRequestFields bounds the number of header fields; more are answered 400.
	LimitRequestFields int
	// LimitRequestBody bounds the request body in bytes (SetBodyLimit sets a
	// request's own): the first Body.Read of a larger Content-Length, and the read
	// of a chunked body that grows past it, fail with *http.MaxBytesError, as
	// apache2's HTTP_IN filter; a body the handler leaves unread fails so when the
	// engine reads it after the handler (see the package comment).
	LimitRequestBody int64

	// WriteCompletion is the MPM's opt-in to write completion (Apache event's
	// CONN_STATE_WRITE_COMPLETION): on a connection that implements
	// NonblockingWriter, ServeRequest returns without waiting for a client that does
	// not take the end of a response, and leaves that end to the MPM (Conn.Unsent).
	// An MPM that sets it checks Conn.Unsent after every ServeRequest. Without it (or
	// on other connections) every response is written before ServeRequest returns.
	WriteCompletion bool

	// ConnState, if set, is called synchronously on every state transition of every Conn
	// of this Server (feeds a scoreboard). It must not call back into the Conn except its
	// read-only accessors (NetConn, Requests).
	ConnState func(c *Conn, s State)

	// RequestDone, if set, is called once per answered request, after its response was
	// written (or writing it failed) and before ServeRequest returns, on the goroutine
	// calling ServeRequest: with the request (only partly filled for one the engine
	// answered itself, e.g. a 400), the final status and the body bytes written (not
	// counting headers; 0 for HEAD). It feeds a scoreboard or an access log; r must not
	// be kept after the call.
	RequestDone func(c *Conn, r *http.Request, status int, bodyBytes int64)

	// PostRead, if set, is called with each request read whole and sound
	// (apache2's post_read_request hooks), after Identify and before the
	// handler or the engine's TRACE answer: mod_remoteip sets the request's
	// client address there (r.RemoteAddr), which the scoreboard, the access
	// log's %a and %h and the error log then show.
	PostRead func(c *Conn, r *http.Request)

	// Identify, if set, names the server answering a request (Apache's virtual host);
	// nil is the Server's own identity. The engine calls it once the request's head
	// has parsed, before it checks LimitRequestBody or answers TRACE, and what it
	// gives is Conn.Identity for the Handler, which may change it with
	// Conn.SetIdentity; the identity's HostConfig (Identity.WithConfig) then holds
	// for the request. For a request the engine cannot parse (a 400, 408, or a
	// line or field over its limit), whose r.Host may be empty or unusable, it is
	// called only when an error page or a URL needs it. It runs on the goroutine
	// serving the request.
	Identify func(c *Conn, r *http.Request) *Identity

	// BaseIdentity, if set, names the server whose limits on a request's line
	// and header (HostConfig's LimitRequest* fields) hold on a connection: with
	// virtual hosts, the default server of the connection's local address
	// (Apache's c->base_server), since those limits apply before the request
	// names its virtual host. nil is the Server's own. The engine calls it
	// once per connection, when it wraps it (NewConn, Resume), on the goroutine
	// doing so; only NetConn and LocalAddr may be used.
	BaseIdentity func(c *Conn) *Identity

	// HeaderFilter, if set, gives the HeaderFilter of an error page for
	// which the handler called no SetHeaderFilter, such as those the engine
	// writes for requests no handler saw (400, 408, 413, 414, 417, a refused
	// TRACE); nil for none. It runs on the goroutine serving the request,
	// when the response is committed.
	HeaderFilter func(c *Conn, r *http.Request) HeaderFilter

	// ErrorPage, if set, answers a TRACE the engine refuses (405 under
	// TraceEnable Off, 413 for a body it does not echo), as apache2 answers
	// what its map_to_storage phase refuses: with the ErrorDocument for
	// status of the server answering r, before any section applies; and a
	// body the handler left that fails when the engine reads it after a 200
	// answer (400, 408, 413); and a request the engine refuses as it reads
	// its head (400, 408, 414, 417, plain HTTP on a TLS port; Refused
	// reports it, RefusedBody gives it the body apache2's scripts read
	// then), as apache2's ap_read_request calls ap_die; and, once PostRead
	// ran, a target of another scheme than http and https (a 400, as
	// apache2's ap_post_read_request; not Refused). It
	// returns false to leave the engine's own page. It runs on the
	// goroutine serving the request, which it may answer as a handler does;
	// ErrorNotes(r) says why the request was refused.
	ErrorPage func(c *Conn, w http.ResponseWriter, r *http.Request, status int) bool

	// TranslatesTrace, if set, reports whether the Handler gets r, a TRACE,
	// to translate its URL first, as apache2's translate_name phase
	// (mod_rewrite, mod_alias's Redirect, mod_proxy) runs before the
	// map_to_storage phase that echoes or refuses a TRACE: the Handler then
	// answers it, a redirect, a refusal, the backend's answer, or, where
	// core would, ServeTrace's. Otherwise the engine answers every TRACE.
	TranslatesTrace func(c *Conn, r *http.Request) bool

	// Progress, if set, is called on the goroutine serving c each time the engine starts
	// to wait on the network for it (the next request, a request head, each read of a body,
	// each write of a response), with the current time. Each such wait is bounded
	// by Timeout or KeepAliveTimeout, so a busy Conn with no Progress for longer than both
	// is stuck outside the engine's waits: in a handler, on a disk, in a deadlock. It feeds
	// a scoreboard's hang detection; it must be cheap and must not call back into the Conn.
	// A Tunnel (SwitchProtocols) calls it from several goroutines, at least every few
	// seconds while it waits, however long it may: it must then be safe for concurrent use.
	Progress func(c *Conn, now time.Time)

	// ErrorLog, if set, receives the engine's own error reports (handler panics, handler
	// misuse of the ResponseWriter). The format has no trailing newline.
	ErrorLog func(format string, args ...any)

	// RefusalLog, if set, writes core's info line about a request the engine
	// refuses as it reads it (msg: apache2's AH00561, AH00565, AH00570) to
	// the error log of the server answering r, as ap_read_request's lines.
	RefusalLog func(c *Conn, r *http.Request, msg string)

	// TLS, if set, says which connections serve TLS (mod_ssl): called once
	// per connection when it is wrapped (NewConn), on the goroutine doing so,
	// with the Conn over the accepted connection (only LocalAddr and NetConn
	// may be used), it gives the config to terminate TLS with, nil for plain
	// HTTP. The handshake runs in the first ServeRequest, bounded by the base
	// server's Timeout; a client that speaks plain HTTP is answered 400 as
	// mod_ssl answers it. A TLS connection implements no NonblockingWriter
	// (no write completion) and must stay with its Conn: an MPM does not park
	// it without its Conn (Detach, Resume). Unset: no cost per connection.
	TLS func(c *Conn) *tls.Config

	// HandshakeFailed, if set, is called when a TLS connection's handshake
	// fails (not for a client speaking plain HTTP), before ServeRequest ends
	// it, with the handshake's error (a *tls.CertificateVerificationError
	// for a client certificate that did not verify, io.EOF for a client that
	// left, ...).
	HandshakeFailed func(c *Conn, err error)

	once       sync.Once
	drainStart atomic.Int64 // StartDraining's time, Unix ns; 0 until then
	cfg        serverConfig
}

// serverConfig is what NewConn derives once from the exported fields.
type serverConfig struct {
	software []byte   // "Server: ...\r\n" or nil
	ident    Identity // ServerName and ServerAdmin
	host     hostConf // the HostConfig fields of the Server
}

// HostConfig is what a virtual host may set apart from the Server that serves
// it, as Apache keeps these per server: each field has the meaning and the
// default of the Server field of the same name. Identity.WithConfig gives them
// to the requests answered as that identity.
type HostConfig struct {
	KeepAlive            bool
	MaxKeepAliveRequests int
	ServerSignature      Signature
	TraceEnable          Trace
	LimitRequestBody     int64
	BodyTimeout          time.Duration
	BodyMinRate          int
	// LimitRequestLine, LimitRequestFieldSize and LimitRequestFields hold for
	// the connections whose Server.BaseIdentity is this identity: a request's
	// line and header are read before its virtual host is known (Apache reads
	// them with the limits of the connection's base server).
	LimitRequestLine, LimitRequestFieldSize, LimitRequestFields int
	// Timeout bounds each read of its requests' bodies and each write of
	// their responses (Apache's r->server->timeout); on the connections whose
	// Server.BaseIdentity it is, it also bounds the wait for their first
	// request and the reading of every request head (c->base_server's).
	Timeout time.Duration
	// KeepAliveTimeout is announced in the Keep-Alive header of its
	// responses. The wait for a connection's next request after one of them
	// is KeepAliveTimeout when OwnKeepAliveTimeout is set (the virtual host
	// sets it itself), else the KeepAliveTimeout of the connection's
	// Server.BaseIdentity, as apache2 "preserves legacy behaviour".
	KeepAliveTimeout    time.Duration
	OwnKeepAliveTimeout bool
}

// limits bound a request's head.
type limits struct {
	lineLimit  int // bytes allowed in a request line, without CRLF
	fieldLimit int // bytes allowed in one header field line, without CRLF
	maxFields  int // -1 = unlimited
}

// hostConf is a HostConfig with its defaults applied.
type hostConf struct {
	keepAlive   bool
	maxKA       int // 0: unlimited
	signature   Signature
	trace       Trace
	maxBody     int64 // -1: unlimited
	bodyTimeout time.Duration
	bodyMinRate int64
	limits      limits
	timeout     time.Duration
	kaWait      time.Duration // KeepAliveTimeout
	ownKA       bool          // OwnKeepAliveTimeout
	kaTimeout   []byte        // "timeout=N" of the Keep-Alive header
}

func (h HostConfig) compile() *hostConf {
	c := &hostConf{keepAlive: h.KeepAlive, maxKA: h.MaxKeepAliveRequests, signature: h.ServerSignature, trace: h.TraceEnable,
		bodyTimeout: orDuration(h.BodyTimeout, DefaultBodyTimeout), bodyMinRate: int64(h.BodyMinRate),
		timeout: orDuration(h.Timeout, DefaultTimeout), kaWait: orDuration(h.KeepAliveTimeout, DefaultKeepAliveTimeout),
		ownKA: h.OwnKeepAliveTimeout}
	c.kaTimeout = strconv.AppendInt([]byte("timeout="), int64(c.kaWait/time.Second), 10)
	if c.bodyMinRate <= 0 {
		c.bodyMinRate = DefaultBodyMinRate
	}
	c.limits = limits{
		lineLimit:  limit(h.LimitRequestLine, DefaultLimitRequestLine) + 1,
		fieldLimit: limit(h.LimitRequestFieldSize, DefaultLimitRequestFieldSize) + 1,
		maxFields:  limit(h.LimitRequestFields, DefaultLimitRequestFields),
	}
	switch {
	case h.LimitRequestBody < 0:
		c.maxBody = -1
	case h.LimitRequestBody == 0:
		c.maxBody = DefaultLimitRequestBody
	default:
		c.maxBody = h.LimitRequestBody
	}
	return c
}

func (s *Server) init() {
	s.once.Do(func() {
		c := &s.cfg
		c.host = *HostConfig{KeepAlive: s.KeepAlive, MaxKeepAliveRequests: s.MaxKeepAliveRequests,
			ServerSignature: s.ServerSignature, TraceEnable: s.TraceEnable, LimitRequestBody: s.LimitRequestBody,
			BodyTimeout: s.BodyTimeout, BodyMinRate: s.BodyMinRate, LimitRequestLine: s.LimitRequestLine,
			LimitRequestFieldSize: s.LimitRequestFieldSize, LimitRequestFields: s.LimitRequestFields,
			Timeout: s.Timeout, KeepAliveTimeout: s.KeepAliveTimeout, OwnKeepAliveTimeout: true}.compile()
		if s.Software != "" {
			c.software = append(append([]byte("Server: "), sanitizeValue(s.Software)...), "\r\n"...)
		}
		c.ident = *NewIdentity(s.ServerName, s.ServerAdmin).WithCanonicalName(s.UseCanonicalName)
	})
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// limit maps a Limit* field to its effective value; negative means unlimited.
func limit(v, def int) int {
	switch {
	case v < 0:
		return 1<<31 - 2
	case v == 0:
		return def
	}
	return v
}

// DrainIdle is how long a draining Server's idle keep-alive connections may still send
// a request, from StartDraining (KeepAliveTimeout, if that ends first): long enough for
// a client in the middle of a page or a sequence of requests, short enough that a
// gracefully stopping process does not wait out a long KeepAliveTimeout for clients that
// went quiet. An MPM that keeps idle connections itself (parked without a Conn) gives
// them the same time.
const DrainIdle = time.Second

// StartDraining makes every later response on every connection of this Server carry
// "Connection: close" (graceful stop). Idle keep-alive connections are not cut: their
// next request, if one comes within DrainIdle of this call (or KeepAliveTimeout, if
// earlier), is still answered, so that no request a client sends on a connection it was
// told it could keep meets a close. A wait for a keep-alive request that starts later is
// bounded the same way; for one already in progress the MPM calls Conn.EndIdleWait.
// Safe for concurrent use; later calls do nothing.
func (s *Server) StartDraining() { s.drainStart.CompareAndSwap(0, time.Now().UnixNano()) }

// Draining reports whether StartDraining was called. Safe for concurrent use.
func (s *Server) Draining() bool { return s.drainStart.Load() != 0 }

// idleEnd is when a wait for a keep-alive request starting at now ends:
// ka (a KeepAliveTimeout) later, and once draining no later than DrainIdle
// after the later of now and StartDraining.
func (s *Server) idleEnd(now time.Time, ka time.Duration) time.Time {
	end := now.Add(ka)
	if d := s.drainStart.Load(); d != 0 {
		if drain := time.Unix(0, max(d, now.UnixNano())).Add(DrainIdle); drain.Before(end) {
			end = drain
		}
	}
	return end
}

func (s *Server) logf(format string, args ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog(format, args...)
	}
}

// State is the life-cycle state of a Conn, reported through Server.ConnState.
type State int

const (
	// StateNew: accepted, no byte of a request read yet. Reported by NewConn.
	StateNew State = iota
	// StateActive: the first byte of a request arrived; the request is being read,
	// handled and answered.
	StateActive
	// StateIdle: a response was written and the connection may carry another request.
	StateIdle
	// StateClosed: Close was called. Terminal.
	StateClosed
)

var stateNames = [...]string{"new", "active", "idle", "closed"}

func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// NewConn wraps an accepted connection. The Conn owns c from now on and closes it in
// Close. NewConn reports StateNew through ConnState. Safe for concurrent use.
func (s *Server) NewConn(c net.Conn) *Conn {
	cn := s.wrap(c, nil)
	cn.setState(StateNew)
	return cn
}

// wrap makes the Conn for c without reporting a state (NewConn, Resume); tc
// is the TLS state of a resumed TLS connection, else nil.
func (s *Server) wrap(c net.Conn, tc *tls.Conn) *Conn {
	s.init()
	cn := &Conn{srv: s, rwc: c, base: &s.cfg.host}
	cn.remoteAddr = remoteAddr(c, &cn.addrBuf)
	cn.cw.c, cn.cr.c = cn, cn
	if tc != nil {
		cn.tc, cn.rwc = tc, tc
	} else if s.TLS != nil {
		if cfg := s.TLS(cn); cfg != nil {
			cn.startTLS(cfg)
		}
	}
	if s.BaseIdentity != nil {
		if id := s.BaseIdentity(cn); id != nil && id.conf != nil {
			cn.base = id.conf
		}
	}
	cn.nb, _ = cn.rwc.(NonblockingWriter)
	cn.keys = cn.keysBuf[:0]
	cn.ctx.init(cn)
	cn.tmpl = *(&http.Request{}).WithContext(&cn.ctx) // WithContext's copy stays on the stack
	return cn
}

// AddrPortConn is a net.Conn that knows its peer as a netip.AddrPort: the
// engine then formats the client's address without RemoteAddr's net.Addr
// and net.TCPAddr.String (three allocations a connection). RemoteAddrPort
// must return what RemoteAddr names; the zero AddrPort means it has none.
type AddrPortConn interface {
	net.Conn
	RemoteAddrPort() netip.AddrPort
}

// remoteAddr is c's peer as net.TCPAddr.String writes it ("127.0.0.1:80",
// "[::1]:80"; an IPv4-mapped IPv6 address as IPv4), "" without one. An IPv4
// peer of an AddrPortConn is written in buf, which the string then shares:
// buf is a new Conn's (addrBuf), written once, here, and never again, so the
// string stays immutable and the Conn needs no allocation for it.
func remoteAddr(c net.Conn, buf *[len("255.255.255.255:65535")]byte) string {
	if ac, ok := c.(AddrPortConn); ok {
		if ap := ac.RemoteAddrPort(); ap.IsValid() {
			a := ap.Addr().Unmap()
			if a.Is4() {
				b := buf[:0]
				for i, o := range a.As4() {
					if i > 0 {
						b = append(b, '.')
					}
					b = strconv.AppendUint(b, uint64(o), 10)
				}
				b = strconv.AppendUint(append(b, ':'), uint64(ap.Port()), 10)
				return unsafe.String(unsafe.SliceData(b), len(b))
			}
			return netip.AddrPortFrom(a, ap.Port()).String()
		}
	}
	if a := c.RemoteAddr(); a != nil {
		return a.String()
	}
	return ""
}

// splitHostPort splits "host[:port]" (also "[v6]:port") without failing.
func splitHostPort(hp string) (host, port string) {
	if hp == "" {
		return "", ""
	}
	if hp[0] == '[' {
		if i := strings.IndexByte(hp, ']'); i > 0 {
			host = hp[1:i]
			if i+1 < len(hp) && hp[i+1] == ':' {
				port = hp[i+2:]
			}
			return host, port
		}
		return hp, ""
	}
	if i := strings.LastIndexByte(hp, ':'); i >= 0 && strings.IndexByte(hp, ':') == i {
		return hp[:i], hp[i+1:]
	}
	return hp, ""
}
