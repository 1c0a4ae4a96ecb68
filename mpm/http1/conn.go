package http1

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/env"
)

// Buffer sizes. The read buffer holds pipelined requests; the write buffer holds a
// response head plus a pendSize body so that both leave in one write.
const (
	readBufSize  = 4096
	writeBufSize = 8192
)

// Lingering close (apache2's ap_lingering_close): after a response that closed the
// connection, read and discard what the client still sends, so that the close does not
// turn into a reset that destroys the response in flight. It ends at the client's end
// of stream, after lingerTimeout without a byte, or lingerLimit after it began
// (apache2's SECONDS_TO_LINGER and MAX_SECS_TO_LINGER).
const (
	lingerTimeout = 2 * time.Second
	lingerLimit   = 30 * time.Second
)

var (
	bufsPool sync.Pool // *connBufs
	pendPool = sync.Pool{New: func() any { return new([pendSize]byte) }}
	copyPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}
)

func getPend() []byte { return pendPool.Get().(*[pendSize]byte)[:] }

// Conn serves HTTP/1.x on one accepted connection, one request per ServeRequest call.
// Its methods are not safe for concurrent use, except Close, which may be called from
// another goroutine to abort a ServeRequest in progress.
type Conn struct {
	srv        *Server
	rwc        net.Conn
	remoteAddr string
	local      atomic.Value // LocalAddr's net.Addr, once asked
	ctx        connContext
	tmpl       http.Request // carries ctx; copied into each request (a field: no allocation)

	mu     sync.Mutex // held by ServeRequest; owns the buffers below
	bufs   *connBufs  // where br, bw, hdr and the parser's scratch come from; nil while released
	br     *bufio.Reader
	bw     *bufio.Writer
	pend   []byte // body buffered before commit; nil until needed
	cw     connWriter
	cr     connReader
	parser parser
	hdr    http.Header // response header map, cleared per request
	keys   []string    // header-order scratch
	// keysBuf backs keys for the usual few response fields: no allocation
	// per connection for them.
	keysBuf [12]string
	order   *FieldOrder // SetFieldOrder's, for the current request
	// reqLines are SetRequestLines', for the current request (a pointer:
	// the Conn's size class, see addrBuf).
	reqLines *[]string

	nreq       atomic.Int64 // requests started
	keepalives int          // responses sent with keep-alive
	start      time.Time    // when the first byte of the current request arrived
	reqTime    time.Time    // when its request line was read (apache2's r->request_time)
	startIn    int64        // in when start was taken; after lineRead, what the input gave up to the request line's end
	bodyStart  time.Time    // when the current request's body first waited for the network
	bodyBytes  int64        // body bytes of the current request read so far
	ident      *Identity    // who answers the current request; nil: the Server
	base       *hostConf    // its BaseIdentity's, else the Server's: head limits and Timeout
	filter     HeaderFilter // the current response's, from SetHeaderFilter
	variants   string       // the current request's variant list (SetVariantList)
	user       string       // SetUser's, for the access log's %u
	authType   string       // SetAuthType's
	filename   string       // SetFilename's
	pathInfo   string       // SetFilename's
	notes      *notes       // the current request's notes (SetNote, SetErrorNotes), the original's; nil until a first one
	sig        Signature    // SetSignature's, for the current request's error pages
	logConf    any          // the current request's SetLogConfig
	env        env.Vars     // the current request's environment variables (Env)
	sawEOF     bool         // the client closed its side
	// addrBuf holds remoteAddr's bytes for an IPv4 peer (see remoteAddr). It
	// and the flags of the current request and connection sit here together,
	// beside sawEOF, not each flag beside its kin: alone each took 8 bytes
	// with its padding, and the Conn with the allocator's 8-byte header fits
	// in the 1280-byte size class only without them.
	addrBuf    [len("255.255.255.255:65535")]byte
	linger     bool  // the last response closed the connection
	clientDone bool  // ... after a request that asked for it, read whole (shutForLinger)
	keepNext   bool  // the current response keeps the connection open
	filterSet  bool  // SetHeaderFilter was called for the current request
	errorPage  bool  // the current response is an error page (WriteError)
	userSet    bool  // SetUser was called for the current request
	sigSet     bool  // SetSignature was called for the current request
	tlsOpts    uint8 // the current request's SetTLSOptions
	plain      bool  // a plain HTTP client on a TLS port: answered 400 (plainOnTLS)
	typeLines  bool  // the response being committed has no type (FieldOrder.NoType)
	// Byte counts for mod_logio's %I and %O: in and out are the connection's totals
	// (read from rwc; handed to it or left to the MPM as unsent), inMark and outMark
	// where the current request started in them.
	in, out         int64
	inMark, outMark int64

	tc        *tls.Conn         // rwc when the connection serves TLS (Server.TLS)
	tlsInfo   any               // what the MPM attached to the TLS connection (SetTLSInfo)
	nb        NonblockingWriter // rwc's, when it has one
	try       bool              // writes go to tryWrite (flushing a response's end)
	unsentSet bool              // unsent holds the rest of the last response
	noWait    bool              // the next ServeRequest does not wait for a first byte (SkipIdleWait)
	// logStatus is the status the access log shows for the current
	// request, with no body bytes, when its local ErrorDocument failed
	// (WriteRecursiveError); 0 for the response's own. Here, not beside
	// the flags above: it fills padding.
	logStatus uint16
	// lineUnparsed: the current request was refused as its request line
	// was read (LineUnparsed). Beside logStatus, in padding.
	lineUnparsed bool
	// hostRefused: the current request's absolute-form target named a
	// host refused once the fields were read (RefusedHostname). Beside
	// logStatus, in padding.
	hostRefused bool
	unsent      Unsent

	state  atomic.Int32
	closed atomic.Bool
	// idle says whether ServeRequest waits for a keep-alive request, for
	// EndIdleWait: idleNo, idleWaiting, idleCutting (EndIdleWait is setting
	// the deadline), idleCut (it has).
	idle   atomic.Int32
	kaWait time.Duration // the KeepAliveTimeout of idleWait's wait, for EndIdleWait

	// Tag is the MPM's own: the engine never reads or writes it. An MPM keeps there what
	// its ConnState and RequestDone hooks need, such as the scoreboard record of the worker
	// now serving the connection.
	Tag any
}

