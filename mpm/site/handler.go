package site

import (
	"context"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/apuri"
	"github.com/httpd-mpm/httpd-mpm/internal/loglevel"
	"github.com/httpd-mpm/httpd-mpm/mpm/apexpr"
	"github.com/httpd-mpm/httpd-mpm/mpm/authn"
	"github.com/httpd-mpm/httpd-mpm/mpm/authz"
	"github.com/httpd-mpm/httpd-mpm/mpm/env"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/proxy"
	"github.com/httpd-mpm/httpd-mpm/mpm/sslvars"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
	"github.com/httpd-mpm/httpd-mpm/mpm/wildcard"
)

// Handler serves a site: Redirect and Alias first (mod_alias), then the file with the
// per-directory settings of the sections that apply. Files come from Static, whose
// DocumentRoot, DirectoryIndex and types are the server's. Safe for concurrent use.
type Handler struct {
	Static *static.Handler
	Config *Config
	// ServerRoot is what relative AuthUserFile and AuthGroupFile names in
	// .htaccess files are taken from ("": the working directory).
	ServerRoot string
	// Content, if set, answers the handlers it Handles (mod_status's
	// server-status) ahead of mod_cgi, as any handler: once the request is
	// rewritten, aliased, let in and fixed up. Set it before serving.
	Content static.ContentHandler

	once    sync.Once
	base    Dir          // the top level, merged over Apache's defaults
	dirs    sync.Map     // directory path -> *dirEntry
	ndirs   atomic.Int32 // entries in dirs
	docRoot string       // DocumentRoot, clean
	// baseResp is the top level's response (Header, Expires*), nil without.
	baseResp *response
	log      *authz.Log // for the access checks, the static handler's LogError
	// locationLogs says whether a <Location> sets LogLevel (earlyLogConfig).
	locationLogs bool
	// locationBodyLimits says whether a <Location> sets LimitRequestBody
	// (earlyBodyLimit).
	locationBodyLimits bool
	// redirectFn is internalRedirect, made once (static.Options.Redirect).
	redirectFn func(w http.ResponseWriter, r *http.Request, uri string)
	// walkErrorFn is walkError, made once (static.Options.WalkError).
	walkErrorFn func(w http.ResponseWriter, r *http.Request, status int) bool
	// accessFiles are the .htaccess files read (path -> *accessFile).
	accessFiles sync.Map
	naccess     atomic.Int32
	accessBytes atomic.Int64 // the length of the files in accessFiles
}

// maxCachedDirs bounds the per-directory cache.
const maxCachedDirs = 4096

// dirEntry is the merged configuration of one directory, with the <Files> sections
// that may still apply to its files.
type dirEntry struct {
	dir   Dir
	files []*section
	opts  *static.Options
	// deps are the .htaccess files the entry was made with (those looked
	// for and not found too), nil when no level reads them.
	deps   []accessDep
	failed bool // a .htaccess file refuses every request (opts answers it)
	// warnings are the Nonfatal= lines of its .htaccess files, logged at
	// each request as apache2 reads the files at each.
	warnings []string
	uncached bool // made from a .htaccess file too long to keep: not kept either
}

func (h *Handler) init() {
	h.once.Do(func() {
		h.base = Dir{Options: OptDefault, OverrideOptions: defaultOverrideOpts}
		h.base.FileETag, _ = static.ParseFileETag(nil)
		h.base.merge(&h.Config.server)
		h.log = &authz.Log{Func: h.Static.LogError, Level: h.Static.LogLevel}
		if h.log.Level == 0 {
			h.log.Level = static.LevelWarn
		}
		h.baseResp = newResponse(&h.base)
		h.docRoot = strings.TrimSuffix(filepath.Clean(h.Static.DocumentRoot), "/")
		h.redirectFn = h.internalRedirect
		h.walkErrorFn = h.walkError
		for _, l := range h.Config.locations {
			h.locationLogs = h.locationLogs || l.conf.log != nil
			h.locationBodyLimits = h.locationBodyLimits || l.conf.bodyLimit != nil
		}
	})
}

// earlyLogConfig makes the LogLevel lines of the <Location> sections that
// cover r's URL-path the levels of r's error lines until its file is
// mapped: apache2 walks the locations before translating the URL, so
// core's AH00026 and mod_rewrite's server-context lines follow them.
func (h *Handler) earlyLogConfig(r *http.Request) {
	if !h.locationLogs {
		return
	}
	log := h.base.log
	for _, l := range h.Config.locations {
		if l.conf.log != nil && l.matchURL(r.URL.Path) {
			log = loglevel.Merge(log, l.conf.log)
		}
	}
	setLogConfig(r, log)
}

// earlyBodyLimit makes the LimitRequestBody of the last <Location> section
// that covers the URL-path p and sets one r's body limit until its file is
// mapped: apache2 walks the locations before translating the URL, so an
// answer made before the walk here (mod_alias's Redirect) discards the body
// under that limit.
func (h *Handler) earlyBodyLimit(r *http.Request, p string) {
	if !h.locationBodyLimits {
		return
	}
	var limit *int64
	for _, l := range h.Config.locations {
		if l.conf.bodyLimit != nil && l.matchURL(p) {
			limit = l.conf.bodyLimit
		}
	}
	if limit != nil {
		http1.SetBodyLimit(r, *limit)
	}
}

