package static

import (
	"context"
	"net/http"
	"strconv"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// Previous is the request an internal redirect came from (apache2's
// r->prev, which ap_add_cgi_vars names in REDIRECT_URL and
// REDIRECT_QUERY_STRING).
type Previous struct {
	Path     string // its URL-path, decoded (r->uri)
	RawQuery string // its query
	HasQuery bool   // whether it had one ("?" alone too)
	// HeaderOnly is whether it is a HEAD, whose answer has no body: its
	// redirect, a GET, keeps apache2's r->header_only.
	HeaderOnly bool
	// Depth is how many internal redirects led to the request that came
	// from it: 1 when it is the first request.
	Depth int
}

type previousKey struct{}

// WithPrevious is ctx noting r as the request an internal redirect comes
// from.
func WithPrevious(ctx context.Context, r *http.Request) context.Context {
	depth := 1
	if p, ok := r.Context().Value(previousKey{}).(*Previous); ok {
		depth = p.Depth + 1
	}
	return context.WithValue(ctx, previousKey{}, &Previous{Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		HasQuery: r.URL.RawQuery != "" || r.URL.ForceQuery, HeaderOnly: HeaderOnly(r), Depth: depth})
}

// HeaderOnly reports whether r's answer has no body: r is a HEAD, or the
// internal redirect of one (apache2's r->header_only).
func HeaderOnly(r *http.Request) bool {
	p := PreviousOf(r)
	return r.Method == http.MethodHead || p != nil && p.HeaderOnly
}

// Redirects is how many internal redirects led to r (apache2's r->prev
// chain, which LimitInternalRecursion bounds).
func Redirects(r *http.Request) int {
	if p := PreviousOf(r); p != nil {
		return p.Depth
	}
	return 0
}

// PreviousOf is the request r's internal redirect came from, nil for none.
func PreviousOf(r *http.Request) *Previous {
	p, _ := r.Context().Value(previousKey{}).(*Previous)
	return p
}

// RenameEnv is apache2's rename_original_env at an internal redirect: each
// of the request's variables becomes REDIRECT_NAME (the new request's
// fixups set theirs again), and REDIRECT_STATUS is the status so far;
// over TLS, HTTPS and SSL_TLS_SNI are set again, as mod_ssl's fixups do.
// The new request's notes are empty, and the access log's %s shows the
// first request's status and the last one's method and URL
// (http1.InternalRedirect: next is the new request).
func RenameEnv(r *http.Request, status int, next *http.Request) {
	http1.InternalRedirect(r, status, next)
	e := http1.Env(r)
	if e == nil {
		return
	}
	var kv []string
	e.Each(func(name, value string) { kv = append(kv, name, value) })
	e.Reset()
	for i := 0; i < len(kv); i += 2 {
		e.Set("REDIRECT_"+kv[i], kv[i+1])
	}
	e.Set("REDIRECT_STATUS", strconv.Itoa(status))
	if r.TLS != nil {
		// mod_ssl's fixups set these again for the new request.
		e.Set("HTTPS", "on")
		if r.TLS.ServerName != "" {
			e.Set("SSL_TLS_SNI", r.TLS.ServerName)
		}
	}
}