// connWriter is the bufio.Writer's destination: it bounds each write by Timeout.
type connWriter struct{ c *Conn }

func (w *connWriter) Write(p []byte) (n int, err error) {
	if w.c.try {
		n, err = w.c.tryWrite(p)
	} else {
		w.c.setWriteDeadline()
		n, err = w.c.rwc.Write(p)
	}
	w.c.out += int64(n)
	return n, err
}

// connReader is the bufio.Reader's source: it counts what it reads.
type connReader struct{ c *Conn }

func (r *connReader) Read(p []byte) (int, error) {
	n, err := r.c.rwc.Read(p)
	r.c.in += int64(n)
	return n, err
}

func (c *Conn) setWriteDeadline() {
	c.rwc.SetWriteDeadline(c.progress(time.Now()).Add(c.timeout()))
}

// Timeout is the Timeout of the request being served (see timeout): what
// mod_proxy waits for a backend without ProxyTimeout.
func (c *Conn) Timeout() time.Duration { return c.timeout() }

// timeout is the Timeout of the request being served (body reads, response
// writes): its identity's (Apache's r->server), else, for a request answered
// before its virtual host is known, the connection's base server's.
func (c *Conn) timeout() time.Duration {
	if id := c.ident; id != nil && id.conf != nil {
		return id.conf.timeout
	}
	return c.base.timeout
}

// waitHost is the HostConfig whose KeepAliveTimeout and Timeout bound the
// waits after the last response (the next request, write completion), as
// apache2's event_post_read_request picks them: the identity of that
// response if it sets KeepAliveTimeout itself, else the connection's base.
func (c *Conn) waitHost() *hostConf {
	if id := c.ident; id != nil && id.conf != nil && id.conf.ownKA {
		return id.conf
	}
	return c.base
}

// WaitTimeouts are the bounds of the waits for c once its last response is
// answered, for an MPM that waits for it itself: idle for its next request
// (KeepAliveTimeout), write for a client that takes nothing of the rest of
// that response (Timeout, as write completion). Both are the virtual host's
// that answered it if it sets KeepAliveTimeout itself, else those of the
// connection's base (Server.BaseIdentity, else the Server), as in apache2's
// event MPM. Only the goroutine serving c may call it, between requests.
func (c *Conn) WaitTimeouts() (idle, write time.Duration) {
	h := c.waitHost()
	return h.kaWait, h.timeout
}

// progress reports a wait on the network about to start to Server.Progress; it
// returns now.
func (c *Conn) progress(now time.Time) time.Time {
	if h := c.srv.Progress; h != nil {
		h(c, now)
	}
	return now
}

func (c *Conn) flush() error { return c.bw.Flush() }

// connKey is the context key under which a request's context holds its *Conn.
type connKey struct{}

// ConnFromRequest returns the Conn a request handed to a Handler arrived on, or nil for
// a request that did not come from this engine.
func ConnFromRequest(r *http.Request) *Conn {
	c, _ := r.Context().Value(connKey{}).(*Conn)
	return c
}

// connContext is the context of every request of one Conn: canceled by Close, and
// answering http.LocalAddrContextKey and connKey without a chain of WithValue. It is
// a field of its Conn and allocates nothing until asked for its Done channel (most
// requests never are) or given an AfterFunc: context.WithCancel would cost two
// allocations a connection.
type connContext struct {
	c        *Conn
	mu       sync.Mutex
	canceled bool
	done     chan struct{}   // made at the first Done; closed by cancel
	after    map[*int]func() // AfterFunc's, run by cancel
}