// internalRedirect serves r anew for the local URL uri, as apache2's
// ap_internal_redirect (a type map's variant, FallbackResource's URL): the
// answer's fields set so far stay, and so does the request line
// (REQUEST_URI, THE_REQUEST).
func (h *Handler) internalRedirect(w http.ResponseWriter, r *http.Request, uri string) {
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		http1.WriteError(w, r, http.StatusInternalServerError, "")
		return
	}
	r2 := r.WithContext(r.Context())
	r2.URL = u
	h.ServeHTTP(w, r2)
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.init()
	c := h.Config
	if r.TLS != nil {
		// The server's SSLOptions until a section's apply (apache2's
		// r->per_dir_config before the directory walk).
		sslvars.SetOptions(r, h.base.SSLOptions.Set)
	}
	if !c.postRead.Empty() {
		h.postRead(r)
	}
	if r.URL.Path == "*" {
		h.Static.ServeHTTP(w, r)
		return
	}
	h.earlyLogConfig(r)
	p, status := static.Normalize(r)
	if status != 0 {
		if status == http.StatusNotFound && h.Static.LogError != nil && h.log.Level >= static.LevelInfo {
			// An encoded slash or NUL, as apache2's ap_unescape_url says it.
			h.Static.LogError(r, static.LevelInfo, "core", nil, "AH00026: found %2f (encoded '/') in URI path ("+r.RequestURI+"), returning 404")
		}
		if status == http.StatusBadRequest && h.Static.LogError != nil {
			// A bad %-escape or a ".." above the root: apache2's
			// ap_normalize_path fails (fail2ban's apache-* filters read it).
			target := r.RequestURI
			if doc, ok := r.Context().Value(inErrorDocument{}).(string); ok {
				target = doc
			}
			h.Static.LogError(r, static.LevelError, "core", nil, "AH10244: invalid URI path ("+target+")")
		}
		// ap_process_request_internal refuses it under the server's
		// own configuration: its ErrorDocument, no section's, which
		// reads the body no handler read (bodyUnread).
		if !h.errorDocument(w, r.WithContext(context.WithValue(r.Context(), bodyUnread{}, true)), status, h.base.ErrorDocuments) {
			http1.WriteError(w, r, status, "")
		}
		return
	}
	var conf static.WalkConfigurer = h
	if c.rewrite.Enabled() {
		setScriptURL(r, p)
	}
	if c.rewrite.Enabled() && len(c.rewrite.Rules()) > 0 {
		var done bool
		if done, r, p, conf = h.rewriteServer(w, r, p); done {
			return
		}
	}
	if c.proxy != nil {
		// mod_proxy translates after mod_rewrite, before mod_alias.
		if t := c.proxy.Match(p, r.URL.RawQuery, r.URL.RawQuery != "" || r.URL.ForceQuery); t != nil && !h.wsBypass(r, p, t) {
			h.proxy(w, r, p, t)
			return
		}
	}
	// Not for mod_proxy's requests, whose body apache2 reads under the
	// server's limit, nor yet for mod_rewrite's answers (a difference).
	h.earlyBodyLimit(r, p)
	for i := range c.redirects {
		if target, ok := c.redirects[i].match(p); ok {
			h.redirect(w, r, &c.redirects[i], target, p)
			return
		}
	}
	if r.Method == http.MethodTrace && http1.ServeTrace(w, r) {
		// Translated, and not away: core's map_to_storage answers it.
		return
	}
	for _, l := range c.locations {
		if l.conf.redirect != nil && l.matchURL(p) {
			// Its URL is escaped as RedirectMatch's substitution (mod_alias's try_redirect).
			h.redirect(w, r, l.conf.redirect, escapeRedirect(l.conf.redirect.target), p)
			return
		}
	}
	for i := range c.aliases {
		a := &c.aliases[i]
		root, rel, ok := a.match(p)
		if ok {
			if a.script && c.scripts {
				conf = scriptAliased{h, conf}
			}
			h.Static.Serve(w, r, root, rel, conf)
			return
		}
	}
	h.Static.Serve(w, r, h.docRoot, p, conf)
}

// TranslatesTrace reports whether r, a TRACE, comes to ServeHTTP
// (http1.Server.TranslatesTrace): when the server has RewriteRules,
// Redirects or a ProxyPass that maps its URL-path, which apache2 applies
// before core echoes or refuses it. ServeHTTP then answers it where core
// would (http1.ServeTrace); mod_proxy answers one it proxies.
func (h *Handler) TranslatesTrace(r *http.Request) bool {
	c := h.Config
	if r.URL.Path == "*" {
		return false
	}
	p, status := static.CleanPath(r.URL)
	if status != 0 {
		return false
	}
	return c.rewrite.Enabled() && len(c.rewrite.Rules()) > 0 || len(c.redirects) > 0 ||
		c.proxy != nil && c.proxy.Match(p, r.URL.RawQuery, r.URL.RawQuery != "" || r.URL.ForceQuery) != nil
}

// wsBypass is mod_proxy_wstunnel's check_trans: with
// ProxyWebsocketFallbackToProxyHttp Off (in the server or the <Location>
// sections of p), a request without an Upgrade field is not proxied to a
// ws:// URL.
func (h *Handler) wsBypass(r *http.Request, p string, t *proxy.Target) bool {
	if !t.WebSocket() || len(r.Header["Upgrade"]) > 0 {
		return false
	}
	m := h.base
	for _, l := range h.Config.locations {
		if l.matchURL(p) {
			m.merge(&l.conf)
		}
	}
	return m.WSTunnel
}

// maxForwardsZero reports whether r's Max-Forwards field says 0.
func maxForwardsZero(r *http.Request) bool {
	n, ok, bad := maxForwards(r)
	return ok && !bad && n == 0
}

