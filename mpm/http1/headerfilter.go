package http1

import "net/http"

// A HeaderFilter adjusts the header fields of a response just before the
// engine sends them, as apache2's mod_headers and mod_expires output filters
// do.
type HeaderFilter interface {
	// FilterHeader is called once per response, on the goroutine serving r,
	// when the header is committed, before the engine adds Date, Server and
	// its framing fields: h is the response's header map, which it may change
	// (a change of Content-Length is undone), status the final status, and
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
	cl, had := c.hdr["Content-Length"]
	f.FilterHeader(w.req, w.status, c.hdr, c.errorPage)
	if had {
		c.hdr["Content-Length"] = cl
	} else {
		delete(c.hdr, "Content-Length")
	}
}
