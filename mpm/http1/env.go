package http1

import (
	"net/http"

	"github.com/httpd-mpm/httpd-mpm/mpm/env"
)

// Env is the environment variables of r (apache2's r->subprocess_env),
// which the handler may read and change until the response is logged; nil
// for a request that did not come from this engine (a nil *env.Vars reads
// as empty). The engine reads nokeepalive (no keep-alive after the
// response unless the request came through a proxy, with Via),
// downgrade-1.0 (the response as to an HTTP/1.0 request: no chunks,
// keep-alive only on the client's "Connection: keep-alive") and
// force-response-1.0 (to an HTTP/1.0 request, or one downgraded, an
// "HTTP/1.0" status line and a close). Other modules read the rest: a
// deflate filter would skip a response when Env(r).Has("no-gzip").
func Env(r *http.Request) *env.Vars {
	if c := ConnFromRequest(r); c != nil {
		return &c.env
	}
	return nil
}

// Env is the environment variables of the request being served or just
// answered (for an access log).
func (c *Conn) Env() *env.Vars { return &c.env }

// envProtocol applies downgrade-1.0 and force-response-1.0 at commit: it
// reports whether the response is framed as to HTTP/1.0 and whether its
// status line says HTTP/1.0.
func (w *response) envProtocol() (http10, statusLine10 bool) {
	http10 = !w.req.ProtoAtLeast(1, 1)
	e := &w.c.env
	if e.Len() == 0 {
		return http10, false
	}
	if !http10 && e.Has("downgrade-1.0") {
		http10 = true
	}
	return http10, http10 && e.Has("force-response-1.0")
}