// maxForwards is r's Max-Forwards field as apache2's mod_proxy reads it
// with apr_strtoi64 (its first entry, http1.FirstValue: the client's
// lines joined by ", ", as apache2 merges them):
// blanks, a sign, then digits only, none being 0. ok is false if r has no
// such field; bad is true for a value that is not all read, negative or out
// of range (INT64_MAX included, strtoll's overflow value).
func maxForwards(r *http.Request) (n int64, ok, bad bool) {
	v, ok := http1.FirstValue(r, r.Header, "Max-Forwards")
	if !ok {
		return 0, false, false
	}
	s := strings.TrimLeft(v, " \t\n\v\f\r")
	if s == "" {
		return 0, true, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, true, err != nil || n < 0 || n == math.MaxInt64
}

// proxyMaxForwards answers r, bound for mod_proxy, as apache2's
// proxy_handler does when its Max-Forwards field cannot be read (400,
// AH10188) or says 0: core's answer to a TRACE (echoed; refused by the
// caller under TraceEnable Off) or an OPTIONS, and for any other method a
// 400 for a proxy loop. It reports whether it answered. Otherwise the
// field, if any, is one less: r's own, as apache2 sets it in r->headers_in,
// for the backend and what reads the request's fields after (the access
// log's %{Max-Forwards}i, a local ErrorDocument's request).
// fail answers the 400, with r's status line and error notes (see
// http1.WriteError).
func (h *Handler) proxyMaxForwards(w http.ResponseWriter, r *http.Request, fail func(status int)) bool {
	n, ok, bad := maxForwards(r)
	if !ok {
		return false
	}
	msg := ""
	switch {
	case bad:
		first, _ := http1.FirstValue(r, r.Header, "Max-Forwards")
		if h.Static.LogError != nil {
			h.Static.LogError(r, static.LevelWarn, "proxy", nil,
				"AH10188: Max-Forwards value '"+first+"' could not be parsed")
		}
		msg = "Max-Forwards request header could not be parsed"
	case n > 0:
		http1.SetFirst(r, r.Header, "Max-Forwards", strconv.FormatInt(n-1, 10))
		return false
	case r.Method == http.MethodTrace:
		// Core's, under TraceEnable: echoed, or, Off, refused below
		// under the request's sections.
		return h.Static.TraceEnabled && http1.ServeTrace(w, r)
	case r.Method == http.MethodOptions:
		// ap_send_http_options: nothing allows a method here but TRACE.
		allow := ""
		if h.Static.TraceEnabled {
			allow = http.MethodTrace
		}
		w.Header()["Allow"] = []string{allow}
		w.Header()["Content-Length"] = []string{"0"}
		w.WriteHeader(http.StatusOK)
		return true
	default:
		msg = "Max-Forwards has reached zero - proxy loop?"
	}
	if h.Static.LogError != nil {
		h.Static.LogError(r, static.LevelError, "proxy", nil, "AH00898: "+msg+" returned by "+r.URL.Path)
	}
	http1.SetProxyError(w, r, http.StatusBadRequest, msg)
	fail(http.StatusBadRequest)
	return true
}

// proxy answers r from the backend t maps it to, under the server's settings
// and those of the <Location> sections that cover the URL-path p (a proxied
// request maps to no file: no <Directory> nor <Files> applies).
func (h *Handler) proxy(w http.ResponseWriter, r *http.Request, p string, t *proxy.Target) {
	m := h.base
	for _, x := range h.Config.proxies {
		if x.matchProxy(t.URL) {
			m.merge(&x.conf)
		}
	}
	for _, l := range h.Config.locations {
		if l.matchURL(p) {
			m.merge(&l.conf)
		}
	}
	setLogConfig(r, m.log)
	o := h.options(&m)
	if r.TLS != nil {
		sslvars.SetOptions(r, sslvars.Options(o.TLSOptions))
	}
	if o.Response != nil {
		o.Response.Answer(r, time.Time{})
	}
	if st := o.CheckAccess(w, r, h.Static.LogError, "proxy:"+t.URL); st != 0 {
		if o.Error == nil || !o.Error(w, r, st) {
			http1.WriteError(w, r, st, "")
		}
		return
	}
	static.Fixup(r, o.Response)
	zero := maxForwardsZero(r) // the client's, before it is one less
	if h.proxyMaxForwards(w, r, func(st int) {
		if o.Error == nil || !o.Error(w, r, st) {
			http1.WriteError(w, r, st, "")
		}
	}) {
		return
	}
	if r.Method == http.MethodTrace && !h.Static.TraceEnabled {
		// mod_proxy's handler refuses it (a body is not looked at: it
		// is not read yet), or, with Max-Forwards 0, core's trace does
		// (not logged); TraceEnable On passes it on.
		msg := "TRACE forbidden by server configuration"
		if zero {
			msg = "TRACE denied by server configuration"
		} else if h.Static.LogError != nil {
			h.Static.LogError(r, static.LevelError, "proxy", nil, "AH01139: "+msg)
		}
		http1.SetErrorNotes(r, msg)
		w.Header()["Allow"] = []string{""}
		if o.Error == nil || !o.Error(w, r, http.StatusMethodNotAllowed) {
			http1.WriteError(w, r, http.StatusMethodNotAllowed, "")
		}
		return
	}
	// A DirectoryIndex or FallbackResource subrequest is answered as its
	// main request (the Host's port in ProxyPassReverse's URLs), whatever
	// the backend's status.
	r = static.ProxyAnswer(r)
	t.Params = h.params(r, &m)
	t.FCGI = &m.FCGI
	t.WSTunnel = m.WSTunnel
	t.Error = func(w http.ResponseWriter, r *http.Request, st int) {
		if o.Error == nil || !o.Error(w, r, st) {
			http1.WriteError(w, r, st, "")
		}
	}
	if m.ProxyErrors.On {
		t.ErrorOverride, t.ErrorPage = m.ProxyErrors, t.Error
	}
	h.Config.proxy.Serve(w, r, t, h.Static.LogError)
}

// postRead is mod_setenvif's post-read-request phase: the server's SetEnvIf
// lines on the path as received, or, for a request an internal redirect
// made (an ErrorDocument's, a rewrite's, a type map's variant), on its own
// path, which apache2's internal_internal_redirect runs the phase for
// again; not for mod_dir's subrequests (ap_sub_req_lookup_uri runs none).
func (h *Handler) postRead(r *http.Request) {
	e := http1.Env(r)
	if e == nil || static.InSubrequest(r) {
		return
	}
	var uri string
	if static.PreviousOf(r) != nil {
		uri = r.URL.EscapedPath()
	} else {
		uri, _, _ = strings.Cut(r.RequestURI, "?")
		if !strings.HasPrefix(uri, "/") && uri != "*" {
			uri = r.URL.EscapedPath() // absolute-form: the path only
		}
	}
	h.Config.postRead.Apply(e, envRequest(r, uri))
}

// match applies a top-level Redirect or RedirectMatch to the clean path p.
func (rd *redirect) match(p string) (string, bool) {
	if rd.re != nil {
		m := rd.re.FindStringSubmatchIndex(p)
		if m == nil {
			return "", false
		}
		return escapeRedirect(string(rd.re.ExpandString(nil, rd.target, p, m))), true
	}
	rest, ok := prefixMatch(p, rd.prefix)
	if !ok {
		return "", false
	}
	// mod_alias escapes the rest of the (decoded) path: ap_os_escape_path.
	return rd.target + apuri.EscapePath(rest, true), true
}

// escapeRedirect is what mod_alias does with RedirectMatch's substitution:
// the URL without its query and fragment is escaped (ap_escape_uri), the query
// and fragment are kept as they are.
func escapeRedirect(u string) string {
	tail := ""
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u, tail = u[:i], u[i:]
	}
	return apuri.EscapePath(u, true) + tail
}