// closedDone is the Done channel of a context canceled before anyone asked for it.
var closedDone = func() chan struct{} { ch := make(chan struct{}); close(ch); return ch }()

// init makes cc c's context.
func (cc *connContext) init(c *Conn) { cc.c = c }

func (cc *connContext) Deadline() (time.Time, bool) { return time.Time{}, false }

func (cc *connContext) Done() <-chan struct{} {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.done == nil {
		if cc.canceled {
			cc.done = closedDone
		} else {
			cc.done = make(chan struct{})
		}
	}
	return cc.done
}

func (cc *connContext) Err() error {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.canceled {
		return context.Canceled
	}
	return nil
}

// AfterFunc arranges for f to run in its own goroutine once cc is canceled, as
// context.AfterFunc does; context.WithCancel and the like on a request's context
// use it instead of a goroutine waiting on Done.
func (cc *connContext) AfterFunc(f func()) (stop func() bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.canceled {
		go f()
		return func() bool { return false }
	}
	key := new(int)
	if cc.after == nil {
		cc.after = make(map[*int]func())
	}
	cc.after[key] = f
	return func() bool {
		cc.mu.Lock()
		defer cc.mu.Unlock()
		_, ok := cc.after[key]
		delete(cc.after, key)
		return ok
	}
}

// cancel ends cc (once): Done closes, Err is context.Canceled, the AfterFuncs run.
func (cc *connContext) cancel() {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.canceled {
		return
	}
	cc.canceled = true
	if cc.done != nil {
		close(cc.done)
	}
	for _, f := range cc.after {
		go f()
	}
	cc.after = nil
}

func (cc *connContext) Value(key any) any {
	switch key {
	case connKey{}:
		return cc.c
	case http.LocalAddrContextKey:
		return cc.c.LocalAddr()
	}
	return nil
}

// NetConn returns the wrapped connection.
func (c *Conn) NetConn() net.Conn { return c.rwc }

// LocalAddr is the wrapped connection's LocalAddr, asked once per Conn: a
// connection's local address does not change, and asking may cost a system
// call (getsockname) and allocations each time. Safe for concurrent use.
func (c *Conn) LocalAddr() net.Addr {
	if a, ok := c.local.Load().(net.Addr); ok {
		return a
	}
	a := c.rwc.LocalAddr()
	if a != nil {
		c.local.Store(a) // the interface's own pointer: no allocation
	}
	return a
}

// Requests reports how many requests were started on c (for a scoreboard). Safe for
// concurrent use.
func (c *Conn) Requests() int { return int(c.nreq.Load()) }

// Buffered reports how many bytes of a next (pipelined) request are already read into
// the Conn's buffer.
func (c *Conn) Buffered() int {
	if c.br == nil {
		return 0
	}
	return c.br.Buffered()
}

// Release returns the Conn's buffers (read, write, response header, parser) to a
// shared pool while it is idle, so that a parked connection holds none; the next
// ServeRequest takes them again. It does nothing while Buffered() > 0, since those
// bytes belong to the next request.
func (c *Conn) Release() {
	if c.Buffered() > 0 {
		return
	}
	c.mu.Lock()
	c.releaseLocked()
	c.mu.Unlock()
}

// connBufs is what a Conn needs only while it serves a request: the read and write
// buffers, the response header map and the parser's scratch space. It goes back to
// bufsPool whole when the Conn is released or ends, so that a parked connection
// holds none of it and a new connection (one request with Connection: close, say)
// takes it ready-made rather than allocating and growing its own.
type connBufs struct {
	br     *bufio.Reader
	bw     *bufio.Writer
	hdr    http.Header
	head   []byte
	fields []field
}

// Scratch kept in bufsPool at most: an unusually large request head is not kept.
const (
	maxPooledHead   = 16 << 10
	maxPooledFields = 128
)

func (c *Conn) releaseLocked() {
	if b := c.bufs; b != nil {
		b.br.Reset(nil)
		b.bw.Reset(nil)
		clear(b.hdr)
		b.head, b.fields = c.parser.head[:0], c.parser.fields[:0]
		if cap(b.head) > maxPooledHead {
			b.head = nil
		}
		if cap(b.fields) > maxPooledFields {
			b.fields = nil
		}
		c.bufs, c.br, c.bw, c.hdr = nil, nil, nil, nil
		c.parser.head, c.parser.fields, c.parser.line, c.parser.str = nil, nil, span{}, nil
		bufsPool.Put(b)
	}
	if c.pend != nil {
		pendPool.Put((*[pendSize]byte)(c.pend))
		c.pend = nil
	}
}

func (c *Conn) acquire() {
	if c.bufs != nil {
		return
	}
	b, _ := bufsPool.Get().(*connBufs)
	if b == nil {
		b = &connBufs{br: bufio.NewReaderSize(nil, readBufSize), bw: bufio.NewWriterSize(nil, writeBufSize), hdr: make(http.Header, 8)}
	}
	b.br.Reset(&c.cr)
	b.bw.Reset(&c.cw)
	c.bufs, c.br, c.bw, c.hdr = b, b.br, b.bw, b.hdr
	c.parser.head, c.parser.fields = b.head, b.fields
}

