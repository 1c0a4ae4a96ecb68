package http1

import (
	"errors"
	"io"
	"net/http"
)

// traceBodyMax is how much body TraceEnable Extended echoes (apache2's 64 KiB).
const traceBodyMax = 64 << 10

// serveTrace answers a TRACE request as apache2's ap_send_http_trace does.
func (c *Conn) serveTrace(w *response, req *http.Request) {
	hasBody := req.ContentLength != 0
	trace := c.host().trace
	switch {
	case trace == TraceOff:
		// apache2 sends an empty Allow here.
		c.hdr["Allow"] = []string{""}
		writeErrorPage(w, req, http.StatusMethodNotAllowed, "")
		return
	case hasBody && trace != TraceExtended:
		writeErrorPage(w, req, http.StatusRequestEntityTooLarge, "")
		return
	}
	var body []byte
	if hasBody {
		var err error
		body, err = io.ReadAll(io.LimitReader(req.Body, traceBodyMax+1))
		var mbe *http.MaxBytesError
		switch {
		case len(body) > traceBodyMax || errors.As(err, &mbe):
			writeErrorPage(w, req, http.StatusRequestEntityTooLarge, "")
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