// prefixMatch is mod_alias's alias_matches: prefix matches p segment by segment (runs
// of slashes count as one), and the match ends at a segment boundary.
func prefixMatch(p, prefix string) (rest string, ok bool) {
	i, j := 0, 0
	for j < len(prefix) {
		if prefix[j] == '/' {
			if i >= len(p) || p[i] != '/' {
				return "", false
			}
			for j < len(prefix) && prefix[j] == '/' {
				j++
			}
			for i < len(p) && p[i] == '/' {
				i++
			}
			continue
		}
		if i >= len(p) || p[i] != prefix[j] {
			return "", false
		}
		i++
		j++
	}
	if i < len(p) && p[i] != '/' && !strings.HasSuffix(prefix, "/") {
		return "", false
	}
	return p[i:], true
}

// redirect answers with mod_alias's redirect: target made absolute, the query kept.
// The body is the ErrorDocument for the status, as in apache2, whichever status it is
// (a 3xx with its Location too, a 410, a 404, ...); the ErrorDocuments are those of
// the server and of the <Location> sections that cover the URL-path p (apache2 maps a
// Redirect before it walks the directories).
func (h *Handler) redirect(w http.ResponseWriter, r *http.Request, rd *redirect, target, p string) {
	if h.Config.responses {
		// apache2 redirects before the header parser: no SetEnvIf of a section.
		h.urlResponse(p).filterWith(r, time.Time{})
	}
	if !rd.gone && target != "" {
		if strings.HasPrefix(target, "/") {
			target = http1.SelfURL(r, target)
		}
		if r.URL.RawQuery != "" && !strings.Contains(target, "?") {
			target += "?" + r.URL.RawQuery
		}
		w.Header()["Location"] = []string{target}
	}
	if !h.errorDocument(w, r, rd.status, h.urlErrorDocuments(p)) {
		http1.WriteError(w, r, rd.status, "")
	}
}

// redirectDir is mod_alias's fixup for the Redirect lines of directories
// (rds), after the per-directory rewrite rules (next, if any).
func (h *Handler) redirectDir(rds []redirect, next func(http.ResponseWriter, *http.Request, string) (bool, string)) func(http.ResponseWriter, *http.Request, string) (bool, string) {
	return func(w http.ResponseWriter, r *http.Request, filename string) (bool, string) {
		var typ string
		if next != nil {
			var done bool
			if done, typ = next(w, r, filename); done {
				return true, ""
			}
		}
		p := r.URL.Path
		for i := range rds {
			if target, ok := rds[i].match(p); ok {
				h.redirect(w, r, &rds[i], target, p)
				return true, ""
			}
		}
		return false, typ
	}
}

// urlResponse is the response of the server merged with the <Location>
// sections that cover the URL-path p: apache2's configuration when mod_alias
// redirects.
func (h *Handler) urlResponse(p string) *response {
	m := h.base
	for _, l := range h.Config.locations {
		if l.matchURL(p) {
			m.merge(&l.conf)
		}
	}
	return newResponse(&m)
}

// urlErrorDocuments are the ErrorDocuments of the server merged with those of the
// <Location> sections that cover the URL-path p.
func (h *Handler) urlErrorDocuments(p string) map[int]*apexpr.Expr {
	m := Dir{ErrorDocuments: h.base.ErrorDocuments}
	for _, l := range h.Config.locations {
		if len(l.conf.errorDocs) > 0 && l.matchURL(p) {
			m.mergeErrorDocuments(&l.conf)
		}
	}
	return m.ErrorDocuments
}

