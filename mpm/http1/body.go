package http1

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"time"
)

// maxDrain bounds how much unread request body the engine discards after the handler
// returns to keep the connection alive; a larger rest closes the connection instead.
const maxDrain = 256 << 10

// Limits of the chunked framing lines, which apache2 also bounds.
const (
	maxChunkLine    = 4096 // a chunk-size line with extensions
	maxTrailerBytes = 8192 // all trailer lines together
)

var (
	errBodyAfterClose = http.ErrBodyReadAfterClose
	errBadChunk       = errors.New("http1: malformed chunked encoding")
)

// body is the Request.Body of a request with a Content-Length or chunked body. It reads
// through the Conn's bufio.Reader; it is never reused across requests.
type body struct {
	c       *Conn
	resp    *response
	chunked bool
	left    int64 // Content-Length: bytes left; chunked: bytes left in the current chunk
	read    int64 // bytes delivered so far (LimitRequestBody)
	limit   int64 // -1 = unlimited

	expect100 bool // "100-continue" not yet answered
	leave     bool // the connection closes unread: discards neither read it nor send 100
	chunkHdr  bool // chunked: the next chunk-size line is due
	eof       bool // all of the body was read
	closed    bool // handler closed it or the handler returned
	err       error

	tooLarge bool // the body grew past limit
	timedOut bool // a read timed out
	gaveUp   bool // drain met more than maxDrain bytes: the connection closes
}

func (b *body) Read(p []byte) (int, error) {
	if b.closed {
		return 0, errBodyAfterClose
	}
	return b.read1(p)
}

// Close marks the body closed for the handler; the engine drains what is left.
func (b *body) Close() error {
	b.closed = true
	return nil
}

