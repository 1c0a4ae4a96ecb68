package site

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/mpm/cgi"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// scriptHandler is mod_cgi's handler under the settings d.
func (h *Handler) scriptHandler(d *Dir, aliased bool) *cgi.Handler {
	c := &cgi.Handler{
		Server: &h.Config.cgi, Dir: d.CGI, ExecCGI: d.Options&OptExecCGI != 0, ScriptAliased: aliased,
		Site: h, LogError: h.Static.LogError, LogLevel: h.Static.LogLevel,
	}
	if h.Config.cgi.Module == "cgid" {
		c.ErrorLog = h.Static.ErrorLog
	}
	return c
}

// scriptAliased is the configuration of a request a ScriptAlias mapped:
// mod_alias gives it the handler cgi-script.
type scriptAliased struct {
	h    *Handler
	conf static.WalkConfigurer
}

func (s scriptAliased) Configure(r *http.Request, dir, name string) *static.Options {
	return s.with(s.conf.Configure(r, dir, name))
}

// ConfigureSub and ConfigureBare make a ScriptAlias's request walk as any
// other (static.WalkConfigurer): an index file's subrequest reuses its
// walk, a directory named without its slash is the walk's file name.
func (s scriptAliased) ConfigureSub(r *http.Request, dir, name string, main static.Walk) *static.Options {
	return s.with(s.conf.ConfigureSub(r, dir, name, main))
}

func (s scriptAliased) ConfigureBare(r *http.Request, dir string) *static.Options {
	return s.with(s.conf.ConfigureBare(r, dir))
}

// with is o with mod_cgi's handler as under a ScriptAlias.
func (s scriptAliased) with(o *static.Options) *static.Options {
	c := *o
	c.Handler = s.aliased(c.Handler)
	return &c
}

// aliased is the chain of handlers ch with mod_cgi's as under a ScriptAlias
// (answering for files without a handler): a copy of ch's, else one added
// last.
func (s scriptAliased) aliased(ch static.ContentHandler) static.ContentHandler {
	switch x := ch.(type) {
	case handlers:
		x.next = s.aliased(x.next)
		return x
	case *cgi.Handler:
		y := *x
		y.ScriptAliased = true
		return &y
	case nil:
		return s.h.scriptHandler(&Dir{}, true)
	}
	return handlers{ch, s.h.scriptHandler(&Dir{}, true)}
}

// handlers asks first, then next (may be nil).
type handlers struct {
	first, next static.ContentHandler
}

// chain is first before next (nil: first alone).
func chain(first, next static.ContentHandler) static.ContentHandler {
	if next == nil {
		return first
	}
	return handlers{first, next}
}

func (hs handlers) Handles(handler string) bool {
	return hs.first.Handles(handler) || hs.next != nil && hs.next.Handles(handler)
}

func (hs handlers) Declines(r *http.Request, handler string) bool {
	if hs.first.Handles(handler) {
		return static.Declines(hs.first, r, handler)
	}
	return static.Declines(hs.next, r, handler)
}

func (hs handlers) Serve(w http.ResponseWriter, r *http.Request, t *static.Target) {
	if hs.first.Handles(t.Handler) {
		hs.first.Serve(w, r, t)
		return
	}
	hs.next.Serve(w, r, t)
}

// Context is the script's CONTEXT_PREFIX and CONTEXT_DOCUMENT_ROOT: those of
// the Alias or ScriptAlias that maps r (not a regular expression's, as
// mod_alias), else "" and the DocumentRoot.
func (h *Handler) Context(r *http.Request) (prefix, root string) {
	for i := range h.Config.aliases {
		a := &h.Config.aliases[i]
		if a.re != nil {
			if a.re.MatchString(r.URL.Path) {
				break
			}
			continue
		}
		if _, ok := prefixMatch(r.URL.Path, a.prefix); ok {
			return a.prefix, a.target
		}
	}
	return "", h.Static.DocumentRoot
}

// DocumentRoot is the server's DocumentRoot.
func (h *Handler) DocumentRoot() string { return h.Static.DocumentRoot }

// Translate is the file name the URL-path p maps to, through Alias and
// ScriptAlias, else below the DocumentRoot (a subrequest's r->filename and
// path info, for PATH_TRANSLATED).
func (h *Handler) Translate(r *http.Request, p string) string {
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	for i := range h.Config.aliases {
		if root, rel, ok := h.Config.aliases[i].match(p); ok {
			return strings.TrimSuffix(root, "/") + rel
		}
	}
	return h.docRoot + p
}

// redirects counts a request's internal redirects.
type redirects struct{}

// recursionExceeded says whether r may not redirect internally once more
// (LimitInternalRecursion): then it logs AH00124, as apache2's
// ap_is_recursion_limit_exceeded.
func (h *Handler) recursionExceeded(r *http.Request) bool {
	return h.Static.RedirectsExceeded(r, h.Config.redirectLimit)
}

// Redirect answers r with the local URL u as a GET without a body: a
// script's Location (apache2's ap_internal_redirect_handler).
func (h *Handler) Redirect(w http.ResponseWriter, r *http.Request, u string) {
	n, _ := r.Context().Value(redirects{}).(int)
	if h.recursionExceeded(r) {
		http1.WriteError(w, r, http.StatusInternalServerError, "")
		return
	}
	target, err := url.ParseRequestURI(u)
	if err != nil {
		http1.WriteError(w, r, http.StatusInternalServerError, "")
		return
	}
	r2 := r.WithContext(context.WithValue(static.WithPrevious(r.Context(), r), redirects{}, n+1))
	r2.URL = target
	r2 = h.carryWalk(r, r2)
	// A GET whatever the method, HEAD too (the engine still sends no body
	// for a HEAD), as mod_cgi's, which makes r a GET first (the access
	// log's %<m when r is the first request).
	http1.SetMethod(r, http.MethodGet)
	// REQUEST_URI stays the request line's (apache2's the_request).
	r2.Method = http.MethodGet
	r2.Body, r2.ContentLength = http.NoBody, 0
	static.RenameEnv(r, http.StatusOK, r2)
	delete(r.Header, "Content-Length")
	h.ServeHTTP(w, r2)
}