// match maps the clean path p through an Alias or AliasMatch: root is the directory
// to serve from and rel the path below it.
func (a *alias) match(p string) (root, rel string, ok bool) {
	var target string
	if a.re != nil {
		m := a.re.FindStringSubmatchIndex(p)
		if m == nil {
			return "", "", false
		}
		target = string(a.re.ExpandString(nil, a.target, p, m))
		// The substitution is the file name, whatever p ends with: a
		// directory only when it ends with a slash or names one.
		if !strings.HasSuffix(target, "/") && strings.HasSuffix(p, "/") {
			if fi, err := os.Stat(target); err != nil || !fi.IsDir() {
				return filepath.Dir(target), "/" + filepath.Base(target), true
			}
		}
	} else {
		rest, ok := prefixMatch(p, a.prefix)
		if !ok {
			return "", "", false
		}
		if rest != "" && !strings.HasPrefix(rest, "/") && !strings.HasSuffix(a.target, "/") {
			// Alias /al/ DIR: mod_alias concatenates, "/al/x" is DIR+"x".
			f := a.target + rest
			return filepath.Dir(f), "/" + filepath.Base(f), true
		}
		if !strings.HasPrefix(rest, "/") && (rest != "" || strings.HasSuffix(p, "/")) {
			// "/icons/" through Alias /icons/ DIR/ is DIR's "/", not a
			// path to redirect to its slash form.
			rest = "/" + rest
		}
		if rest != "" && rest != "/" || strings.HasSuffix(p, "/") {
			return a.target, rest, true
		}
		target = a.target
	}
	target = strings.TrimSuffix(target, "/")
	if strings.HasSuffix(p, "/") {
		return target, "/", true
	}
	return filepath.Dir(target), "/" + filepath.Base(target), true
}

// Configure is the static.Configurer: the settings of the directory, then of the
// <Files> and <Location> sections that apply. A FallbackResource or type
// map's internal redirect takes the <DirectoryMatch> sections of its main
// request's walk (see inherits).
func (h *Handler) Configure(r *http.Request, dir, name string) *static.Options {
	walk := name
	if name != "" && len(h.Config.dirRegex) > 0 {
		if m := static.WalkOf(r); m != nil && h.inherits(r, dir, m) {
			walk = m.Name
		}
	}
	return h.configure(r, dir, name, walk, false)
}

// ConfigureBare is the static.WalkConfigurer's settings of the directory
// dir requested without its trailing slash: apache2's walk then matches
// <Files> against its name and <DirectoryMatch> against it without the
// slash ("/d$").
func (h *Handler) ConfigureBare(r *http.Request, dir string) *static.Options {
	return h.configure(r, dir, "", "", true)
}

// ConfigureSub is the static.SubConfigurer: Configure for a subrequest
// (an index file, a negotiated variant) with main's <DirectoryMatch>
// sections when it inherits them.
func (h *Handler) ConfigureSub(r *http.Request, dir, name string, main static.Walk) *static.Options {
	walk := name
	if name != "" && len(h.Config.dirRegex) > 0 && h.inherits(r, dir, &main) {
		walk = main.Name
	}
	return h.configure(r, dir, name, walk, false)
}

// inherits reports whether r, a subrequest for a file in dir, reuses the
// directory walk of its main request, as apache2's walk cache does for a
// file in the directory that walk ended in, under the same <Location>
// sections: its <DirectoryMatch> sections are those matched against the
// name the main request's walk stopped at, not against its own name.
func (h *Handler) inherits(r *http.Request, dir string, main *static.Walk) bool {
	if main.Dir != dir {
		return false
	}
	for _, l := range h.Config.locations {
		if l.matchURL(main.Path) != l.matchURL(r.URL.Path) {
			return false
		}
	}
	return true
}

// configure is Configure with walk the name <DirectoryMatch> regexes
// match against in dir ("": none, the directory's own); bare is
// ConfigureBare's.
func (h *Handler) configure(r *http.Request, dir, name, walk string, bare bool) *static.Options {
	h.init()
	e := h.dirEntry(dir)
	for _, w := range e.warnings {
		h.logAccess(nil, static.LevelWarn, nil, w)
	}
	if e.failed {
		return e.opts
	}
	var m *Dir
	fname := name // the name <Files> match
	if bare {
		fname = dir[strings.LastIndexByte(dir, '/')+1:]
	}
	if fname != "" {
		files := e.files
		// apache2 matches <DirectoryMatch> against the walk's file name: a
		// regex may take a file its directory does not match.
		// full is the walk's file name, slashed its directory's (matched
		// by dirEntry).
		var full, slashed string
		switch {
		case len(h.Config.dirRegex) == 0:
		case bare:
			full, slashed = dir, dir+"/"
		case walk != "":
			full = dir + "/" + walk
			slashed = full[:len(dir)+1]
		}
		for _, s := range h.Config.dirRegex {
			if full == "" {
				break
			}
			if s.re.MatchString(full) && !s.re.MatchString(slashed) {
				if m == nil {
					d := e.dir
					m = &d
					files = slices.Clone(files)
				}
				m.merge(&s.conf)
				files = append(files, s.files...)
			}
		}
		for _, f := range files {
			if f.matchName(fname) {
				if m == nil {
					d := e.dir
					m = &d
				}
				m.merge(&f.conf)
			}
		}
	}
	p := r.URL.Path
	for _, l := range h.Config.locations {
		if l.matchURL(p) {
			if m == nil {
				d := e.dir
				m = &d
			}
			m.merge(&l.conf)
		}
	}
	if m == nil {
		if len(e.dir.ifs) == 0 {
			setLogConfig(r, e.dir.log)
			return e.opts
		}
		m = &e.dir
	}
	if len(m.ifs) > 0 {
		m = h.applyIfs(r, m, path.Join(dir, name))
	}
	setLogConfig(r, m.log)
	return h.options(m)
}

// setLogConfig makes the LogLevel lines of the sections that apply to r
// (nil: none) the levels of its error lines from now on, as apache2's
// request walk sets r->log (see requestErrors in package mpm). A
// subrequest's without any keep its main request's, as apache2's do.
func setLogConfig(r *http.Request, log *loglevel.Levels) {
	if log != nil {
		http1.SetLogConfig(r, log)
	}
}

