package deflate

import (
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// tiny is the longest body mod_deflate leaves alone when it sees the whole
// of it at once: the gzip header (10), the trailer (8) and 50 bytes for
// the fields it adds.
const tiny = 10 + 8 + 50

// state of a writer.
const (
	undecided int8 = iota
	pass           // DEFLATE is not on this answer
	compress
)

// apache2 2.4.71 (Debian's, event MPM, measured) sends a static file's
// compressed body with a Content-Length when the file is at most 64 KiB,
// or when the compressed body is at most about 40 KiB; longer ones go out
// as they are made. The writer keeps the compressed bytes while either
// holds.
const (
	heldInput  = 64 << 10
	heldOutput = 40 << 10
)

// errHeadDone stops the body of a HEAD answer once the compressed form is
// known to be longer than the buffer: nothing more changes the header.
var errHeadDone = errors.New("deflate: HEAD answer's length is past the buffer")

// writer is the http.ResponseWriter of one answer under a Filter.
type writer struct {
	w    http.ResponseWriter
	r    *http.Request
	f    *Filter
	name string

	state   int8
	status  int        // the final status the handler set, 0 for none yet
	sent    bool       // status passed on to w
	small   [tiny]byte // body held while undecided
	smallN  int
	gz      *gzip.Writer
	out     *[]byte // the compressed bytes, while they fit in the buffer
	spilled bool    // the compressed bytes go straight to w
	in      int64   // body bytes compressed so far
	outN    int64   // bytes of the gzip stream so far
	key     fileKey // the file compressed whole, when known
	cached  bool    // out holds the file's compressed bytes from the cache
	err     error
}

// Wrap returns the writer the answer to r about the file name (for
// AddOutputFilter's extensions) is to be written to, and the func that
// ends the answer once the handler is done. It is static.OutputFilter's.
func (f *Filter) Wrap(w http.ResponseWriter, r *http.Request, name string) (http.ResponseWriter, func()) {
	dw := &writer{w: w, r: r, f: f, name: name}
	return dw, dw.finish
}

func (dw *writer) Header() http.Header { return dw.w.Header() }

// WriteHeader passes informational codes on and keeps the final one until
// the answer is decided (a Range of the compressed bytes makes it 206).
func (dw *writer) WriteHeader(code int) {
	if code < 200 {
		dw.w.WriteHeader(code)
		return
	}
	if dw.status == 0 {
		dw.status = code
	}
}

// sendStatus passes the final status on, once.
func (dw *writer) sendStatus() {
	if !dw.sent {
		dw.sent = true
		if dw.status != 0 {
			dw.w.WriteHeader(dw.status)
		}
	}
}

// Transforms reports whether the answer, whose fields the handler set for
// a whole file (Content-Type, Content-Length), will be compressed: the
// handler then sends the whole body, for HEAD too, and leaves Range to the
// writer (apache2 cuts the compressed bytes). It decides.
func (dw *writer) Transforms() bool {
	if dw.state == undecided {
		dw.decide(-1)
	}
	return dw.state == compress
}

// decide is mod_deflate's first look at the answer; size is the length
// of the whole body when known (else -1: the declared Content-Length
// counts).
func (dw *writer) decide(size int64) {
	dw.state = pass
	h := dw.w.Header()
	status := dw.status
	if status == 0 {
		status = http.StatusOK
	}
	if m, ok := dw.w.(statusMapper); ok {
		status = m.MapStatus(status)
	}
	// apache2 sends its error pages, 304 included, after taking the
	// content's filters off the request.
	if http1.IsErrorPage(dw.r) || status == http.StatusNotModified {
		return
	}
	// mod_filter's harness (AddOutputFilterByType) lets only a 200 through;
	// SetOutputFilter and AddOutputFilter put DEFLATE on any status.
	if !dw.f.all && !dw.f.byName(dw.name) && (status != http.StatusOK || !dw.f.byType(first(h["Content-Type"]))) {
		return
	}
	if size < 0 {
		if v := h["Content-Length"]; len(v) > 0 {
			if n, err := strconv.ParseInt(v[0], 10, 64); err == nil {
				size = n
			}
		}
	}
	if size >= 0 && size <= tiny {
		return
	}
	if status == http.StatusNoContent || h["Content-Range"] != nil {
		return
	}
	if _, ok := dw.f.env(dw.r, "no-gzip"); ok {
		return
	}
	if v, ok := dw.f.env(dw.r, "gzip-only-text/html"); ok && v == "1" {
		if ct := first(h["Content-Type"]); len(ct) < 9 || ct[:9] != "text/html" {
			return
		}
	}
	if encoded(h) {
		return
	}
	addVary(h)
	if _, force := dw.f.env(dw.r, "force-gzip"); !force && !acceptsGzip(dw.r.Header) {
		return
	}
	setEncoding(h)
	delete(h, "Content-Length")
	delete(h, "Content-Md5")
	alterETag(h, dw.f.etag())
	dw.state = compress
	dw.out = getOut()
}

// statusMapper is a writer that changes the status it is given (the
// ErrorDocument served from a local URL keeps the error's).
type statusMapper interface {
	MapStatus(code int) int
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func (dw *writer) Write(p []byte) (int, error) {
	if dw.state == undecided {
		if dw.smallN+len(p) <= tiny && dw.w.Header()["Content-Length"] == nil {
			dw.smallN += copy(dw.small[dw.smallN:], p)
			return len(p), nil
		}
		dw.decide(-1)
		if err := dw.release(); err != nil {
			return 0, err
		}
	}
	if dw.state == pass {
		dw.sendStatus()
		return dw.w.Write(p)
	}
	if dw.err != nil {
		return 0, dw.err
	}
	dw.in += int64(len(p))
	n, err := dw.zw().Write(p)
	if err == nil {
		err = dw.err
	}
	return n, err
}

// release sends the body held while undecided.
func (dw *writer) release() error {
	if dw.smallN == 0 {
		return nil
	}
	p := dw.small[:dw.smallN]
	dw.smallN = 0
	if dw.state == pass {
		dw.sendStatus()
		_, err := dw.w.Write(p)
		return err
	}
	dw.in += int64(len(p))
	_, err := dw.zw().Write(p)
	return err
}

// ReadFrom keeps the engine's sendfile for an answer DEFLATE is not on,
// and serves a whole file's compressed bytes from the cache when it can.
func (dw *writer) ReadFrom(src io.Reader) (int64, error) {
	if dw.state == undecided && dw.w.Header()["Content-Length"] != nil {
		dw.decide(-1)
	}
	switch dw.state {
	case pass:
		if err := dw.release(); err != nil {
			return 0, err
		}
		dw.sendStatus()
		return io.Copy(dw.w, src)
	case compress:
		if dw.in == 0 && dw.gz == nil && dw.smallN == 0 && !dw.spilled {
			if dw.key = wholeFile(src, dw.f.level()); dw.key.ok {
				if b, ok := cache.get(dw.key); ok {
					*dw.out = append(*dw.out, b...)
					dw.cached = true
					dw.in, dw.outN = src.(*io.SectionReader).Size(), int64(len(b))
					return dw.in, nil
				}
			}
		}
	}
	bp := copyPool.Get().(*[]byte)
	defer copyPool.Put(bp)
	return io.CopyBuffer(struct{ io.Writer }{dw}, src, *bp)
}

var copyPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// zw is the answer's gzip writer, taken from the pool when first needed.
func (dw *writer) zw() *gzip.Writer {
	if dw.gz == nil {
		dw.gz = getGzip(dw.f.level(), dw)
	}
	return dw.gz
}

// Flush sends what is compressed so far (zlib's Z_SYNC_FLUSH), which ends
// the chance of a Content-Length.
func (dw *writer) Flush() {
	if dw.state == undecided {
		dw.decide(-1)
		dw.release()
	}
	if dw.state == compress && dw.err == nil {
		dw.zw().Flush()
		dw.spill()
	}
	dw.sendStatus()
	if fl, ok := dw.w.(http.Flusher); ok {
		fl.Flush()
	}
}

// sink is where the gzip stream goes: the buffer while it fits, else w.
type sink writer

func (s *sink) Write(p []byte) (int, error) {
	dw := (*writer)(s)
	dw.outN += int64(len(p))
	if !dw.spilled {
		if dw.in <= heldInput || len(*dw.out)+len(p) <= heldOutput {
			*dw.out = append(*dw.out, p...)
			return len(p), nil
		}
		if err := dw.spill(); err != nil {
			return 0, err
		}
	}
	if dw.r.Method == http.MethodHead {
		dw.err = errHeadDone
		return len(p), nil
	}
	n, err := dw.w.Write(p)
	if err != nil {
		dw.err = err
	}
	return n, err
}

// spill sends the buffered compressed bytes: the answer is streamed.
func (dw *writer) spill() error {
	if dw.spilled {
		return nil
	}
	dw.spilled = true
	dw.sendStatus()
	out := dw.out
	dw.out = nil
	defer putOut(out)
	if len(*out) == 0 || dw.r.Method == http.MethodHead {
		return nil
	}
	_, err := dw.w.Write(*out)
	if err != nil {
		dw.err = err
	}
	return err
}

// finish ends the answer: what was held is sent, the gzip stream closed,
// and a compressed body that fit in the buffer gets its Content-Length
// (and is cut to the request's Range).
func (dw *writer) finish() {
	if dw.state == undecided {
		dw.decide(int64(dw.smallN))
		dw.release()
	}
	if dw.state != compress {
		dw.sendStatus()
		return
	}
	defer func() {
		if dw.gz != nil {
			putGzip(dw.f.level(), dw.gz)
			dw.gz = nil
		}
		if dw.out != nil {
			putOut(dw.out)
			dw.out = nil
		}
	}()
	if dw.err == errHeadDone {
		return
	}
	if !dw.cached {
		dw.zw().Close()
	}
	dw.leaveNotes()
	if dw.spilled || dw.err != nil {
		return
	}
	body := *dw.out
	if dw.key.ok && !dw.cached {
		cache.put(dw.key, body)
	}
	h := dw.w.Header()
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	if status := dw.status; status == 0 || status == http.StatusOK {
		if static.WriteRanges(dw.w, dw.r, body) {
			return
		}
	}
	dw.sendStatus()
	dw.w.Write(body)
}

// gzipFraming is the bytes of the gzip stream around the deflate stream:
// gzHeader's 10 and the 8 of the trailer (CRC and length).
const gzipFraming = 18

// leaveNotes sets DeflateFilterNote's notes once the stream is closed, as
// mod_deflate does at the end of the body: the lengths ("-" for none) and
// the deflate stream's length as a percentage of the body's.
func (dw *writer) leaveNotes() {
	s := dw.f.srv
	if s == nil || s.NoteInput == "" && s.NoteOutput == "" && s.NoteRatio == "" {
		return
	}
	in, out := dw.in, max(dw.outN-gzipFraming, 0)
	count := func(n int64) string {
		if n > 0 {
			return strconv.FormatInt(n, 10)
		}
		return "-"
	}
	if s.NoteInput != "" {
		http1.SetNote(dw.r, s.NoteInput, count(in))
	}
	if s.NoteOutput != "" {
		http1.SetNote(dw.r, s.NoteOutput, count(out))
	}
	if s.NoteRatio != "" {
		ratio := "-"
		if in > 0 {
			ratio = strconv.FormatInt(out*100/in, 10)
		}
		http1.SetNote(dw.r, s.NoteRatio, ratio)
	}
}

// Pools: gzip writers per level (index 1-9) and compressed-output buffers.
var (
	gzPools  [10]sync.Pool
	outPool  = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}
	gzHeader = gzip.Header{OS: 3} // apache2's: no name, no time, Unix
)

func getGzip(level int, dw *writer) *gzip.Writer {
	s := (*sink)(dw)
	if z, ok := gzPools[level].Get().(*gzip.Writer); ok {
		z.Reset(s)
		z.Header = gzHeader
		return z
	}
	z, _ := gzip.NewWriterLevel(s, level)
	z.Header = gzHeader
	return z
}

func putGzip(level int, z *gzip.Writer) {
	z.Reset(nil)
	gzPools[level].Put(z)
}

func getOut() *[]byte {
	b := outPool.Get().(*[]byte)
	*b = (*b)[:0]
	return b
}

func putOut(b *[]byte) {
	if cap(*b) <= 1<<20 {
		outPool.Put(b)
	}
}
