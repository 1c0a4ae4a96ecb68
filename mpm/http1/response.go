package http1

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// pendSize is how much body a handler may write before the headers are committed: a
// response whose whole body fits gets a Content-Length, a longer one is chunked (HTTP/1.1)
// or close-delimited (HTTP/1.0).
const pendSize = 4096

// sendfileChunk bounds one sendfile call: the bytes under one write deadline (see stalled).
const sendfileChunk = 4 << 20

var errFinished = errors.New("http1: ResponseWriter used after the handler returned")

// response is the http.ResponseWriter of one request. It also implements http.Flusher
// and io.ReaderFrom. Response headers are committed (written to the Conn's buffer) at
// the first body write that cannot be buffered, at Flush, or when the handler returns.
type response struct {
	c    *Conn
	req  *http.Request
	body *body // nil when the request has no body
	info reqInfo

	status      int
	wroteHeader bool
	committed   bool
	handlerDone bool
	finished    bool
	head        bool // HEAD request: never a body
	noBody      bool // status forbids a body (1xx, 204, 304)
	chunked     bool
	closeAfter  bool // the connection must close after this response
	// discard drops what the handler writes: its header did not pass the
	// check at commit and an error page took its place (badHeader).
	discard bool
	keep    bool // keep-alive was announced
	// continued: a "100 Continue" went out, which an "Expect: 100-continue"
	// needs for the connection to be kept (apache2's ap_set_keepalive
	// closes it while r->expecting_100 holds: after a request without a
	// body, an HTTP/1.0 one, or one whose body was not read).
	continued bool
	// unframed sends an error page without a Content-Length, the close
	// ending it, as apache2 sends the one its HTTP_IN filter answers a
	// request body with (bail_out_on_error: over LimitRequestBody or
	// malformed chunks), in the middle of the body's read.
	unframed bool

	reason   string // SetStatusLine's "404 Not Here", "" for the standard one
	declared int64  // handler's Content-Length: -1 none, -2 not looked up yet
	cl       int64  // Content-Length in force after commit, -1 none
	written  int64  // body bytes passed to the connection after commit
	// dropped is what a response that another replaced had written of its
	// body, which apache2's r->bytes_sent, the access log's %b, still
	// counts (the 302 page a recursive error replaced).
	dropped int64
	pendN   int   // body bytes held in c.pend before commit
	headN   int64 // bytes a HEAD handler wrote (counted, discarded)
}

// Header returns the response header map. As net/http's, it must not be used after the
// handler returns. Changes made after WriteHeader are still honoured as long as no body
// byte was written (the engine commits headers lazily).
func (w *response) Header() http.Header { return w.c.hdr }

// WriteHeader sends (or, for a final status, records) the status code. Informational
// codes other than 101 are written at once to HTTP/1.1 clients.
func (w *response) WriteHeader(code int) {
	if w.finished {
		w.c.srv.logf("http1: WriteHeader(%d) after the handler returned", code)
		return
	}
	if w.wroteHeader {
		w.c.srv.logf("http1: superfluous WriteHeader(%d) for %s %s", code, w.req.Method, w.req.RequestURI)
		return
	}
	if code < 100 || code > 999 {
		panic("http1: invalid WriteHeader code " + strconv.Itoa(code))
	}
	if code < 200 && code != http.StatusSwitchingProtocols {
		w.writeInformational(code)
		return
	}
	w.status = code
	w.wroteHeader = true
	w.noBody = code < 200 || code == http.StatusNoContent || code == http.StatusNotModified
}

func (w *response) writeInformational(code int) {
	if w.committed || !w.req.ProtoAtLeast(1, 1) {
		return // HTTP/1.0 knows no 1xx
	}
	bw := w.c.bw
	bw.WriteString(statusLine(code))
	for _, k := range w.c.sortedKeys(w.c.hdr) {
		for _, v := range w.c.hdr[k] {
			writeField(bw, k, v)
		}
	}
	bw.WriteString("\r\n")
	w.c.flush()
	if code == http.StatusContinue {
		w.continued = true
		if w.body != nil {
			w.body.expect100 = false
		}
	}
}

// reset drops the response the handler made, none of which has gone out, for
// another: its status, header fields and body, and, once committed, what
// commit wrote into the Conn's buffer, which then holds nothing else (the
// caller checks that none of it was written: c.out is c.outMark).
func (w *response) reset() {
	c := w.c
	clear(c.hdr)
	w.wroteHeader, w.noBody, w.reason = false, false, ""
	w.pendN, w.headN, w.declared = 0, 0, -2
	if !w.committed {
		return
	}
	c.bw.Reset(&c.cw)
	if w.keep {
		c.keepalives--
	}
	w.committed, w.keep, w.chunked, w.unframed, w.discard = false, false, false, false, false
	w.cl, w.written = -1, 0
}

