package static

import (
	"context"
	"net/http"
)

// Previous is the request an internal redirect came from (apache2's
// r->prev, which ap_add_cgi_vars names in REDIRECT_URL and
// REDIRECT_QUERY_STRING).
type Previous struct {
	Path     string // its URL-path, decoded (r->uri)
	RawQuery string // its query
	HasQuery bool   // whether it had one ("?" alone too)
}

type previousKey struct{}

// WithPrevious is ctx noting r as the request an internal redirect comes
// from.
func WithPrevious(ctx context.Context, r *http.Request) context.Context {
	return context.WithValue(ctx, previousKey{}, &Previous{Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		HasQuery: r.URL.RawQuery != "" || r.URL.ForceQuery})
}

// PreviousOf is the request r's internal redirect came from, nil for none.
func PreviousOf(r *http.Request) *Previous {
	p, _ := r.Context().Value(previousKey{}).(*Previous)
	return p
}