func (h *Handler) dirEntry(dir string) *dirEntry {
	if v, ok := h.dirs.Load(dir); ok {
		e := v.(*dirEntry)
		if e.deps == nil || e.fresh() {
			return e
		}
	}
	e := &dirEntry{dir: h.base}
	c := h.Config
	e.files = append(e.files, c.files...)
	if c.htaccess {
		h.walk(e, dir)
	} else {
		for _, s := range c.dirs {
			if s.matchDir(dir) {
				e.dir.merge(&s.conf)
				e.files = append(e.files, s.files...)
			}
		}
	}
	if !e.failed {
		for _, s := range c.dirRegex {
			if s.re.MatchString(dir + "/") {
				e.dir.merge(&s.conf)
				e.files = append(e.files, s.files...)
			}
		}
		e.opts = h.options(&e.dir)
	}
	if !e.uncached && h.ndirs.Load() < maxCachedDirs {
		if _, loaded := h.dirs.Swap(dir, e); !loaded {
			h.ndirs.Add(1)
		}
	}
	return e
}

// options turns a merged configuration into the static handler's settings.
func (h *Handler) options(d *Dir) *static.Options {
	o := &static.Options{
		Denied:               d.Authz.Denies(),
		Indexes:              d.Options&OptIndexes != 0,
		FollowSymLinks:       d.Options&OptFollowSymLinks != 0,
		SymLinksIfOwnerMatch: d.Options&OptSymLinksIfOwnerMatch != 0,
		DirectoryIndex:       d.DirectoryIndex,
		NoDirectorySlash:     d.NoDirectorySlash,
		AcceptPathInfo:       d.AcceptPathInfo,
		Fallback:             d.Fallback,
		ForceType:            d.ForceType,
		DefaultCharset:       d.DefaultCharset,
		FileETag:             d.FileETag.Fields(),
		Autoindex:            d.Autoindex,
		RequireSSL:           d.RequireSSL,
		MIME:                 d.MIME,
		MultiViews:           d.Options&OptMultiViews != 0,
		BodyLimit:            d.BodyLimit,
		Signature:            d.Signature,
		SetHandler:           d.Handler,
		WalkError:            h.walkErrorFn,
		TLSOptions:           uint8(d.SSLOptions.Set),
	}
	if !d.Negotiation.Empty() {
		n := d.Negotiation
		o.Negotiation = &n
	}
	if o.SetHandler != "" || o.MIME != nil || h.Static.Handlers != nil || o.Fallback != "" || indexURLs(o.DirectoryIndex, h.Static.DirectoryIndex) {
		o.Redirect = h.redirectFn
	}
	if p := d.Authz.Policy(h.log, authn.For(d.Auth, h.log)); p != nil && !o.Denied {
		o.Access = p
	}
	if h.Config.responses {
		// Set even when empty: it then clears what an outer level set.
		o.Response = newResponse(d)
	}
	if h.Config.rewrites && d.Rewrite.Enabled() && d.Rewrite.Directory != "" && len(d.Rewrite.Rules()) > 0 {
		o.Rewrite = h.rewriteDir(d, o.Response)
	}

	if d.exprRedirect != nil {
		h.withExprRedirect(o, d.exprRedirect, d.ErrorDocuments) // try_redirect, then try_alias_list
	}
	if len(d.Redirects) > 0 {
		o.Rewrite = h.redirectDir(d.Redirects, o.Rewrite)
	}
	if h.Config.filters {
		if f := d.Deflate.Filter(&h.Config.deflate); f != nil {
			o.Filter = f
		}
	}
	if h.Config.scripts {
		o.Handler = h.scriptHandler(d, false)
	}
	o.Handler = h.proxyHandler(d, o.Handler)
	if h.Content != nil {
		o.Handler = chain(h.Content, o.Handler)
	}
	if len(d.ErrorDocuments) > 0 {
		docs := d.ErrorDocuments
		o.Error = func(w http.ResponseWriter, r *http.Request, status int) bool {
			return h.errorDocument(w, r, status, docs)
		}
	}
	return o
}

// indexURLs says whether DirectoryIndex (else the server's) names a
// URL-path, which mod_dir looks up as a request.
func indexURLs(index, server []string) bool {
	if index == nil {
		index = server
	}
	return slices.ContainsFunc(index, func(name string) bool { return strings.IndexByte(name, '/') >= 0 })
}

// walkError answers status, a refusal of the directory walk, with the
// server's ErrorDocument only: apache2 resets the request's settings to
// the server's before the walk (map_to_storage).
func (h *Handler) walkError(w http.ResponseWriter, r *http.Request, status int) bool {
	return h.errorDocument(w, r, status, h.base.ErrorDocuments)
}

// carryWalk is r2, an internal redirect of r, with the walk r ended in
// (the file http1.SetFilename noted, the one it stopped at) when there are
// <DirectoryMatch> sections: apache2 hands its walk cache on to the new
// request, which reuses that walk's matches for a file in the same
// directory (see inherits).
func (h *Handler) carryWalk(r, r2 *http.Request) *http.Request {
	if len(h.Config.dirRegex) == 0 {
		return r2
	}
	c := http1.ConnFromRequest(r)
	if c == nil {
		return r2
	}
	name, _ := c.Filename()
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return r2
	}
	return static.WithWalk(r2, &static.Walk{Dir: name[:i], Name: name[i+1:], Path: r.URL.Path})
}

