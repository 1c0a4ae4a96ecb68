package static

import (
	"context"
	"net/http"
)

// A content handler that answers with what a script or a backend says
// (mod_cgi, mod_proxy_fcgi, mod_proxy_http without ProxyErrorOverride)
// sets apache2's r->status and returns OK: its answer, an error status
// included, is the request's, which ap_die never sees. Only a handler that
// fails (returns the status: a script that cannot run, a bad header) or a
// refusal is an error to answer with an ErrorDocument. The writers that
// hold back a request's error answers, the local ErrorDocument's (package
// site) and mod_dir's subrequest's (lookup), put a Hold in the request's
// context; the handler tells them with OwnAnswer.

type holdKey struct{}

// Hold tells a writer that holds back error answers whether the answer
// is the content handler's own (OwnAnswer).
type Hold struct {
	status   int // the request's status so far, 0 for 200
	own      bool
	explicit bool  // the handler gave the status
	outer    *Hold // the Hold of a writer around this one's
}

// WithHold is ctx with a new Hold, within the one ctx may have already;
// status is the status the request has so far (apache2's r->status, which
// a local ErrorDocument's request inherits from the error), 0 for 200.
func WithHold(ctx context.Context, status int) (context.Context, *Hold) {
	h := &Hold{status: status}
	h.outer, _ = ctx.Value(holdKey{}).(*Hold)
	return context.WithValue(ctx, holdKey{}, h), h
}

// RequestStatus is r's status so far, as apache2's r->status before the
// handler sets it: an ErrorDocument's error while its document is served,
// else 200.
func RequestStatus(r *http.Request) int {
	for h, _ := r.Context().Value(holdKey{}).(*Hold); h != nil; h = h.outer {
		if h.status != 0 {
			return h.status
		}
	}
	return http.StatusOK
}

// OwnAnswer tells the writers holding back r's answer, if any, that the
// content handler answers itself, with the status it is about to write:
// explicit when the script or backend gave it (a CGI Status field; without
// one the request keeps the status it has, an ErrorDocument's error).
func OwnAnswer(r *http.Request, explicit bool) {
	h, _ := r.Context().Value(holdKey{}).(*Hold)
	for ; h != nil; h = h.outer {
		h.own, h.explicit = true, explicit
	}
}

// Own reports whether the answer is the content handler's own; a nil Hold
// has none.
func (h *Hold) Own() bool { return h != nil && h.own }

// Explicit reports whether the content handler gave its answer's status.
func (h *Hold) Explicit() bool { return h != nil && h.explicit }