func (c *Conn) setState(s State) {
	c.state.Store(int32(s))
	if h := c.srv.ConnState; h != nil {
		h(c, s)
	}
}

// exchange is everything one request allocates, in one allocation.
type exchange struct {
	req  http.Request
	url  url.URL
	resp response
	body body
	vals [16]string // header values of a typical request
}

// Values of Conn.idle.
const (
	idleNo int32 = iota
	idleWaiting
	idleCutting
	idleCut
)

// idleWait sets the deadline of the wait for a keep-alive request and
// marks the wait, so that EndIdleWait can shorten it when the Server
// starts draining. The deadline is set before the mark and checked again
// after it: either this sees the drain, or EndIdleWait sees the mark.
func (c *Conn) idleWait() {
	now := c.progress(time.Now())
	c.kaWait = c.waitHost().kaWait
	c.rwc.SetReadDeadline(c.srv.idleEnd(now, c.kaWait))
	c.idle.Store(idleWaiting)
	if c.srv.Draining() {
		c.rwc.SetReadDeadline(c.srv.idleEnd(now, c.kaWait))
	}
}

// idleWaitDone ends the mark of idleWait once its wait is over; if
// EndIdleWait is setting the deadline it waits for it to finish, so that
// the caller's next deadline is the one that holds.
func (c *Conn) idleWaitDone() {
	if c.idle.Load() == idleNo || c.idle.CompareAndSwap(idleWaiting, idleNo) {
		return
	}
	for c.idle.Load() != idleCut {
		runtime.Gosched()
	}
	c.idle.Store(idleNo)
}

// EndIdleWait is for an MPM whose Server has started draining (StartDraining): if c's
// ServeRequest is waiting for a keep-alive request, that wait ends DrainIdle after the
// drain began (or at KeepAliveTimeout, if earlier), as a wait that starts while draining
// does; otherwise it does nothing. A request that arrives in time is answered (with
// "Connection: close"). Safe for concurrent use, unlike Conn's other methods (Close
// aside).
func (c *Conn) EndIdleWait() {
	if !c.idle.CompareAndSwap(idleWaiting, idleCutting) {
		return
	}
	c.rwc.SetReadDeadline(c.srv.idleEnd(time.Now(), c.kaWait))
	c.idle.Store(idleCut)
}

// SkipIdleWait makes the next ServeRequest of a keep-alive connection not wait for a
// request's first byte: when none can be read at once, it returns keepAlive true
// without serving a request, and the MPM waits for the connection's next bytes again
// (Quiet holds). For an MPM whose poller may report a connection readable for bytes
// that its last request's reads took already (an edge-triggered poller that reported
// them only after the MPM parked the connection): its worker then goes back to its
// work at once instead of waiting there for the client's next request. The
// connection's Read must look at the socket before its deadline (a past deadline
// makes it fail only when it would wait), as the event child's connections do; a
// net.TCPConn fails at once.
func (c *Conn) SkipIdleWait() { c.noWait = true }

// skipBlankLines consumes the blank lines (CRLF or a bare LF) at the start
// of what br holds, past a request, as apache2's ap_check_pipeline does
// with what it can read without waiting (a bare LF there is no error, as it
// is on an idle connection, where read_request_line reads it), up to one
// more than maxBlankLines. It returns how many it consumed and the bytes
// mod_logio counts for them then (its speculative reads too): 2 for an LF,
// 5 for a CRLF, and 2 more for a CR that no LF follows (data, the next
// request's, which ap_check_pipeline read two bytes of to see so).
func skipBlankLines(br *bufio.Reader) (n int, in int64) {
	for n <= maxBlankLines {
		b, _ := br.Peek(min(2, br.Buffered()))
		switch {
		case len(b) > 0 && b[0] == '\n':
			br.Discard(1)
			in += 2
		case len(b) == 2 && b[0] == '\r' && b[1] == '\n':
			br.Discard(2)
			in += 5
		case len(b) == 2 && b[0] == '\r':
			return n, in + 2
		default:
			return n, in
		}
		n++
	}
	return n, in
}