// ServerErrorPage answers r with the server's own ErrorDocument for status
// (its top level: no section applies yet), as apache2's ap_die answers what
// its map_to_storage phase refuses, a TRACE, and what ap_post_read_request
// refuses (a target's scheme), once the server's SetEnvIf lines ran (so
// they run here, for the access log too, whether or not there is a
// document), and what ap_read_request refuses (http1.Refused), before they
// run; false when the server has none for status. It is the server's
// http1.Server.ErrorPage.
func (h *Handler) ServerErrorPage(w http.ResponseWriter, r *http.Request, status int) bool {
	h.init()
	if !h.Config.postRead.Empty() && !http1.Refused(r) {
		h.postRead(r)
	}
	if _, ok := h.base.ErrorDocuments[status]; !ok {
		return false
	}
	return h.errorDocument(w, r, status, h.base.ErrorDocuments)
}

// inErrorDocument marks the internal request that serves a local
// ErrorDocument (its status so far, the error's: static.RequestStatus);
// its value is the document's URL as configured (apache2's unparsed_uri
// of the redirect).
type inErrorDocument struct{}

// bodyUnread marks a request refused before any handler could read or
// discard its body (apache2's ap_process_request_internal's 400 and 404):
// its local ErrorDocument's request reads the body, as ap_die's internal
// redirect does, instead of discarding it first.
type bodyUnread struct{}

// errorDocument answers status with ErrorDocument, as apache2's
// ap_send_error_response does: a text (sent as text/html), a local URL (served
// with the error's status, as GET), or any other URL (a 302 to it).
func (h *Handler) errorDocument(w http.ResponseWriter, r *http.Request, status int, docs map[int]*apexpr.Expr) bool {
	e, ok := docs[status]
	if !ok || r.Context().Value(inErrorDocument{}) != nil || static.InSubrequest(r) {
		return false
	}
	// apache2's ap_die evaluates it before the status is the request's; a
	// text is evaluated again as the error page is sent, with its type.
	q := apexpr.Request{R: r, URI: r.URL.Path, Query: r.URL.RawQuery, DocumentRoot: h.docRoot, Env: http1.Env(r), Status: http.StatusOK}
	if c := http1.ConnFromRequest(r); c != nil {
		q.Filename, q.PathInfo = c.Filename()
	}
	doc, err := e.Text(&q)
	if err == nil && strings.HasPrefix(doc, `"`) {
		q.Status, q.ContentType = status, http1.ErrorPageType
		doc, err = e.Text(&q)
	}
	if err != nil {
		h.logRewrite(r, "core", "AH02841: core: ErrorDocument: can't evaluate require expression: "+err.Error())
		return false
	}
	if !strings.HasPrefix(doc, `"`) {
		// Allow is a field of the page apache2 makes for a 405 or 501
		// (a text ErrorDocument's too), not of a document's answer.
		delete(w.Header(), "Allow")
	}
	switch {
	case strings.HasPrefix(doc, `"`):
	case apuri.IsURL(doc):
		w.Header()["Location"] = []string{doc}
		http1.WriteError(w, r, http.StatusFound, "")
		return true
	case strings.HasPrefix(doc, "/"):
		u, err := url.Parse(doc)
		if err != nil {
			// A bad %-escape: apache2 redirects to it all the same, and
			// core refuses the path (a 400, AH10244: static.CleanPath).
			path, query, _ := strings.Cut(doc, "?")
			u = &url.URL{Path: path, RawPath: path, RawQuery: query}
		}
		// What ap_read_request refused (a 417, a bad Host), ap_post_read_request
		// (a target's scheme), or ap_process_request_internal (bodyUnread),
		// no handler saw: nothing discarded its body, which
		// the document's request reads.
		unread := http1.BodyUnread(r) || r.Context().Value(bodyUnread{}) != nil
		if failed := 0; !unread {
			if failed = http1.DiscardBody(r, status); failed != 0 {
				// The document's default handler discards the request's body
				// first, as apache2's does: a body that fails then fails the
				// document, which the error's own page says.
				http1.WriteRecursiveError(w, r, status, failed)
				return true
			}
		}
		if h.recursionExceeded(r) {
			// apache2's ap_die answers the redirect's failure: a 500
			// whose page names status as the document's.
			http1.WriteRecursiveErrorOf(w, r, http.StatusInternalServerError, status)
			return true
		}
		ctx, hold := static.WithHold(context.WithValue(static.WithPrevious(r.Context(), r), inErrorDocument{}, doc), status)
		r2 := r.WithContext(ctx)
		r2.URL = u
		r2 = h.carryWalk(r, r2)
		// ap_die names the method and the error notes in the request's
		// variables, which the redirect renames REDIRECT_*.
		if e := http1.Env(r); e != nil {
			e.Set("REQUEST_METHOD", r.Method)
			if notes := http1.ErrorNotes(r); notes != "" {
				e.Set("ERROR_NOTES", notes)
			}
		}
		// A GET whatever the method, HEAD too (the engine still sends no
		// body for a HEAD), as ap_die, which then gives r its method
		// again (the access log's %<m, %m the document's GET).
		r2.Method = http.MethodGet
		r2.Body, r2.ContentLength = http.NoBody, 0
		if b := http1.RefusedBody(r); b != nil {
			r2.Body = b
		} else if unread && r.Body != nil {
			r2.Body, r2.ContentLength = r.Body, r.ContentLength
		}
		static.RenameEnv(r, status, r2)
		// apache2's internal redirect shares the request's fields (what
		// RequestHeader does to them there, the access log sees); the
		// conditions are left out while the document is served.
		var held [len(errorDocConditions)][]string
		for i, k := range errorDocConditions {
			held[i] = r.Header[k]
			delete(r.Header, k)
		}
		fields := w.Header().Clone()
		// The document's request is a new one: the standard status line,
		// not the error's (ap_proxyerror's "502 Proxy Error"), which the
		// error's own page has again when the document fails.
		line := http1.StatusLine(w)
		http1.SetStatusLine(w, "")
		sw := &statusWriter{ResponseWriter: w, status: status, hold: hold}
		h.ServeHTTP(sw, r2)
		for i, k := range errorDocConditions {
			if held[i] != nil {
				r.Header[k] = held[i]
			}
		}
		if sw.failed != 0 {
			// The document itself is refused: the error's own page says so,
			// with the fields the answer had before.
			hd := w.Header()
			clear(hd)
			maps.Copy(hd, fields)
			http1.SetStatusLine(w, line)
			http1.WriteRecursiveError(w, r, status, sw.failed)
		}
		return true
	}
	body := strings.TrimPrefix(doc, `"`)
	hd := w.Header()
	for k := range hd {
		if k != "Allow" && k != "Location" && k != "Www-Authenticate" {
			delete(hd, k)
		}
	}
	http1.WriteErrorDocument(w, r, status, body)
	return true
}

