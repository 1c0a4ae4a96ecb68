package site

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/mpm/apexpr"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/rewrite"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// rewriteState is what mod_rewrite keeps for a request across its internal
// redirects: [END] (E= variables live in the request's environment,
// http1.Env).
type rewriteState struct {
	end bool
}

type rewriteKey struct{}

func rewriteStateOf(r *http.Request) (*rewriteState, *http.Request) {
	if st, ok := r.Context().Value(rewriteKey{}).(*rewriteState); ok {
		return st, r
	}
	st := &rewriteState{}
	return st, r.WithContext(context.WithValue(r.Context(), rewriteKey{}, st))
}

func (st *rewriteState) request(w http.ResponseWriter, r *http.Request, uri, docRoot string, maps map[string]*rewrite.Map) *rewrite.Request {
	return &rewrite.Request{R: r, URI: uri, Query: r.URL.RawQuery, HasQuery: r.URL.RawQuery != "" || r.URL.ForceQuery,
		DocumentRoot: docRoot, Out: w.Header(), Env: http1.Env(r), End: st.end, Maps: maps}
}

func (st *rewriteState) keep(req *rewrite.Request) {
	st.end = req.End
}

// rewriteServer applies the server context's rules to the clean path p
// (apache2's translate_name, before mod_alias). It returns true when it
// answered r; otherwise r (maybe with the request state in its context) goes on
// with the URL-path p and the Configurer conf (the [T=] type).
func (h *Handler) rewriteServer(w http.ResponseWriter, r *http.Request, p string) (done bool, r2 *http.Request, p2 string, conf static.WalkConfigurer) {
	st, r := rewriteStateOf(r)
	req := st.request(w, r, p, h.docRoot, h.Config.rewrite.Maps())
	res := rewrite.Apply(&h.Config.rewrite, req)
	st.keep(req)
	h.logMapErrors(r, req)
	conf = h
	if req.Type != "" {
		conf = typed{h, req.Type}
	}
	if res.Action != rewrite.Declined {
		// The access log's %q shows the query the rules left.
		setQuery(r, req)
	}
	switch res.Action {
	case rewrite.Status:
		h.logRewrite(r, "rewrite", res.Log)
		h.rewriteAnswer(w, r, res.Status, h.urlErrorDocuments(p))
		return true, r, p, conf
	case rewrite.Redirect:
		w.Header()["Location"] = []string{res.Location}
		h.rewriteAnswer(w, r, res.Status, h.urlErrorDocuments(p))
		return true, r, p, conf
	case rewrite.Proxy:
		t := h.Config.proxy.ForURL(res.Path)
		if t == nil {
			http1.WriteError(w, r, http.StatusBadRequest, "")
			return true, r, p, conf
		}
		h.proxy(w, r, p, t)
		return true, r, p, conf
	case rewrite.PassThrough:
		np := cleanRewritten(res.Path)
		r.URL.Path, r.URL.RawPath = np, ""
		return false, r, np, conf
	case rewrite.Local:
		for _, l := range h.Config.locations {
			if l.conf.redirect != nil && l.matchURL(p) {
				h.redirect(w, r, l.conf.redirect, l.conf.redirect.target, p)
				return true, r, p, conf
			}
		}
		if res.FilePath {
			h.Static.Serve(w, r, "/", cleanRewritten(res.Path), conf)
		} else {
			h.Static.Serve(w, r, h.docRoot, cleanRewritten(res.Path), conf)
		}
		return true, r, p, conf
	}
	return false, r, p, conf
}

// rewriteDir is static.Options.Rewrite for a directory whose merged
// configuration d has per-directory rules (apache2's fixup hook); resp
// (if any) is d's fixups, which apache2 runs before the redirect handler.
func (h *Handler) rewriteDir(d *Dir, resp static.Response) func(w http.ResponseWriter, r *http.Request, filename string) (bool, string) {
	follow := d.Options&(OptFollowSymLinks|OptSymLinksIfOwnerMatch) != 0
	return func(w http.ResponseWriter, r *http.Request, filename string) (bool, string) {
		st, r := rewriteStateOf(r)
		p, _ := static.CleanPath(r.URL)
		req := st.request(w, r, p, h.docRoot, h.Config.rewrite.Maps())
		res := rewrite.ApplyDir(&d.Rewrite, req, filename, follow)
		st.keep(req)
		h.logMapErrors(r, req)
		if res.Action != rewrite.Declined {
			// The access log's %q shows the query the rules left (its %U
			// the URL-path asked for, also after an internal redirect).
			setQuery(r, req)
		}
		switch res.Action {
		case rewrite.Status:
			h.logRewrite(r, "rewrite", res.Log)
			h.rewriteAnswer(w, r, res.Status, d.ErrorDocuments)
			return true, ""
		case rewrite.Redirect:
			w.Header()["Location"] = []string{res.Location}
			h.rewriteAnswer(w, r, res.Status, d.ErrorDocuments)
			return true, ""
		case rewrite.Local:
			target := res.Path
			if req.HasQuery {
				target += "?" + req.Query
			}
			// As a request line's target: "//x/y" is a path, not a host.
			u, err := url.ParseRequestURI(target)
			if err != nil {
				h.rewriteAnswer(w, r, http.StatusBadRequest, d.ErrorDocuments)
				return true, ""
			}
			if h.recursionExceeded(r) {
				h.rewriteAnswer(w, r, http.StatusInternalServerError, d.ErrorDocuments)
				return true, ""
			}
			// apache2's redirect-handler makes it an ap_internal_redirect:
			// the new request names this one in REDIRECT_URL and
			// REDIRECT_QUERY_STRING and gets its variables as REDIRECT_*
			// (a front controller's PHP sees them), and REDIRECT_STATUS
			// the request's status (an ErrorDocument's error).
			// The other fixups (mod_env's SetEnv, mod_headers'
			// RequestHeader) ran before the redirect handler: the new
			// request sees their variables as REDIRECT_*.
			if resp != nil {
				resp.Fixup(r)
			}
			r2 := r.Clone(static.WithPrevious(r.Context(), r))
			r2.URL = u
			r2 = h.carryWalk(r, r2)
			static.RenameEnv(r, static.RequestStatus(r), r2)
			h.ServeHTTP(w, r2)
			return true, ""
		}
		return false, req.Type
	}
}