func (b *body) read1(p []byte) (n int, err error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.eof {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if b.overLimit() {
		return 0, b.err
	}
	if b.expect100 {
		b.expect100 = false
		if b.resp != nil && !b.resp.committed {
			if err := b.c.writeContinue(); err != nil {
				b.err = err
				return 0, err
			}
			b.resp.continued = true
		}
	}
	br := b.c.br
	if b.chunked {
		if b.left == 0 {
			if err := b.nextChunk(br); err != nil {
				return 0, b.fail(err)
			}
			if b.eof {
				return 0, io.EOF
			}
		}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	if br.Buffered() == 0 {
		b.c.refreshReadDeadline()
	}
	n, err = br.Read(p)
	b.left -= int64(n)
	b.read += int64(n)
	b.c.bodyBytes += int64(n)
	if b.limit >= 0 && b.read > b.limit {
		b.tooLarge = true
		return 0, b.fail(&http.MaxBytesError{Limit: b.limit})
	}
	if b.left == 0 {
		if b.chunked {
			if e := b.chunkEnd(br); e != nil {
				return n, b.fail(e)
			}
		} else {
			b.eof = true
		}
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return n, b.fail(err)
	}
	return n, nil
}

// SetBodyLimit sets the LimitRequestBody of r's body (-1: unlimited), over its
// server's: apache2's per-directory one. A Content-Length over the limit in force
// fails the first read, before any byte is read or "100 Continue" sent, as apache2's
// HTTP_IN filter does; a handler that gives up on the body gets the engine's 413. It
// does nothing for a body that did not come from this engine.
func SetBodyLimit(r *http.Request, n int64) {
	if b, ok := r.Body.(*body); ok {
		b.limit = n
	}
}

// overLimit fails a body whose Content-Length is over its limit, before any of
// it is read.
func (b *body) overLimit() bool {
	if b.limit < 0 || b.chunked || b.read+b.left <= b.limit {
		return false
	}
	b.tooLarge = true
	b.err = &http.MaxBytesError{Limit: b.limit}
	return true
}

// DiscardBody reads the rest of r's body as apache2's ap_discard_request_body
// does for a request answered with status, such as the internal redirect to a
// local ErrorDocument, and returns the status that answers a body failing then
// (413 over LimitRequestBody, 408 for a timeout, else 400), or 0: see
// body.discard. It does nothing, and returns 0, for a body that did not come from
// this engine, or one it leaves unread (see DiscardAll).
func DiscardBody(r *http.Request, status int) int {
	if b, ok := r.Body.(*body); ok {
		return b.discard(status)
	}
	return 0
}

// DiscardAll reads and discards all of r's body, as apache2's default handler
// does with ap_discard_request_body before it answers, which sends the "100
// Continue" a client may be waiting for. It reads nothing, and returns nil, for
// a body the connection leaves unread (a chunked request with a Content-Length,
// apache2's AP_CONN_CLOSE).
func DiscardAll(r *http.Request) error {
	if b, ok := r.Body.(*body); ok && b.leave {
		return nil
	}
	_, err := io.Copy(io.Discard, r.Body)
	return err
}

// discard reads the rest of the body, at most maxDrain bytes, and returns the
// status of its failure (413, 408, 400), or 0 when it was read whole, is longer
// than that (the connection closes after the response instead), had failed
// before (a handler saw that), or was not read: status closes the connection
// anyway (apache2's ap_status_drops_connection), or the client still waits for
// "100 Continue" and gets none (see continueUnread; it is closed after the
// response, as apache2 does after a refusal). A Content-Length over the limit
// is a 413 even then: apache2's HTTP_IN filter checks it before it would send
// "100 Continue".
func (b *body) discard(status int) int {
	if b.eof || b.err != nil || b.leave || dropsConnection(status) {
		return 0
	}
	if !b.overLimit() && (b.expect100 && !b.continueUnread(status) || b.drain() || b.err == nil) {
		return 0
	}
	switch {
	case b.tooLarge:
		return http.StatusRequestEntityTooLarge
	case b.timedOut:
		return http.StatusRequestTimeout
	}
	return http.StatusBadRequest
}

// continueUnread sends the "100 Continue" a client still waits for before
// the body a 2xx answer left unread is discarded, as apache2's HTTP_IN filter
// sends it when ap_finalize_request_protocol discards that body: only when
// none of the response went out yet (apache2's r->bytes_sent), so that the
// 100 comes before it, and, unlike apache2, which reads a body of any
// length, only for a chunked body or a Content-Length within maxDrain, which
// drain reads whole (chunks past maxDrain are left: the answer then says
// "Connection: close", and the connection closes). The response must not be
// committed either (its header
// would say "Connection: close"): a response of a declared length waits
// uncommitted while the client waits for a 100, up to pendSize (response.Write;
// apache2 holds 8 KiB of a handler's output before any of it goes out). It
// reports whether the 100 went out; without it the body stays unread and the
// connection closes after the response.
func (b *body) continueUnread(status int) bool {
	w, c := b.resp, b.c
	if status < 200 || status > 299 || w == nil || w.committed || c.out != c.outMark || !b.chunked && b.left > maxDrain {
		return false
	}
	if err := c.writeContinue(); err != nil {
		b.fail(err)
		return false
	}
	b.expect100, w.continued = false, true
	return true
}

// bailedOut reports whether reading the body failed as apache2's HTTP_IN
// filter answers itself (bail_out_on_error): past LimitRequestBody or on
// malformed chunks.
func (b *body) bailedOut() bool {
	return b.tooLarge || b.err == errBadChunk
}

func (b *body) fail(err error) error {
	if isTimeout(err) {
		b.timedOut = true
	}
	b.err = err
	return err
}

// nextChunk reads a chunk-size line; on the last chunk it also reads the trailer section
// (discarded) and sets eof.
func (b *body) nextChunk(br *bufio.Reader) error {
	line, err := readChunkLine(br, b.c)
	if err != nil {
		return err
	}
	n, ok := parseChunkSize(line)
	if !ok {
		return errBadChunk
	}
	if n == 0 {
		total := 0
		for {
			line, err := readChunkLine(br, b.c)
			if err != nil {
				return err
			}
			if len(line) == 0 {
				break
			}
			if total += len(line); total > maxTrailerBytes || !validTrailer(line, total == len(line)) {
				return errBadChunk
			}
		}
		b.eof = true
		return nil
	}
	if b.limit >= 0 && b.read+n > b.limit {
		b.tooLarge = true
		return &http.MaxBytesError{Limit: b.limit}
	}
	b.left = n
	return nil
}

// validTrailer checks a trailer line as a header field line, as apache2
// reads the trailer section (read_chunked_trailers with the request
// headers' parser): a token name, a colon, a value without control
// characters; a fold line (obs-fold) only after a field.
func validTrailer(line []byte, first bool) bool {
	if line[0] == ' ' || line[0] == '\t' {
		return !first && validValue(line)
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return false
	}
	for _, c := range line[:colon] {
		if !isTokenByte(c) {
			return false
		}
	}
	return validValue(line[colon+1:])
}

// chunkEnd consumes the CRLF after a chunk's data.
func (b *body) chunkEnd(br *bufio.Reader) error {
	line, err := readChunkLine(br, b.c)
	if err != nil {
		return err
	}
	if len(line) != 0 {
		return errBadChunk
	}
	return nil
}

// readChunkLine returns a line without its CRLF; the slice is valid until the
// next read. A bare LF is refused, as apache2's parse_chunk_size refuses it (a
// request smuggling vector when a front end reads the framing differently).
func readChunkLine(br *bufio.Reader, c *Conn) ([]byte, error) {
	if br.Buffered() == 0 {
		c.refreshReadDeadline()
	}
	line, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull || len(line) > maxChunkLine {
		return nil, errBadChunk
	}
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if n := len(line); n < 2 || line[n-2] != '\r' {
		return nil, errBadChunk
	}
	return line[:len(line)-2], nil
}

// parseChunkSize parses "1*HEXDIG [BWS ; extensions]".
func parseChunkSize(line []byte) (int64, bool) {
	var n int64
	i := 0
	for ; i < len(line) && isHex(line[i]); i++ {
		if i >= 15 {
			return 0, false
		}
		c := line[i]
		switch {
		case c >= 'a':
			c -= 'a' - 10
		case c >= 'A':
			c -= 'A' - 10
		default:
			c -= '0'
		}
		n = n<<4 | int64(c)
	}
	if i == 0 {
		return 0, false
	}
	for ; i < len(line) && (line[i] == ' ' || line[i] == '\t'); i++ {
	}
	if i < len(line) && line[i] != ';' {
		return 0, false
	}
	return n, true
}

// drain discards the rest of the body, at most maxDrain bytes, and reports whether the
// connection is still in sync (the whole body was consumed). Once it gave up over
// maxDrain it does not try again (the engine calls it before the answer and after).
func (b *body) drain() bool {
	if b.eof {
		return true
	}
	if b.err != nil || b.expect100 || b.gaveUp || b.leave || b.overLimit() {
		return false // broken, the client still waits for 100-continue, too long, or left
	}
	br := b.c.br
	budget := int64(maxDrain)
	for {
		if b.chunked && b.left == 0 {
			if err := b.nextChunk(br); err != nil {
				b.fail(err)
				return false
			}
			if b.eof {
				return true
			}
		}
		if b.left > budget {
			b.gaveUp = true
			return false
		}
		b.c.refreshReadDeadline()
		n, err := br.Discard(int(b.left))
		b.left -= int64(n)
		b.read += int64(n)
		b.c.bodyBytes += int64(n)
		budget -= int64(n)
		if err != nil {
			b.fail(err)
			return false
		}
		if !b.chunked {
			b.eof = true
			return true
		}
		if err := b.chunkEnd(br); err != nil {
			b.fail(err)
			return false
		}
	}
}

// refreshReadDeadline restarts the Timeout clock before a body read that must wait for
// the network (Apache's Timeout applies to each read), within the body's
// overall limit (Server.BodyTimeout and BodyMinRate): without it a client
// trickling a few bytes a second would hold a worker forever.
func (c *Conn) refreshReadDeadline() {
	now := c.progress(time.Now())
	if c.bodyStart.IsZero() {
		c.bodyStart = now
	}
	d := now.Add(c.timeout())
	h := c.host()
	if limit := c.bodyStart.Add(h.bodyTimeout + time.Duration(c.bodyBytes/h.bodyMinRate)*time.Second); limit.Before(d) {
		d = limit
	}
	c.rwc.SetReadDeadline(d)
}