// ServeRequest reads exactly one request, runs the handler, writes the full response,
// and reports whether the connection may carry another request.
//
// On the first request it waits up to Timeout for the first byte; later it waits up to
// KeepAliveTimeout unless bytes are already buffered. A client that closes or times out
// while idle (no byte of a request received) ends with keepAlive=false and a nil error
// and no response written. Requests the engine cannot hand to the handler (malformed,
// over a limit, timed out mid-head, unsupported Expect) are answered with apache2's
// error page. err reports I/O failures and handler panics; it is informational: whenever
// keepAlive is false the caller closes the Conn.
func (c *Conn) ServeRequest() (keepAlive bool, err error) {
	if c.closed.Load() {
		return false, net.ErrClosed
	}
	c.mu.Lock()
	defer func() {
		if c.closed.Load() { // closed meanwhile from another goroutine
			c.dropUnsent()
			c.releaseLocked()
		}
		c.mu.Unlock()
	}()
	c.acquire()
	if err := c.WriteUnsent(); err != nil {
		return false, err // the MPM left the last response's end to the engine
	}

	// Wait for the first byte of the request.
	noWait := c.noWait
	c.noWait = false
	var blankIn int64 // bytes of pipelined blank lines, as mod_logio counts them
	if c.br.Buffered() > 0 && c.nreq.Load() > 0 {
		n, in := skipBlankLines(c.br)
		if n > maxBlankLines {
			// apache2's ap_check_pipeline: enough blank lines, the
			// connection closes after the last response.
			c.linger, c.clientDone = true, false
			return false, nil
		}
		blankIn = in
	}
	pipelined := c.br.Buffered() > 0 && c.nreq.Load() > 0
	if c.br.Buffered() == 0 {
		switch {
		case noWait && c.nreq.Load() > 0:
			c.rwc.SetReadDeadline(time.Unix(0, 1)) // past: a read that would wait fails at once
		case c.nreq.Load() == 0:
			c.rwc.SetReadDeadline(c.progress(time.Now()).Add(c.base.timeout))
			if c.tc != nil { // the handshake writes too
				c.tc.SetWriteDeadline(time.Now().Add(c.base.timeout))
			}
		default:
			c.idleWait()
		}
		_, err := c.br.Peek(1)
		c.idleWaitDone()
		if err != nil && c.tc != nil && c.plainOnTLS(err) {
			_, err = c.br.Peek(1)
		}
		if err != nil {
			if noWait && errors.Is(err, os.ErrDeadlineExceeded) {
				return true, nil // nothing yet: the MPM waits again
			}
			if err == io.EOF {
				c.sawEOF = true
			} else if errors.Is(err, os.ErrDeadlineExceeded) {
				// The wait is over (KeepAliveTimeout, Timeout, a drain): the close
				// lingers, as apache2's always does, so that a request crossing it
				// meets an end of stream, not a reset.
				c.linger, c.clientDone = true, false
			}
			if c.tc != nil && c.tmpl.TLS == nil && c.srv.HandshakeFailed != nil {
				if !c.tc.ConnectionState().HandshakeComplete {
					c.srv.HandshakeFailed(c, err)
				}
			}
			return false, nil
		}
		if c.tc != nil {
			c.handshaken()
		}
	}
	c.start = c.progress(time.Now())
	c.reqTime, c.startIn = c.start, c.in
	c.bodyStart, c.bodyBytes = time.Time{}, 0
	c.keepNext = false
	c.ident = nil
	c.filter, c.filterSet, c.errorPage, c.variants = nil, false, false, ""
	c.logStatus, c.lineUnparsed, c.hostRefused = 0, false, false
	c.user, c.userSet, c.authType = "", false, ""
	c.filename, c.pathInfo = "", ""
	c.resetNotes()
	c.order, c.reqLines = nil, nil
	c.sigSet, c.tlsOpts, c.logConf = false, 0, nil
	c.env.Reset()
	if c.tc != nil {
		c.env.Set("HTTPS", "on") // mod_ssl's, for every request over TLS
		if st := c.tmpl.TLS; st != nil && st.ServerName != "" {
			c.env.Set("SSL_TLS_SNI", st.ServerName) // and the client's SNI
		}
	}
	c.inMark, c.outMark = c.in-int64(c.br.Buffered())-blankIn, c.out+int64(c.bw.Buffered())
	if pipelined {
		// apache2 peeks at one byte of a pipelined request after logging the one
		// before it, which mod_logio counts for this one.
		c.inMark--
	}
	c.rwc.SetReadDeadline(c.start.Add(c.base.timeout))
	c.nreq.Add(1)
	c.setState(StateActive)
	clear(c.hdr)

	ex := new(exchange)
	req := &ex.req
	*req = c.tmpl
	req.URL = &ex.url
	req.RemoteAddr = c.remoteAddr
	w := &ex.resp
	w.c, w.req, w.declared = c, req, -2

	info, perr := c.parser.readRequest(c, c.br, &c.base.limits, req, ex.vals[:])
	if c.plain && perr == nil {
		perr = errPlainOnTLS
	}
	w.info = info
	if c.srv.Identify != nil && (perr == nil || perr.status != 0 && !c.plain) {
		// Apache's ap_update_vhost_from_headers; a refused request has the
		// Host the parser kept for it (none when apache2 refuses it before
		// it looks at Host): its default server's otherwise.
		c.ident = c.srv.Identify(c, req)
	}
	host := c.host()
	if perr != nil {
		keep, err := c.answerProtoError(ex, perr)
		c.requestDone(w)
		return keep, err
	}

	c.setBody(ex, host)
	w.head = req.Method == http.MethodHead

	if info.expect {
		// apache2 answers an unknown expectation itself, HTTP/1.0's too, then
		// closes the connection (without saying so, or, to an HTTP/1.0 client that
		// asked for keep-alive, announcing it; this engine says Connection: close).
		w.closeAfter = true
		c.logRefusal(req, "AH00570: client sent an unrecognized expectation value of Expect: "+strings.Join(req.Header["Expect"], ", "))
		c.writeRefusal(w, req, http.StatusExpectationFailed, refusedAfter)
	} else {
		if pr := c.srv.PostRead; pr != nil {
			pr(c, req)
		}
		if info.badScheme {
			// apache2's ap_post_read_request refuses the scheme once its
			// hooks ran (mod_setenvif's, mod_remoteip's): a request the
			// handler's ErrorPage serves as any, with its variables.
			// Its ErrorDocument's request reads the body (ap_die), which
			// no handler read (BodyUnread), unless the client awaits a
			// 100 Continue: apache2's ap_http_filter sends none for a
			// request whose status is an error and reads its body as
			// empty, so the 400 goes at once.
			w.closeAfter = true
			doc := req
			if w.body == nil || !w.body.expect100 {
				doc = req.WithContext(context.WithValue(req.Context(), unreadKey{}, true))
			}
			if page := c.srv.ErrorPage; page == nil || !page(c, w, doc, http.StatusBadRequest) {
				writeErrorPage(w, req, http.StatusBadRequest, "")
			}
		} else if req.Method == http.MethodTrace && c.answersTrace(req) {
			c.serveTrace(w, req)
		} else if perr := c.runHandler(w, req); perr != nil {
			err = perr
		}
	}
	if w.body != nil && !w.finished && c.out == c.outMark {
		c.finalizeBody(w, req)
	}
	if w.body != nil && !w.committed && !w.wroteHeader {
		// The handler gave up on a body that was too large or too slow: say so.
		switch {
		case w.body.tooLarge:
			writeErrorPage(w, req, http.StatusRequestEntityTooLarge, "")
		case w.body.timedOut:
			writeErrorPage(w, req, http.StatusRequestTimeout, "")
		}
	}
	if w.finished {
		c.dropUnsent()
		c.requestDone(w)
		return false, err // a panic after the response was committed: abort
	}
	ferr := w.finish()
	keepAlive = ferr == nil && w.keep && !w.closeAfter && err == nil
	if w.body != nil {
		w.body.closed = true
		if keepAlive && !w.body.drain() {
			keepAlive = false
		}
	}
	c.keepNext = keepAlive
	c.requestDone(w)
	if ferr != nil {
		return false, ferr
	}
	if !keepAlive {
		c.linger = true
		c.clientDone = w.info.clientClose && err == nil && (w.body == nil || w.body.eof)
		return false, err
	}
	c.setState(StateIdle)
	return true, nil
}

