package site

import (
	"net/http"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/mpm/cgi"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// proxyFiles answers for the files whose handler is "proxy:..." (mod_proxy's
// handler form, as Debian's php-fpm.conf sets it: SetHandler
// "proxy:unix:/run/php/php8.2-fpm.sock|fcgi://localhost").
type proxyFiles struct {
	h *Handler
	d *Dir
}

var _ static.ContentHandler = (*proxyFiles)(nil)

func (p *proxyFiles) Handles(handler string) bool { return strings.HasPrefix(handler, "proxy:") }

func (p *proxyFiles) Serve(w http.ResponseWriter, r *http.Request, t *static.Target) {
	// Without a ProxyPass, the workers of the <Proxy> sections still
	// serve the handler (the httpd wiki's php-fpm setup).
	px := p.h.Config.balancers
	pt := px.ForHandler(t.Handler, t.Filename, t.PathInfo)
	if pt == nil {
		// No scheme handler takes the URL: apache2's 500 from mod_proxy.
		t.Error(w, r, http.StatusInternalServerError)
		return
	}
	pt.Params = p.h.params(r, p.d)
	pt.FCGI = &p.d.FCGI
	pt.Error = t.Error
	if p.d.ProxyErrors.On {
		pt.ErrorOverride, pt.ErrorPage = p.d.ProxyErrors, t.Error
	}
	// mod_proxy's handler makes the request a proxied one, whose body
	// apache2's HTTP_IN filter reads without LimitRequestBody.
	http1.SetBodyLimit(r, -1)
	if p.h.proxyMaxForwards(w, r, func(st int) { t.Error(w, r, st) }) {
		return
	}
	px.Serve(w, r, pt, p.h.Static.LogError)
}

// params is the environment of a FastCGI request under the settings d
// (CGIPassAuth, CGIVar).
func (h *Handler) params(r *http.Request, d *Dir) func(filename, pathInfo string) []string {
	return func(filename, pathInfo string) []string {
		return cgi.Environ(r, h, &d.CGI, filename, pathInfo)
	}
}

// proxyHandler is the handler under d: proxyFiles before next when a
// section of the configuration (or d, which a .htaccess file may have set)
// has a proxy's SetHandler, else next.
func (h *Handler) proxyHandler(d *Dir, next static.ContentHandler) static.ContentHandler {
	if !h.Config.proxyFiles && !strings.HasPrefix(d.Handler, "proxy:") {
		return next
	}
	return chain(&proxyFiles{h: h, d: d}, next)
}

// proxiesFiles says whether d's SetHandler is a proxy's.
func (d *dir) proxiesFiles() bool { return d.handler != nil && strings.HasPrefix(*d.handler, "proxy:") }