// errorDocConditions are the request fields a local ErrorDocument is served
// without.
var errorDocConditions = [...]string{"Range", "If-Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"}

// statusWriter answers an ErrorDocument's own 200 with the error's status;
// an error of its own is held back (failed), unless its content handler
// answers itself (hold): a script's or a backend's answer is sent as it is,
// with its status if it gave one (apache2's r->status, which the document's
// request inherits from the error).
type statusWriter struct {
	http.ResponseWriter
	status int
	hold   *static.Hold
	wrote  bool
	failed int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.wrote {
		return
	}
	s.wrote = true
	if code >= http.StatusBadRequest && !s.hold.Own() {
		s.failed = code
		return
	}
	s.ResponseWriter.WriteHeader(s.MapStatus(code))
}

// MapStatus is the status code becomes: the error's for a 200 the
// handler did not give explicitly. An output filter below (package
// deflate) sees the status the answer will have.
func (s *statusWriter) MapStatus(code int) int {
	if code == http.StatusOK && !s.hold.Explicit() {
		return s.status
	}
	return code
}

func (s *statusWriter) Write(p []byte) (int, error) {
	s.WriteHeader(http.StatusOK)
	if s.failed != 0 {
		return len(p), nil
	}
	return s.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the engine's writer (a CGI
// script's output flushes as it comes).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// FlushError flushes the document's answer with the error's status; while
// an error of the document's own is held back it flushes nothing (the
// engine's writer would send its default 200).
func (s *statusWriter) FlushError() error {
	s.WriteHeader(http.StatusOK)
	if s.failed != 0 {
		return nil
	}
	return http.NewResponseController(s.ResponseWriter).Flush()
}

// ReadFrom keeps the engine's sendfile path.
func (s *statusWriter) ReadFrom(src io.Reader) (int64, error) {
	s.WriteHeader(http.StatusOK)
	if s.failed != 0 {
		return io.Copy(io.Discard, src)
	}
	if rf, ok := s.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(s.ResponseWriter, src)
}

// matchDir reports whether a <Directory> section covers the directory dir.
func (s *section) matchDir(dir string) bool {
	if !s.wild {
		return dir == s.pattern || strings.HasPrefix(dir, s.pattern+"/") || s.pattern == ""
	}
	// Wildcards match within one path segment each (fnmatch with FNM_PATHNAME).
	ps := strings.Split(s.pattern, "/")
	ds := strings.Split(dir, "/")
	if len(ds) < len(ps) {
		return false
	}
	for i, p := range ps {
		if ok, _ := path.Match(p, ds[i]); !ok {
			return false
		}
	}
	return true
}

// matchName reports whether a <Files> section covers the file name.
func (s *section) matchName(name string) bool {
	if s.re != nil {
		return s.re.MatchString(name)
	}
	if s.wild {
		ok, _ := path.Match(s.pattern, name)
		return ok
	}
	return s.pattern == name
}

// matchURL reports whether a <Location> section covers the URL path p: a prefix that
// ends at a segment boundary ("/private" covers "/private" and "/private/x", not
// "/private2", as apache2 2.4's location_walk), a wildcard pattern, or a regular
// expression.
func (s *section) matchURL(p string) bool {
	switch {
	case s.re != nil:
		return s.re.MatchString(p)
	case s.wild:
		ps := strings.Split(s.pattern, "/")
		us := strings.Split(p, "/")
		if len(us) < len(ps) {
			return false
		}
		for i, x := range ps {
			if ok, _ := path.Match(x, us[i]); !ok {
				return false
			}
		}
		return true
	}
	if !strings.HasPrefix(p, s.pattern) {
		return false
	}
	n := len(s.pattern)
	return n == len(p) || n == 0 || s.pattern[n-1] == '/' || p[n] == '/'
}

// matchProxy is mod_proxy's proxy_walk test of a <Proxy> or <ProxyMatch>
// section against the backend URL u: the regex, the wildcard pattern, or
// the URL as a prefix (case matters).
func (s *section) matchProxy(u string) bool {
	switch {
	case s.re != nil:
		return s.re.MatchString(u)
	case s.wild:
		return wildcard.Match(u, s.pattern, false)
	}
	return strings.HasPrefix(u, s.pattern)
}

// envRequest is r's attributes for SetEnvIf, with uri as Request_URI.
func envRequest(r *http.Request, uri string) *env.Request {
	q := &env.Request{R: r, URI: uri, RemoteIP: r.RemoteAddr, Fields: http1.SentFieldNames}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		q.RemoteIP = ap.Addr().Unmap().String()
	}
	if c := http1.ConnFromRequest(r); c != nil {
		if ta, ok := c.LocalAddr().(*net.TCPAddr); ok {
			q.LocalIP = ta.AddrPort().Addr().Unmap().String()
		}
	}
	return q
}