// answersTrace reports whether the engine answers req, a TRACE, itself: not
// a TRACE of "*", which the handler refuses as it refuses "*" to all but
// OPTIONS (400, as apache2's ap_parse_request_line, whatever TraceEnable
// says), nor one the handler translates (Server.TranslatesTrace).
func (c *Conn) answersTrace(req *http.Request) bool {
	return req.RequestURI != "*" && (c.srv.TranslatesTrace == nil || !c.srv.TranslatesTrace(c, req))
}

// requestDone reports a request that got a response to Server.RequestDone;
// then the last request of its internal redirects is not kept while the
// connection waits for the next one.
func (c *Conn) requestDone(w *response) {
	if h := c.srv.RequestDone; h != nil && w.status != 0 {
		if n := c.notes; n != nil && n.redirected {
			// The first request sent nothing but the page of an error
			// whose document failed (apache2's recursive error).
			n.origBytes = 0
			if c.logStatus != 0 {
				n.origBytes = w.written + w.dropped
			}
		}
		if c.logStatus != 0 {
			h(c, w.req, int(c.logStatus), 0)
		} else {
			h(c, w.req, w.status, w.written+w.dropped)
		}
	}
	if c.notes != nil {
		c.notes.last = nil
	}
}

// runHandler calls the handler, turning a panic into a 500 (or an aborted connection
// when the response was already committed).
func (c *Conn) runHandler(w *response, req *http.Request) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler {
				c.srv.logf("http1: panic serving %s %s for %s: %v\n%s", req.Method, req.RequestURI, c.remoteAddr, p, debug.Stack())
			}
			err = fmt.Errorf("http1: handler panic: %v", p)
			if w.committed || w.finished {
				w.finished = true
				return
			}
			w.reset()
			writeErrorPage(w, req, http.StatusInternalServerError, "")
		}
	}()
	c.srv.Handler.ServeHTTP(w, req)
	return nil
}