// logRewrite writes msg (if any) to the error log at level error.
func (h *Handler) logRewrite(r *http.Request, module, msg string) {
	level := h.Static.LogLevel
	if level == 0 {
		level = static.LevelWarn
	}
	if msg != "" && h.Static.LogError != nil && level >= static.LevelError {
		h.Static.LogError(r, static.LevelError, module, nil, msg)
	}
}

// logMapErrors writes the RewriteMap lookups' failures (AH00661, AH00655)
// to the error log at level error, as mod_rewrite's.
func (h *Handler) logMapErrors(r *http.Request, req *rewrite.Request) {
	if len(req.MapErrors) == 0 || h.Static.LogError == nil || h.Static.LogLevel != 0 && h.Static.LogLevel < static.LevelError {
		return
	}
	for _, e := range req.MapErrors {
		h.Static.LogError(r, static.LevelError, "rewrite", e.Err, e.Msg)
	}
}

// rewriteAnswer answers status (with the ErrorDocument for it, if any).
// The Vary the conditions added is left out, as apache2 leaves out an error
// page's headers_out (Set-Cookie, in err_headers_out, stays).
func (h *Handler) rewriteAnswer(w http.ResponseWriter, r *http.Request, status int, docs map[int]*apexpr.Expr) {
	delete(w.Header(), "Vary")
	if !h.errorDocument(w, r, status, docs) {
		http1.WriteError(w, r, status, "")
	}
}

func setQuery(r *http.Request, req *rewrite.Request) {
	// An empty query the rules kept (/x? through RewriteRule ^/x$ /b [PT])
	// is still one: mod_proxy sends its '?' (r->args "", not NULL), and
	// %q logs it.
	r.URL.RawQuery, r.URL.ForceQuery = req.Query, req.HasQuery && req.Query == ""
}

// cleanRewritten makes a rewritten path one the static handler takes: dot
// segments resolved, the trailing slash kept.
func cleanRewritten(p string) string {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// typed is the Configurer of a request a rule gave a media type ([T=]).
type typed struct {
	h   *Handler
	typ string
}

func (t typed) Configure(r *http.Request, dir, name string) *static.Options {
	return t.with(t.h.Configure(r, dir, name))
}

// ConfigureSub and ConfigureBare make the request walk as any other
// (static.WalkConfigurer).
func (t typed) ConfigureSub(r *http.Request, dir, name string, main static.Walk) *static.Options {
	return t.with(t.h.ConfigureSub(r, dir, name, main))
}

func (t typed) ConfigureBare(r *http.Request, dir string) *static.Options {
	return t.with(t.h.ConfigureBare(r, dir))
}

// with is o with the rule's media type.
func (t typed) with(o *static.Options) *static.Options {
	c := *o
	c.ForceType = t.typ
	return &c
}

// setScriptURL sets mod_rewrite's SCRIPT_URL, the URL-path p before the
// server's rules (an internal redirect keeps the first request's), and
// SCRIPT_URI, the same as an absolute URL (apache2's hook_uri2file).
func setScriptURL(r *http.Request, p string) {
	e := http1.Env(r)
	if e == nil {
		return
	}
	if n, _ := r.Context().Value(redirects{}).(int); n == 0 {
		e.Set("SCRIPT_URL", p)
	} else if u, ok := e.Get("SCRIPT_URL"); ok {
		p = u
	}
	scheme, port := "http", http1.ServerPort(r)
	if r.TLS != nil {
		scheme = "https"
	}
	if scheme == "http" && port == "80" || scheme == "https" && port == "443" {
		port = ""
	} else {
		port = ":" + port
	}
	host, _ := http1.ServerHostPort(r)
	if strings.IndexByte(host, ':') >= 0 {
		host = "[" + host + "]"
	}
	e.Set("SCRIPT_URI", scheme+"://"+host+port+p)
}
