package http1

import (
	"net/http"
	"slices"
)

// A HeaderFilter adjusts the header fields of a response just before the
// engine sends them, as apache2's mod_headers and mod_expires output filters
// do.
type HeaderFilter interface {
	// FilterHeader is called once per response, on the goroutine serving r,
	// when the header is committed, before the engine adds Date, Server and
	// its framing fields: h is the response's header map, which it may change
	// (a change of Content-Length, Date or Server is undone, and the fields
	// the engine writes count in any spelling), status the final status, and
	// errorPage tells an error page the server made (WriteError,
	// WriteErrorDocument: apache2's ap_send_error_response) from the
	// handler's own answer. It must not keep r or h.
	FilterHeader(r *http.Request, status int, h http.Header, errorPage bool)
}

// SetHeaderFilter makes f (nil: none) the HeaderFilter of the response to
// r, replacing the one set before (and, for an error page,
// Server.HeaderFilter's). It does nothing for a request that did not come
// from this engine. Call it from the handler, before the response is
// committed.
func SetHeaderFilter(r *http.Request, f HeaderFilter) {
	if c := ConnFromRequest(r); c != nil {
		c.filter, c.filterSet = f, true
	}
}

// markErrorPage records that the response to r is an error page.
func markErrorPage(r *http.Request) {
	if c := ConnFromRequest(r); c != nil {
		c.errorPage = true
	}
}

// filterHeader runs the response's HeaderFilter, if any.
func (w *response) filterHeader() {
	c := w.c
	f := c.filter
	if !c.filterSet && c.errorPage && c.srv.HeaderFilter != nil {
		f = c.srv.HeaderFilter(c, w.req)
	}
	if f == nil {
		return
	}
	h := c.hdr
	var kept [len(filterKept)]struct {
		v   []string
		had bool
	}
	for i, k := range filterKept {
		kept[i].v, kept[i].had = h[k]
	}
	f.FilterHeader(w.req, w.status, h, c.errorPage)
	// The fields the engine writes itself, in another spelling (a Header
	// line may name them in any case), become the engine's: the framing
	// stays the engine's, and "connection: close" closes the connection.
	for k := range h {
		if ck := http.CanonicalHeaderKey(k); ck != k && slices.Contains(engineFields, ck) {
			h[ck] = append(h[ck], h[k]...)
			delete(h, k)
		}
	}
	for i, k := range filterKept {
		if kept[i].had {
			h[k] = kept[i].v
		} else {
			delete(h, k)
		}
	}
}

// engineFields are the fields the engine writes itself (commit), whatever
// the header map says: framing, keep-alive, Date, Server, Content-Type.
var engineFields = []string{"Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Date", "Server", "Content-Type"}

// filterKept are the fields a HeaderFilter cannot change: the length (the
// body is the handler's), and Date and Server, which apache2's
// basic_http_header writes from the request time and ServerTokens whatever
// mod_headers did (`Header set Server X` changes nothing there either).
var filterKept = [...]string{"Content-Length", "Date", "Server"}

// IsErrorPage reports whether the response to r is an error page the
// server made (WriteError, WriteErrorDocument), which apache2 sends
// without the content's output filters.
func IsErrorPage(r *http.Request) bool {
	c := ConnFromRequest(r)
	return c != nil && c.errorPage
}