// finalizeBody reads what the handler left of the request body before the
// response goes out, as apache2's ap_finalize_request_protocol discards it; the
// caller checks that none of the response was written yet (c.out is still
// c.outMark). A body that fails then (malformed chunks, over LimitRequestBody, a
// timeout) is answered instead, with the page that names the handler's answer as
// a recursive error ("Additionally, a 302 Found error was encountered ..."), or,
// after a 200, as any error (Server.ErrorPage).
func (c *Conn) finalizeBody(w *response, req *http.Request) {
	status := w.status
	if !w.wroteHeader {
		status = http.StatusOK
	}
	failed := w.body.discard(status)
	if failed == 0 {
		return
	}
	if status != http.StatusOK && !w.head {
		w.dropped = w.written + int64(w.pendN)
	}
	w.reset()
	w.closeAfter = true
	if status != http.StatusOK {
		// apache2 sends the recursive page without a Content-Length, the
		// close ending it, whatever the failure (a 408 too).
		w.unframed = true
		writePage(w, req, failed, appendErrorPageAfter(nil, c.srv, req, failed, status, ' ', "", "", false))
		return
	}
	// After a 200, apache2 sends a 408 without a Content-Length too, as the
	// 413 and 400 its HTTP_IN filter answers (body.bailedOut); not the 408
	// of a body its default handler discards before it answers.
	w.unframed = failed == http.StatusRequestTimeout
	if page := c.srv.ErrorPage; page == nil || !page(c, w, req, failed) {
		writeErrorPage(w, req, failed, "")
	}
}

// setBody gives ex's request its body, read as its framing (w.info) says,
// or http.NoBody.
func (c *Conn) setBody(ex *exchange, host *hostConf) {
	req, w := &ex.req, &ex.resp
	if req.ContentLength == 0 {
		req.Body = http.NoBody
		return
	}
	b := &ex.body
	b.c, b.resp, b.limit = c, w, host.maxBody
	b.chunked = w.info.chunked
	b.chunkHdr = w.info.chunked
	b.leave = w.info.leaveBody
	if !w.info.chunked {
		b.left = req.ContentLength
	}
	b.expect100 = w.info.expectContinue && req.ProtoAtLeast(1, 1) // HTTP/1.0 knows no 1xx
	req.Body = b
	w.body = b
}

// answerProtoError answers (or silently drops) a request the handler never sees.
func (c *Conn) answerProtoError(ex *exchange, perr *protoError) (bool, error) {
	w := &ex.resp
	if perr.status == 0 {
		if errors.Is(perr.err, io.EOF) || errors.Is(perr.err, io.ErrUnexpectedEOF) {
			c.sawEOF = true
		} else if isTimeout(perr.err) && len(c.parser.head) > 0 {
			// A request line that timed out part-way: apache2 sends
			// nothing but logs the request, a 408 without a line ("-").
			w.status, c.logStatus = http.StatusRequestTimeout, http.StatusRequestTimeout
		}
		return false, perr
	}
	req := w.req
	c.lineUnparsed = c.parser.refusedHead(req, perr)
	if perr == errBadTarget {
		// %I: the request line and what came before it, not the fields.
		c.inMark += c.in - int64(c.br.Buffered()) - c.startIn
	}
	// A target's host refused after the fields (errBadHost, the request
	// without a Host), or one with a fragment, refused at its line:
	// apache2's r->hostname is what apr_uri_parse took.
	c.hostRefused = (perr == errBadHost || strings.IndexByte(req.RequestURI, '#') >= 0) &&
		req.Host == "" && req.URL.Host != "" && strings.EqualFold(req.URL.Scheme, connScheme(req))
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Body = http.NoBody
	if perr.sound {
		// Refused once its framing was read (a bad or missing Host):
		// apache2's ap_die leaves the body to an ErrorDocument's request.
		c.setBody(ex, c.host())
	}
	w.head = req.Method == http.MethodHead
	w.closeAfter = true
	if perr.notes != "" {
		c.setNote(errorNotesName, perr.notes)
	}
	switch {
	case perr == errURITooLong:
		c.logRefusal(req, "AH00565: request failed: client's request-line exceeds LimitRequestLine (longer than "+strconv.Itoa(c.base.limits.lineLimit-1)+")")
	case perr.log != "":
		c.logRefusal(req, perr.log)
	}
	how := refusedInput
	if perr.sound {
		how = refusedAfter
	}
	c.writeRefusal(w, req, perr.status, how)
	c.linger = true
	if err := w.finish(); err != nil {
		return false, err
	}
	if perr.err != nil {
		return false, perr
	}
	return false, nil
}

// logRefusal writes msg, core's info line about req, refused as it was
// read, with Server.RefusalLog.
func (c *Conn) logRefusal(req *http.Request, msg string) {
	if l := c.srv.RefusalLog; l != nil {
		l(c, req, msg)
	}
}

