package http1

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
)

// traceBodyMax is how much body TraceEnable Extended echoes when the
// request declares its length (apache2's 64 KiB); traceChunkedMax when it is
// chunked: ap_send_http_trace reads that into 73730 bytes and refuses the
// body once fewer than 32 of them are left.
const (
	traceBodyMax    = 64 << 10
	traceChunkedMax = 73730 - 32
)

// ServeTrace answers r, a TRACE its Handler got (Server.TranslatesTrace),
// as the engine answers the others: echoed or refused under TraceEnable,
// as apache2's ap_send_http_trace. It reports false, and does nothing,
// when w is not the engine's.
// Like apache2's, it echoes the request as received, whatever r the Handler
// derived from it.
func ServeTrace(w http.ResponseWriter, r *http.Request) bool {
	rw, ok := w.(*response)
	if !ok || r.Method != http.MethodTrace || rw.committed || rw.wroteHeader {
		return false
	}
	rw.c.serveTrace(rw, rw.req)
	return true
}

// serveTrace answers a TRACE request as apache2's ap_send_http_trace does.
func (c *Conn) serveTrace(w *response, req *http.Request) {
	hasBody := req.ContentLength != 0
	trace := c.host().trace
	switch {
	case trace == TraceOff:
		c.refuseTrace(w, req, http.StatusMethodNotAllowed, "TRACE denied by server configuration")
		return
	case hasBody && trace != TraceExtended:
		c.refuseTrace(w, req, http.StatusRequestEntityTooLarge, "TRACE with a request body is not allowed")
		return
	}
	var body []byte
	if hasBody {
		limit := traceBodyMax
		if req.ContentLength < 0 {
			limit = traceChunkedMax
		}
		var err error
		body, err = io.ReadAll(io.LimitReader(req.Body, int64(limit)+1))
		var mbe *http.MaxBytesError
		switch {
		case len(body) > limit || errors.As(err, &mbe):
			c.refuseTrace(w, req, http.StatusRequestEntityTooLarge, "Extended TRACE request bodies cannot exceed 64k\n")
			return
		case err != nil:
			w.closeAfter = true
			writeErrorPage(w, req, http.StatusBadRequest, "")
			return
		}
	}
	c.hdr["Content-Type"] = []string{"message/http"}
	msg := append(c.parser.trace, "\r\n\r\n"...)
	c.parser.trace = msg
	w.Write(msg)
	w.Write(body)
}

// refuseTrace answers req with status and notes as its error notes, as
// ap_send_http_trace's refusals go to ap_die: with the server's
// ErrorDocument (Server.ErrorPage), else the engine's page (a 405's with
// the empty Allow apache2 sends with a page it makes, a text
// ErrorDocument's too).
func (c *Conn) refuseTrace(w *response, req *http.Request, status int, notes string) {
	SetErrorNotes(req, notes)
	if status == http.StatusMethodNotAllowed {
		c.hdr["Allow"] = []string{""}
	}
	if page := c.srv.ErrorPage; page != nil && page(c, w, req, status) {
		return
	}
	writeErrorPage(w, req, status, "")
}

// SetTraceField changes field name (any case) in what a TRACE request read
// on c echoes, as apache2's apr_table_setn and apr_table_unset change
// headers_in before ap_send_http_trace reads it: its first line takes
// values joined by ", " (keeping the name as received) and the others go;
// with no values every line goes; a field not received is added at the end.
// It does nothing for another method.
func (c *Conn) SetTraceField(name string, values []string) { c.parser.setTraceField(name, values) }

func (p *parser) setTraceField(name string, values []string) {
	if len(p.trace) == 0 {
		return
	}
	lines := bytes.Split(p.trace, []byte("\r\n"))
	out := append([]byte(nil), lines[0]...)
	done := len(values) == 0
	for _, l := range lines[1:] {
		n, _, _ := bytes.Cut(l, []byte(":"))
		switch {
		case !bytes.EqualFold(n, []byte(name)):
			out = append(append(out, "\r\n"...), l...)
		case !done:
			out = append(append(append(append(out, "\r\n"...), n...), ": "...), strings.Join(values, ", ")...)
			done = true
		}
	}
	if !done {
		out = append(append(append(append(out, "\r\n"...), name...), ": "...), strings.Join(values, ", ")...)
	}
	p.trace = out
}