// declaredLength returns the Content-Length the handler set, or -1.
func (w *response) declaredLength() int64 {
	if w.declared == -2 {
		w.declared = -1
		if v := w.c.hdr["Content-Length"]; len(v) > 0 {
			n, ok := parseContentLength(v[:1])
			if ok {
				w.declared = n
			} else {
				w.c.srv.logf("http1: handler set invalid Content-Length %q for %s; ignored", v[0], w.req.RequestURI)
			}
		}
	}
	return w.declared
}

func (w *response) Write(p []byte) (int, error) {
	if w.finished {
		return 0, errFinished
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if w.noBody {
		return 0, http.ErrBodyNotAllowed
	}
	if w.head {
		if !w.committed {
			w.headN += int64(len(p))
		}
		return len(p), nil
	}
	if !w.committed {
		// A body of a declared length is held too while the client waits
		// for "100 Continue": the engine may still send it, before the
		// response, and read the body (body.continueUnread).
		// Not past the declared length: the write then fails as it would
		// committed (http.ErrContentLength).
		if cl := w.declaredLength(); (cl < 0 || w.body != nil && w.body.expect100 && int64(w.pendN+len(p)) <= cl) && w.pendN+len(p) <= pendSize {
			if w.c.pend == nil {
				w.c.pend = getPend()
			}
			w.pendN += copy(w.c.pend[w.pendN:pendSize], p)
			return len(p), nil
		}
		if err := w.commit(); err != nil {
			return 0, err
		}
	}
	if w.discard {
		return len(p), nil
	}
	return w.writeBody(p)
}

// WriteString writes s without copying it to a []byte first.
func (w *response) WriteString(s string) (int, error) {
	// Write neither modifies nor retains p, so viewing s's bytes is safe.
	return w.Write(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// writeBody writes body bytes after commit, applying the framing.
func (w *response) writeBody(p []byte) (int, error) {
	bw := w.c.bw
	if w.chunked {
		if len(p) == 0 {
			return 0, nil
		}
		if bw.Available() < 24 {
			if err := w.c.flush(); err != nil {
				return 0, err
			}
		}
		b := strconv.AppendInt(bw.AvailableBuffer(), int64(len(p)), 16)
		bw.Write(append(b, '\r', '\n'))
		n, err := bw.Write(p)
		bw.WriteString("\r\n")
		w.written += int64(n)
		return n, err
	}
	if w.cl >= 0 {
		if rest := w.cl - w.written; int64(len(p)) > rest {
			n, err := bw.Write(p[:rest])
			w.written += int64(n)
			if err == nil {
				err = http.ErrContentLength
			}
			return n, err
		}
	}
	n, err := bw.Write(p)
	w.written += int64(n)
	return n, err
}

// Flush commits the headers if needed and sends everything buffered.
func (w *response) Flush() { w.FlushError() }

// FlushError is Flush returning the write error (used by http.ResponseController).
func (w *response) FlushError() error {
	if w.finished {
		return errFinished
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.committed {
		if err := w.commit(); err != nil {
			return err
		}
	}
	return w.c.flush()
}

// ReadFrom copies src into the body. With a declared Content-Length and a file source
// on a connection that supports it, the body goes out with sendfile(2) once the headers
// are flushed; small bodies are read straight into the write buffer behind the headers
// so that headers and body leave in one write. A file source is an *os.File (read from
// and sent at its offset, which moves) or an *io.SectionReader over one (read and sent
// at explicit offsets, so that goroutines may share the descriptor), either possibly
// inside an *io.LimitedReader.
func (w *response) ReadFrom(src io.Reader) (n int64, err error) {
	if w.finished {
		return 0, errFinished
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.noBody || w.head || (!w.committed && w.declaredLength() < 0) {
		return w.copyBuffered(src)
	}
	if !w.committed {
		if err := w.commit(); err != nil {
			return 0, err
		}
	}
	if w.discard {
		return io.Copy(io.Discard, src)
	}
	if w.chunked || w.cl < 0 {
		return w.copyBuffered(src)
	}
	rest := w.cl - w.written
	inner, outer := src, (*io.LimitedReader)(nil)
	if lr, ok := src.(*io.LimitedReader); ok {
		outer, inner = lr, lr.R
		rest = min(rest, lr.N)
	}
	bw := w.c.bw
	if rest <= int64(bw.Available()) {
		buf := bw.AvailableBuffer()[:rest]
		k, err := readFull(inner, buf)
		bw.Write(buf[:k])
		n = int64(k)
		w.written += n
		if outer != nil {
			outer.N -= n
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return n, nil // short body: finish closes the connection
		}
		if err != nil {
			return n, err
		}
		return n, w.checkExcess(inner, outer)
	}
	sent := func(k int64) {
		w.written += k
		w.c.out += k
		if outer != nil {
			outer.N -= k
		}
	}
	if sr, f, off, left := fileSection(inner); sr != nil {
		// A range of a file that others may read at the same time (a shared
		// descriptor): sent at explicit offsets, never through f's own.
		n := max(min(rest, left), 0)
		var k int64
		var err error
		if w.c.asyncWrites() && rest == w.cl-w.written {
			k, err = w.c.sendFileAsyncAt(f, off, n)
		} else if err = w.c.flushBeforeFile(false); err == nil {
			k, err = w.c.sendFileAt(f, off, n)
		}
		sr.Seek(k, io.SeekCurrent)
		sent(k)
		if err != nil || k < rest {
			return k, err // short: finish closes the connection
		}
		return k, w.checkExcess(inner, outer)
	}
	_, canSend := w.c.rwc.(io.ReaderFrom)
	if _, isFile := inner.(syscall.Conn); !canSend || !isFile {
		return w.copyBuffered(src)
	}
	if f, ok := inner.(*os.File); ok && w.c.asyncWrites() && rest == w.cl-w.written {
		// The file's range ends the body: what the client does not take at once is
		// left to the MPM (write completion).
		k, handled, err := w.c.sendFileAsync(f, rest)
		if handled {
			sent(k)
			if err != nil || k < rest {
				return k, err // short: finish closes the connection
			}
			return k, w.checkExcess(inner, outer)
		}
	}
	if err := w.c.flushBeforeFile(false); err != nil {
		return 0, err
	}
	n, err = w.c.sendFile(inner, rest)
	sent(n)
	if err != nil || n < rest {
		return n, err // source ended early: finish closes the connection
	}
	return n, w.checkExcess(inner, outer)
}

// fileSection reports whether r is an *io.SectionReader over an *os.File, and then the
// file offset it reads next and how much of the section is left.
func fileSection(r io.Reader) (sr *io.SectionReader, f *os.File, off, left int64) {
	sr, _ = r.(*io.SectionReader)
	if sr == nil {
		return nil, nil, 0, 0
	}
	ra, base, size := sr.Outer()
	if f, _ = ra.(*os.File); f == nil {
		return nil, nil, 0, 0
	}
	pos, _ := sr.Seek(0, io.SeekCurrent)
	return sr, f, base + pos, size - pos
}

// readFull is io.ReadFull; a file section (fileSection) is read with pread(2), a raw
// system call where preadFull is one.
func readFull(r io.Reader, buf []byte) (int, error) {
	sr, f, off, left := fileSection(r)
	if sr == nil {
		return io.ReadFull(r, buf)
	}
	k, err := preadFull(f, buf[:min(int64(len(buf)), max(left, 0))], off)
	sr.Seek(int64(k), io.SeekCurrent)
	switch {
	case err != nil:
	case k == 0 && len(buf) > 0:
		err = io.EOF
	case k < len(buf):
		err = io.ErrUnexpectedEOF
	}
	return k, err
}

// checkExcess reports http.ErrContentLength when src still has data after the declared
// length was sent. A LimitedReader that is exhausted needs no probe.
func (w *response) checkExcess(inner io.Reader, outer *io.LimitedReader) error {
	if outer != nil && outer.N <= 0 {
		return nil
	}
	if w.written < w.cl {
		return nil
	}
	probe := w.c.bw.AvailableBuffer()
	if cap(probe) == 0 {
		return nil
	}
	if k, _ := inner.Read(probe[:1]); k > 0 {
		return http.ErrContentLength
	}
	return nil
}

// copyBuffered is the generic ReadFrom: read into a pooled buffer, Write each piece.
func (w *response) copyBuffered(src io.Reader) (n int64, err error) {
	bp := copyPool.Get().(*[]byte)
	defer copyPool.Put(bp)
	buf := *bp
	for {
		k, rerr := src.Read(buf)
		if k > 0 {
			m, werr := w.Write(buf[:k])
			n += int64(m)
			if werr != nil {
				return n, werr
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}

// commit decides the framing and keep-alive and writes the status line and headers into
// the Conn's write buffer, followed by any buffered body.
func (w *response) commit() error {
	w.committed = true
	w.filterHeader()
	fixupVary(w.c.hdr)
	var page []byte
	keys, k, v, bad := w.c.checkedKeys(w.c.hdr)
	if bad {
		page = w.replaceBadHeader(k, v)
		keys = w.c.sortedKeys(w.c.hdr)
	}
	c := w.c
	cfg := &c.srv.cfg
	bw := c.bw
	h := c.hdr
	http10, line10 := w.envProtocol()
	if line10 {
		w.closeAfter = true
	}

	cl := int64(-1)
	if c.errorPage && w.body != nil && w.body.bailedOut() {
		w.unframed = true
	}
	switch {
	case w.noBody:
	case w.unframed && c.errorPage:
		w.closeAfter = true
	case w.declaredLength() >= 0:
		cl = w.declared
	case w.handlerDone && w.head:
		if w.headN <= pendSize {
			cl = w.headN
		}
	case w.handlerDone:
		cl = int64(w.pendN)
	case w.head:
	case !http10:
		w.chunked = true
	default:
		w.closeAfter = true // HTTP/1.0 without a length: the close delimits the body
	}
	if w.head && cl == 0 {
		// apache2's header filter drops "Content-Length: 0" from a HEAD answer: a
		// handler that skipped the body for HEAD (an error page, which apache2 never
		// renders for HEAD) would otherwise claim an empty one.
		cl = -1
	}
	w.cl = cl
	w.keep = w.keepAlive(http10)
	if w.keep {
		c.keepalives++
	}

	switch {
	case w.reason != "" && atoiStatus(w.reason) == w.status:
		if line10 {
			bw.WriteString("HTTP/1.0 ")
		} else {
			bw.WriteString("HTTP/1.1 ")
		}
		bw.WriteString(w.reason)
		bw.WriteString("\r\n")
	case line10:
		bw.WriteString("HTTP/1.0")
		bw.WriteString(statusLine(w.status)[len("HTTP/1.1"):])
	default:
		bw.WriteString(statusLine(w.status))
	}
	if v := h["Date"]; len(v) > 0 {
		writeField(bw, "Date", v[0])
	} else {
		bw.Write(dateLine(c.reqTime))
	}
	if v := h["Server"]; len(v) > 0 {
		writeField(bw, "Server", v[0])
	} else if cfg.software != nil {
		bw.Write(cfg.software)
	}
	c.typeLines = w.noBody || c.order != nil && c.order.NoType
	typeDone := c.typeLines
	sent := c.writeFirst(bw, h, &typeDone)
	// A handler's "Connection: Upgrade" with its Upgrade field (mod_proxy_http
	// relaying a backend's offer to upgrade) goes with the engine's own token,
	// the Upgrade lines after it, as apache2's tables put them: where the
	// engine's Connection goes, or first for a FieldOrder.First "Connection"
	// (err_headers_out: mod_proxy_wstunnel's 426).
	var upgrade []string
	conn := ""
	if up := h["Upgrade"]; len(up) > 0 {
		if conn = connectionTokens(h["Connection"]); conn != "" {
			upgrade = up
			if sent == nil {
				sent = make(map[string]int, 1)
			}
			sent["Upgrade"] = len(up)
			if o := c.order; o != nil && slices.Contains(o.First, "Connection") {
				w.writeConnection(bw, conn, upgrade)
				upgrade = nil
			}
		}
	}
	clDone, lastDone := cl < 0, false
	if o := c.order; o != nil && len(o.Handler) > 0 {
		sent, typeDone, clDone = c.writeHandler(bw, h, sent, typeDone, cl)
	}
	for _, k := range keys {
		if !clDone && headerRank(k) > rankContentLength {
			if c.errorPage && !lastDone {
				// apache2's content-length filter sets an error page's
				// length after mod_expires and the Header echo lines.
				c.writeLast(bw, h, sent, &typeDone)
				lastDone = true
			}
			writeContentLength(bw, cl)
			clDone = true
		}
		if !lastDone && headerRank(k) >= rankContentRange {
			c.writeLast(bw, h, sent, &typeDone)
			lastDone = true
		}
		switch k {
		case "Date", "Server", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Content-Type":
			continue
		}
		end := len(h[k]) - c.lastLines(k)
		for _, v := range h[k][min(sent[k], max(end, 0)):max(end, 0)] {
			writeField(bw, k, v)
		}
	}
	if !lastDone && c.errorPage {
		c.writeLast(bw, h, sent, &typeDone)
		lastDone = true
	}
	if !clDone {
		writeContentLength(bw, cl)
	}
	if !lastDone {
		c.writeLast(bw, h, sent, &typeDone)
	}
	if upgrade != nil {
		w.writeConnection(bw, conn, upgrade)
	}
	if w.keep {
		if w.info.kaToken {
			bw.WriteString("Keep-Alive: ")
			h := c.host()
			bw.Write(h.kaTimeout)
			if m := h.maxKA; m > 0 {
				bw.WriteString(", max=")
				writeInt(bw, int64(m-c.keepalives+1))
			}
			if conn == "" {
				bw.WriteString("\r\nConnection: Keep-Alive")
			}
			bw.WriteString("\r\n")
		}
	} else if conn == "" {
		bw.WriteString("Connection: close\r\n")
	}
	if w.chunked {
		bw.WriteString("Transfer-Encoding: chunked\r\n")
	}
	if v := h["Content-Type"]; len(v) > 0 && !typeDone {
		writeField(bw, "Content-Type", v[0])
	}
	_, err := bw.WriteString("\r\n")
	if page != nil && !w.head {
		bw.Write(page)
		w.written = int64(len(page))
	}
	if w.pendN > 0 {
		p := c.pend[:w.pendN]
		w.pendN = 0
		_, err = w.writeBody(p)
	}
	return err
}

// keepAlive is apache2's ap_set_keepalive decision; http10 says the
// response is framed as to HTTP/1.0 (downgrade-1.0 too).
func (w *response) keepAlive(http10 bool) bool {
	c := w.c
	h := c.host()
	if w.closeAfter || w.info.closeAfter || !h.keepAlive || w.req.Close || c.srv.Draining() {
		return false
	}
	if c.env.Len() > 0 {
		if http10 && !w.info.kaToken || c.env.Has("nokeepalive") && len(w.req.Header["Via"]) == 0 {
			return false
		}
	}
	if m := h.maxKA; m > 0 && m-c.keepalives <= 0 {
		return false
	}
	if dropsConnection(w.status) || w.status < 200 {
		return false // 101: the connection would change protocols, which is not offered
	}
	if dropsConnection(int(c.logStatus)) {
		return false // a failed ErrorDocument's: ap_die's r->status is the failure's
	}
	if w.info.expectContinue && !w.continued {
		return false
	}
	for _, v := range c.hdr["Connection"] {
		if hasToken(v, "close") {
			return false
		}
	}
	if b := w.body; b != nil && !b.eof {
		if b.expect100 || b.err != nil || b.gaveUp || !b.chunked && b.left > maxDrain {
			return false
		}
	}
	return true
}

// finish completes the response after the handler returned and flushes it.
func (w *response) finish() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	w.handlerDone = true
	if !w.committed {
		w.commit()
	}
	if w.chunked {
		w.c.bw.WriteString("0\r\n\r\n")
	} else if w.cl >= 0 && !w.head && !w.noBody && w.written < w.cl {
		w.closeAfter = true // the client waits for bytes that will never come
	}
	w.finished = true
	if !w.keep || w.closeAfter {
		// The connection ends after this response, and nothing is written on it
		// before the MPM closes it or shuts its sending side down: held for more
		// (moreHolder), the response's last segment leaves with that FIN instead of
		// before a bare FIN of its own (a packet less on both sides, as nginx's
		// tcp_nopush cork does).
		if h, ok := w.c.rwc.(moreHolder); ok {
			h.HoldForMore(true)
			defer h.HoldForMore(false)
		}
	}
	if w.c.asyncWrites() {
		return w.c.flushTry()
	}
	return w.c.flush()
}

// dropsConnection is apache2's ap_status_drops_connection.
func dropsConnection(code int) bool {
	switch code {
	case http.StatusBadRequest, http.StatusRequestTimeout, http.StatusLengthRequired,
		http.StatusRequestEntityTooLarge, http.StatusRequestURITooLong,
		http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusNotImplemented:
		return true
	}
	return false
}

// Header order: apache2 emits headers in the order modules add them; for the engine's
// handlers that is Last-Modified, ETag, Accept-Ranges, others, Content-Length,
// Content-Range, then Keep-Alive, Connection, Transfer-Encoding, Content-Type.
// SetFieldOrder puts fields before all these (apache2's err_headers_out) and
// between Content-Length and Content-Range (added by output filters).
const (
	rankContentLength = 4
	rankContentRange  = 5 // after every FieldOrder.Last line
)

func headerRank(k string) int {
	switch k {
	case "Last-Modified":
		return 0
	case "ETag":
		return 1
	case "Accept-Ranges":
		return 2
	case "Content-Length":
		return rankContentLength
	case "Content-Range":
		return rankContentRange
	}
	return 3
}

// lastLines is how many of k's values, its last ones, are FieldOrder.Last
// lines of the current response.
func (c *Conn) lastLines(k string) int {
	n := 0
	if o := c.order; o != nil {
		for _, f := range o.Last {
			if strings.EqualFold(f, k) {
				n++
			}
		}
	}
	return n
}

// FieldKey is h's spelling of the field name: name itself when h has it,
// else the first key found that equals it but for case, else name. apache2's
// tables compare names without regard to case, and a response's map may hold
// a name spelled as the Header line that set it wrote it ("x-foo").
func FieldKey(h http.Header, name string) string {
	if _, ok := h[name]; !ok {
		for hk := range h {
			if strings.EqualFold(hk, name) {
				return hk
			}
		}
	}
	return name
}

// writeLast writes the FieldOrder.Last lines of h, each the next of its
// name's last values (lastLines), but those the engine writes itself and
// those sent already; a Content-Type line is the place of the type unless
// typeDone (writeType), or one of the lines when the response has no type
// (typeLines).
func (c *Conn) writeLast(bw *bufio.Writer, h http.Header, sent map[string]int, typeDone *bool) {
	o := c.order
	if o == nil {
		return
	}
	for i, name := range o.Last {
		if !c.typeLines && writeType(bw, h, name, typeDone) {
			continue
		}
		k := FieldKey(h, name)
		if c.enginesField(k) {
			continue
		}
		before := 0
		for _, f := range o.Last[:i] {
			if strings.EqualFold(f, name) {
				before++
			}
		}
		vs := h[k]
		if j := len(vs) - c.lastLines(name) + before; j >= 0 && j >= sent[k] && j < len(vs) && validFieldName(name) {
			writeField(bw, name, vs[j]) // spelled as its Header line
		}
	}
}

// FieldOrder places fields in the header of a response as apache2's tables
// order them (SetFieldOrder). Names match in any spelling.
type FieldOrder struct {
	// First are sent before every other field but Date and Server, in
	// this order, each with the first Counts[i] of its values (apache2's
	// err_headers_out, sent ahead of headers_out); the rest of its values
	// keep the field's place otherwise.
	First  []string
	Counts []int
	// Last are field lines that go after the handler's fields and
	// Content-Length, in this order (what output filters add to
	// headers_out): each the next of the last values of its name, as many
	// as it has lines here; the name's values before them keep its place.
	Last []string
	// Handler, if set, are the handler's field lines in the order and
	// spelling of its table (a backend's answer), a name once per line:
	// sent after the First ones in this order, each the next of its name's
	// values, Content-Type in its place; the handler's other fields, and
	// the values of a name beyond its lines here, keep the engine's order,
	// after them.
	Handler []string
	// NoType says the response has no type (apache2's r->content_type
	// NULL, as after Header unset Content-Type): the values of its
	// Content-Type field are lines of the tables, each sent at a place of
	// that name in First, Handler or Last as another field's values are,
	// none elsewhere. A response without a body (204, 304) is always so:
	// apache2 drops the type there, not the lines.
	NoType bool
}

// SetFieldOrder gives the fields of the response to r the order o; the
// others keep the engine's. A HeaderFilter calls it; o is used until the
// header is written. It does nothing for a request that did not come from
// this engine.
func SetFieldOrder(r *http.Request, o *FieldOrder) {
	if c := ConnFromRequest(r); c != nil {
		c.order = o
	}
}

// FieldOrderOf is the FieldOrder the response to r has so far (nil: none),
// such as a script's err_headers_out that a HeaderFilter goes on from.
func FieldOrderOf(r *http.Request) *FieldOrder {
	if c := ConnFromRequest(r); c != nil {
		return c.order
	}
	return nil
}

// writeType writes, when name is Content-Type, the response's type at
// this place, spelled so, unless *typeDone (then nothing), and reports
// whether name is Content-Type: as apache2 sets the type on the first
// Content-Type line of its table (apr_table_setn), dropping the others.
func writeType(bw *bufio.Writer, h http.Header, name string, typeDone *bool) bool {
	if !strings.EqualFold(name, "Content-Type") {
		return false
	}
	if v := h["Content-Type"]; len(v) > 0 && !*typeDone && validFieldName(name) {
		writeField(bw, name, v[0])
		*typeDone = true
	}
	return true
}

// enginesField reports whether the engine writes the field k itself, not
// at the places FieldOrder gives: Content-Type is one unless the response
// has no type (typeLines).
func (c *Conn) enginesField(k string) bool {
	ck := http.CanonicalHeaderKey(k)
	return slices.Contains(engineFields, ck) && !(c.typeLines && ck == "Content-Type")
}

// writeFirst writes the FieldOrder.First fields of h (Content-Type at its
// place, writeType, unless typeLines) and returns, for the fields written
// after them, how many of each one's values were sent (nil: none).
func (c *Conn) writeFirst(bw *bufio.Writer, h http.Header, typeDone *bool) map[string]int {
	o := c.order
	if o == nil || len(o.First) == 0 {
		return nil
	}
	sent := make(map[string]int, len(o.First))
	for i, name := range o.First {
		if !c.typeLines && writeType(bw, h, name, typeDone) {
			continue
		}
		k := FieldKey(h, name)
		if c.enginesField(k) || !validFieldName(name) {
			continue
		}
		vs := h[k][sent[k]:]
		if i < len(o.Counts) {
			vs = vs[:min(o.Counts[i], len(vs))]
		}
		for _, v := range vs {
			writeField(bw, name, v) // spelled as its line (a script's, a Header line's)
		}
		sent[k] += len(vs)
	}
	return sent
}

// writeHandler writes the FieldOrder.Handler lines of h, each the next
// value of its name, spelled as named there, but those the engine writes
// itself (Content-Type, unless typeDone or typeLines, is one of them here), after the
// sent values of the First ones and without the FieldOrder.Last lines, the
// length cl (if not -1) at its line's place, as apache2 keeps a backend's
// Content-Length line in its table; it returns sent with those values and
// whether Content-Type and Content-Length were written.
func (c *Conn) writeHandler(bw *bufio.Writer, h http.Header, sent map[string]int, typeDone bool, cl int64) (map[string]int, bool, bool) {
	clDone := cl < 0
	if sent == nil {
		sent = make(map[string]int, len(c.order.Handler))
	}
	for _, name := range c.order.Handler {
		k := http.CanonicalHeaderKey(name)
		if _, ok := h[k]; !ok {
			k = name
			for hk := range h {
				if strings.EqualFold(hk, name) {
					k = hk
					break
				}
			}
		}
		vs := h[k]
		switch {
		case len(vs) == 0 || !validFieldName(name):
			continue
		case k == "Content-Type" && !c.typeLines:
			if !typeDone {
				writeField(bw, name, vs[0])
				typeDone = true
			}
			continue
		case k == "Content-Length":
			if !clDone {
				bw.WriteString(name) // spelled as the backend's line
				bw.WriteString(": ")
				writeInt(bw, cl)
				bw.WriteString("\r\n")
				clDone = true
			}
			continue
		case c.enginesField(k):
			continue
		}
		end := max(len(vs)-c.lastLines(k), 0) // the FieldOrder.Last lines go later
		if i := sent[k]; i < end {
			writeField(bw, name, vs[i]) // the name's next line
			sent[k] = i + 1
		}
	}
	return sent, typeDone, clDone
}

// sortedKeys returns h's valid field names in header order, in a slice reused per Conn.
func (c *Conn) sortedKeys(h http.Header) []string {
	keys := c.keys[:0]
	for k := range h {
		if validFieldName(k) {
			keys = insertKey(keys, k)
		}
	}
	c.keys = keys
	return keys
}

// checkedKeys is sortedKeys and apache2's header filter check in one pass
// over h: h's field names in header order, or the first field it refuses
// (bad: a name that is not a token, v empty, or a value badValue refuses).
func (c *Conn) checkedKeys(h http.Header) (keys []string, k, v string, bad bool) {
	keys = c.keys[:0]
	for k, vs := range h {
		if !validFieldName(k) {
			return nil, k, "", true
		}
		if v, ok := badValue(vs); ok {
			return nil, k, v, true
		}
		keys = insertKey(keys, k)
	}
	c.keys = keys
	return keys, "", "", false
}

// insertKey appends k to keys, sorted by (rank, name): an insertion sort,
// headers are few.
func insertKey(keys []string, k string) []string {
	keys = append(keys, k)
	rk := headerRank(k)
	i := len(keys) - 1
	for ; i > 0; i-- {
		a := keys[i-1]
		if ra := headerRank(a); ra < rk || ra == rk && a <= k {
			break
		}
		keys[i] = a
	}
	keys[i] = k
	return keys
}

func validFieldName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !isTokenByte(k[i]) {
			return false
		}
	}
	return true
}

// writeField writes "k: v\r\n" with v unfolded: a CR LF and the blanks after it are
// one space, as apache2 writes them (badHeader lets nothing else with a CR or LF
// through; any such is a space, so that no field is ever injected).
func writeField(bw *bufio.Writer, k, v string) {
	bw.WriteString(k)
	bw.WriteString(": ")
	if needsSanitize(v) {
		bw.Write(sanitizeValue(v))
	} else {
		bw.WriteString(v)
	}
	bw.WriteString("\r\n")
}

func needsSanitize(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] == '\r' || v[i] == '\n' {
			return true
		}
	}
	return false
}

func sanitizeValue(v string) []byte {
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\r' && i+1 < len(v) && v[i+1] == '\n':
			b = append(b, ' ')
			for i += 2; i < len(v) && (v[i] == ' ' || v[i] == '\t'); i++ {
			}
			i--
		case c == '\r' || c == '\n':
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return b
}

func writeContentLength(bw *bufio.Writer, n int64) {
	bw.WriteString("Content-Length: ")
	writeInt(bw, n)
	bw.WriteString("\r\n")
}

func writeInt(bw *bufio.Writer, n int64) {
	if bw.Available() < 20 {
		bw.Flush()
	}
	bw.Write(strconv.AppendInt(bw.AvailableBuffer(), n, 10))
}

// Status lines, apache2's reason phrases (Go's differ only for 414),
// built at the first response: not in a host or plugin process, which
// link this package and never answer.
var statusLines = sync.OnceValue(func() *[600]string {
	var t [600]string
	for code := 100; code < 600; code++ {
		if txt := statusText(code); txt != "" {
			t[code] = "HTTP/1.1 " + strconv.Itoa(code) + " " + txt + "\r\n"
		}
	}
	return &t
})

func statusText(code int) string {
	if code == http.StatusRequestURITooLong {
		return "Request-URI Too Long"
	}
	return http.StatusText(code)
}

func statusCode(code int) string { return strconv.Itoa(code) }

func statusLine(code int) string {
	if code >= 100 && code < 600 {
		if l := statusLines()[code]; l != "" {
			return l
		}
	}
	return "HTTP/1.1 " + strconv.Itoa(code) + " \r\n"
}

// dateLine returns "Date: <IMF-fixdate>\r\n" for the request that started at now
// (apache2 dates a response with its r->request_time, not with when it is
// sent: no clock read here), formatted at most once per second; the zero now
// reads the clock.
func dateLine(now time.Time) []byte {
	if now.IsZero() {
		now = time.Now()
	}
	sec := now.Unix()
	cached := dateCache.Load()
	if cached != nil && cached.sec == sec {
		return cached.line
	}
	d := &cachedDate{sec: sec, line: now.UTC().AppendFormat([]byte("Date: "), http.TimeFormat)}
	d.line = append(d.line, '\r', '\n')
	if cached == nil || cached.sec < sec { // a request older than the cache's second does not replace it
		dateCache.Store(d)
	}
	return d.line
}

type cachedDate struct {
	sec  int64
	line []byte
}

var dateCache atomic.Pointer[cachedDate]

// badValue is the first of vs that apache2's header filter refuses (its
// check_headers, AH02430): one with a control character other than HT (a CR
// LF followed by SP or HT, a fold, passes there and is written here as
// spaces). A name that is not a token (AH02429) is validFieldName's.
func badValue(vs []string) (string, bool) {
	for _, v := range vs {
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c >= ' ' && c != 0x7f || c == '\t' {
				continue
			}
			if c == '\r' && i+2 < len(v) && v[i+1] == '\n' && (v[i+2] == ' ' || v[i+2] == '\t') {
				i += 2
				continue
			}
			return v, true
		}
	}
	return "", false
}

// replaceBadHeader answers 500 in place of a response whose field k is
// refused, as apache2 does (ap_die from its header filter): the fields the
// handler set are dropped and so is what it writes, the page says which
// status was being answered, and the connection closes. It returns the page.
func (w *response) replaceBadHeader(k, v string) []byte {
	c := w.c
	if v != "" {
		c.srv.logf("http1: AH02430: Response header '%s' value of '%s' contains invalid characters, aborting request", k, v)
	} else {
		c.srv.logf("http1: AH02429: Response header name '%s' contains invalid characters, aborting request", k)
	}
	page := appendErrorPageAfter(make([]byte, 0, 1024), c.srv, w.req, http.StatusInternalServerError, w.status, ' ', "", "", false)
	clear(c.hdr)
	w.status = http.StatusInternalServerError
	w.pendN, w.headN = 0, 0
	w.discard, w.closeAfter = true, true
	c.hdr["Content-Type"] = []string{"text/html; charset=iso-8859-1"}
	w.declared = int64(len(page))
	if w.head {
		w.declared = -1
	}
	return page
}

// writeConnection writes the Connection field of a handler that set one
// with the tokens conn (see connectionTokens), the engine's close or
// Keep-Alive after them, then the Upgrade lines.
func (w *response) writeConnection(bw *bufio.Writer, conn string, upgrade []string) {
	bw.WriteString("Connection: ")
	bw.WriteString(conn)
	switch {
	case !w.keep:
		bw.WriteString(", close")
	case w.info.kaToken:
		bw.WriteString(", Keep-Alive")
	}
	bw.WriteString("\r\n")
	for _, v := range upgrade {
		writeField(bw, "Upgrade", v)
	}
}

// connectionTokens are the tokens of a handler's Connection field lines but
// close and keep-alive (the engine's own), joined with ", "; "" for none.
func connectionTokens(lines []string) string {
	var out []string
	for _, v := range lines {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if t != "" && !strings.EqualFold(t, "close") && !strings.EqualFold(t, "keep-alive") && validFieldName(t) {
				out = append(out, t)
			}
		}
	}
	return strings.Join(out, ", ")
}