// writeRefusal answers req, refused as its head was read (the connection
// closes after it), with Server.ErrorPage, as apache2's ap_read_request
// passes what it refuses to ap_die, which follows the ErrorDocument of the
// server the request has by then (the connection's default one until the
// Host is known), else with the engine's page.
func (c *Conn) writeRefusal(w *response, req *http.Request, status int, how refusal) {
	page := c.srv.ErrorPage
	if page == nil || !page(c, w, req.WithContext(context.WithValue(req.Context(), refusedKey{}, how)), status) {
		writeErrorPage(w, req, status, "")
	}
}

// writeContinue answers "Expect: 100-continue" when the handler first reads the body.
func (c *Conn) writeContinue() error {
	c.bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
	return c.flush()
}

// Close closes the connection; it is idempotent and reports StateClosed once. After a
// response that closed the connection it lingers (apache2's lingering close, see
// shutForLinger): shuts down the write side, discards what the client still sends until
// its end, 2 s without a byte or 30 s in all, then closes, so that the client reads the
// whole response instead of a reset. Called
// while ServeRequest runs on another goroutine, it closes at once, which aborts it.
func (c *Conn) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return nil
	}
	c.ctx.cancel()
	var err error
	if c.mu.TryLock() {
		c.dropUnsent()
		err = c.lingerClose()
		c.releaseLocked()
		c.mu.Unlock()
	} else {
		err = c.rwc.Close()
	}
	c.setState(StateClosed)
	return err
}

// shutForLinger starts the close of c after a response that closed it (apache2's
// ap_start_lingering_close): it shuts the sending side down, which sends what is
// still queued with the FIN, and reports whether a lingering close must follow. It
// does not when the client has ended its side or, unlike apache2 (which always
// lingers), when the client can lose none of the response to a reset: it asked for
// the close (RFC 9112 section 9.6: it sends nothing more), its request was read whole,
// nothing it sent waits unread (close(2) would answer that with a reset at once), and
// every byte of the response is acknowledged (a reset, if the client sends after all,
// would destroy what is not). These are asked of the socket at the close,
// once the response is all written: a client may send while a large one is on its way.
// It reports false, having shut nothing down, when c's connection has no CloseWrite.
// Over TLS it has sent close_notify whenever it reports false.
func (c *Conn) shutForLinger() bool {
	if !c.linger || c.sawEOF {
		if c.tc != nil {
			// No linger, but close_notify is owed as tls.Conn's Close
			// sends it (Finish's caller closes only the socket under it).
			_ = c.tc.CloseWrite()
		}
		return false
	}
	cw, ok := c.rwc.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return false
	}
	if c.tc != nil {
		closeWriteUnder(c.tc)
	}
	return !c.clientDone || c.inputPending() || c.inFlight()
}

// inputPending reports whether the client sent bytes that are not read yet: buffered
// here, or in the socket's receive queue (a close would answer them with a reset). It
// asks rwc's Unread method (bytes in the receive queue, FIONREAD) or, failing that,
// its descriptor through syscall.Conn; when neither can tell, it says yes.
func (c *Conn) inputPending() bool {
	if c.br != nil && c.br.Buffered() > 0 {
		return true
	}
	if u, ok := c.rwc.(interface{ Unread() (int, error) }); ok {
		n, err := u.Unread()
		return err != nil || n > 0
	}
	n, err := unreadBytes(c.rwc)
	return err != nil || n > 0
}

// inFlight reports, once c's sending side is shut down, whether the client has not
// acknowledged all the response yet, sent or still queued. It asks rwc's Unacked
// method (SIOCOUTQ) or, failing that, its descriptor through syscall.Conn; when
// neither can tell, it says yes. The count takes the FIN as one byte, and holds it
// whenever any byte of the response is unacknowledged (acknowledgements are
// cumulative): one is the FIN alone, which a client may acknowledge late.
func (c *Conn) inFlight() bool {
	if u, ok := c.rwc.(interface{ Unacked() (int, error) }); ok {
		n, err := u.Unacked()
		return err != nil || n > 1
	}
	n, err := unackedBytes(c.rwc)
	return err != nil || n > 1
}

func (c *Conn) lingerClose() error {
	if c.shutForLinger() {
		c.discardRest()
	}
	return c.rwc.Close()
}

// discardRest reads and drops what the client sends after the write side was shut
// down, until its end of stream, an error, lingerTimeout without a byte, or lingerLimit
// in all (apache2's ap_lingering_close).
func (c *Conn) discardRest() {
	bp := copyPool.Get().(*[]byte)
	defer copyPool.Put(bp)
	now := time.Now()
	end := now.Add(lingerLimit)
	for {
		deadline := now.Add(lingerTimeout)
		if deadline.After(end) {
			deadline = end
		}
		c.rwc.SetReadDeadline(deadline)
		if n, err := c.rwc.Read(*bp); n == 0 || err != nil {
			return
		}
		if now = time.Now(); !now.Before(end) {
			return
		}
	}
}
