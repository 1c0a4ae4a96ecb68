package static

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// defaultSubreqDepth bounds the nesting of mod_dir's subrequests
// (DirectoryIndex URLs leading to directories whose index is a URL again,
// FallbackResource URLs falling back again) without a
// LimitInternalRecursion: apache2's default.
const defaultSubreqDepth = 10

type subreqDepthKey struct{}

// subrequest is r one subrequest deeper, false past SubrequestLimit (see
// subrequestDepth).
func (h *Handler) subrequest(r *http.Request) (*http.Request, bool) {
	depth, ok := h.subrequestDepth(r)
	if !ok {
		return r, false
	}
	return r.WithContext(context.WithValue(r.Context(), subreqDepthKey{}, depth+1)), true
}

// subrequestDepth is the nesting of r's subrequests, false when one more
// would pass SubrequestLimit, with apache2's AH00125 logged, naming the
// limit: each of mod_dir's subrequests, a DirectoryIndex file's too.
func (h *Handler) subrequestDepth(r *http.Request) (int, bool) {
	limit := h.SubrequestLimit
	if limit <= 0 {
		limit = defaultSubreqDepth
	}
	depth, _ := r.Context().Value(subreqDepthKey{}).(int)
	if depth >= limit {
		if h.logs(LevelError) {
			h.LogError(r, LevelError, "core", nil, "AH00125: Request exceeded the limit of "+strconv.Itoa(limit)+" subrequest nesting levels due to probable configuration error. "+
				"Use 'LimitInternalRecursion' to increase the limit if necessary. Use 'LogLevel debug' to get a backtrace.")
		}
		return depth, false
	}
	return depth, true
}

// InSubrequest reports whether r is one of mod_dir's subrequests (a
// DirectoryIndex or FallbackResource URL's) not fast-redirected to, whose
// answer is held back: an error of its own is r's main request's to answer
// (ErrorDocument).
func InSubrequest(r *http.Request) bool {
	return inLookup(r)
}

// indexURL serves the DirectoryIndex name holding a "/" (a URL-path, from
// the server's root when it starts with "/", else from r's directory) as
// mod_dir does: its subrequest is mapped as any request (Alias, handlers,
// <Location>), and a file it finds is served in r's place (0); else its
// status, see lookup.
func (h *Handler) indexURL(w http.ResponseWriter, r *http.Request, name string, single bool, o *Options, pre fields) int {
	uri := (&url.URL{Path: name}).EscapedPath()
	if !strings.HasPrefix(name, "/") {
		uri = r.URL.EscapedPath() + uri
	}
	return h.lookup(w, r, uri, single, o, nil, pre)
}

// lookup runs mod_dir's subrequest for uri (to which r's query is added)
// with its answer held back until its status is known: a success, a 304 or
// a content handler's own answer (OwnAnswer: a script's 404) is r's answer,
// and lookup returns 0; else the status for r to go on
// with, the subrequest's fields put on w when it is final for r (a
// redirect; with a single name, a 401 or 406). A subrequest past the
// nesting limit is a 500.
func (h *Handler) lookup(w http.ResponseWriter, r *http.Request, uri string, single bool, o *Options, main *Walk, pre fields) int {
	if o.Redirect == nil {
		return http.StatusNotFound
	}
	sr, ok := h.subrequest(r)
	if !ok {
		return http.StatusInternalServerError
	}
	if main != nil {
		sr = withWalk(sr, main) // a fallback: see Walk
	}
	if r.URL.RawQuery != "" {
		uri += "?" + r.URL.RawQuery
	}
	var name, info string
	held := &mainRequest{}
	c := http1.ConnFromRequest(r)
	if c != nil {
		name, info = c.Filename() // the subrequest's are its own
		held.user, held.userSet = c.User()
		held.authType = c.AuthType()
		held.logConf = http1.LogConfig(r)
	}
	ctx, hold := WithHold(context.WithValue(http1.WithoutURIPort(sr.Context(), true), mainRequestKey{}, held), 0)
	sr = sr.WithContext(ctx)
	p := &indexProbe{w: w, hd: w.Header().Clone(), main: held, hold: hold}
	// The subrequest's fixups run on r's fields as they were before r's
	// own changed them (pre, if it holds them: mod_headers runs after
	// mod_dir, under the settings r is fast-redirected to); r keeps its
	// own when it is not.
	own := saveFields(r)
	// A subrequest that finds nothing leaves r's variables as they were,
	// as apache2's, whose subrequest has a table of its own.
	e := http1.Env(r)
	vars := e.Entries()
	pre.restore(r)
	line := http1.StatusLine(w)
	o.Redirect(p, sr, uri)
	if p.status != 0 && !p.pass {
		// An answer held back leaves r's status line as it was (a
		// script's, set through Unwrap).
		http1.SetStatusLine(w, line)
		own.restore(r)
		if e != nil {
			e.Restore(vars)
		}
	}
	if c != nil {
		http1.SetFilename(r, name, info)
		c.RestoreUser(held.user, held.userSet, held.authType)
		http1.SetLogConfig(r, held.logConf)
	}
	switch {
	case p.status == 0:
		p.pass = true
		p.WriteHeader(http.StatusOK)
		fallthrough
	case p.pass:
		// The fast internal redirect gives r the subrequest's URI and
		// query: the access log's %U is the URL's, not r's, or the URI of
		// what the subrequest was fast-redirected to in turn (a
		// directory's index, a RewriteRule's [PT] target), its %q the
		// query the subrequest ended with (the rule's).
		if u := held.url; u != nil {
			r.URL.Path, r.URL.RawPath, r.URL.RawQuery = u.Path, u.RawPath, u.RawQuery
		} else if u, err := url.ParseRequestURI(uri); err == nil {
			r.URL.Path, r.URL.RawPath, r.URL.RawQuery = u.Path, u.RawPath, u.RawQuery
		}
		return 0
	case final(p.status, single):
		dst := w.Header()
		clear(dst)
		maps.Copy(dst, p.hd)
	}
	return p.status
}

// mainRequest is what a subrequest of lookup's leaves of its main request:
// apache2's ap_internal_fast_redirect gives the main request the
// subrequest's file, handler and settings, not its user (r->user,
// r->ap_auth_type) nor its parsed URI, whose missing port the subrequest's
// own redirects took (http1.WithoutURIPort), nor the levels its sections
// set (r->log: the subrequest's walk sets its own).
type mainRequest struct {
	user     string
	userSet  bool
	authType string
	logConf  any  // http1.LogConfig of the main request
	answered bool // the subrequest's answer is the main request's (fastRedirect)
	// url is the subrequest's URL as its handler sees it (fastRedirect),
	// whose path a fast redirect of its own (a directory's index file)
	// changes in place: apache2's rr->uri, which the main request takes.
	url *url.URL
}

type mainRequestKey struct{}

// ProxyAnswer is r, a subrequest of a DirectoryIndex or FallbackResource
// URL that mod_proxy answers (a ProxyPass), as its main request
// (fastRedirect): apache2's mod_dir fast-redirects to a subrequest whose
// handler is proxy-server before the handler runs. Any other r is returned
// as it is.
func ProxyAnswer(r *http.Request) *http.Request {
	return fastRedirect(r, true)
}

// inLookup reports whether r is a subrequest of lookup's not yet
// fast-redirected to.
func inLookup(r *http.Request) bool {
	main, _ := r.Context().Value(mainRequestKey{}).(*mainRequest)
	return main != nil
}

// fastRedirect is r, a subrequest of lookup's about to be answered by a
// handler, as its main request: with the main request's user, AuthType and
// error levels and the port of its Host field. When found (a regular file,
// a ProxyPass: what apache2's mod_dir fast-redirects to), its answer is the
// main request's whatever its status, an error answered under its own
// settings (ErrorDocument). Any other r is returned as it is.
func fastRedirect(r *http.Request, found bool) *http.Request {
	main, _ := r.Context().Value(mainRequestKey{}).(*mainRequest)
	if main == nil {
		return r
	}
	if found {
		main.answered = true
	}
	main.url = r.URL
	if c := http1.ConnFromRequest(r); c != nil {
		c.RestoreUser(main.user, main.userSet, main.authType)
		http1.SetLogConfig(r, main.logConf)
	}
	ctx := context.WithValue(http1.WithoutURIPort(r.Context(), false), mainRequestKey{}, (*mainRequest)(nil))
	return r.WithContext(ctx)
}

// indexStatus takes the status st of an index name's subrequest as
// mod_dir's fixup_dir does, and reports whether r is answered: a success
// (0) was; a final status is answered under o, r's settings; any other
// but 404 is noted in refused, for the search to go on.
func (h *Handler) indexStatus(w http.ResponseWriter, r *http.Request, st int, single bool, o *Options, refused *int) bool {
	switch {
	case st == 0:
		return true
	case final(st, single):
		h.error(w, r, st, o)
		return true
	case st != http.StatusNotFound:
		*refused = st
	}
	return false
}

// final reports whether mod_dir answers a request with its subrequest's
// status st (and fields): a redirect, or, for a single DirectoryIndex
// name, a 401 or 406.
func final(st int, single bool) bool {
	return st >= 300 && st < 400 || single && (st == http.StatusUnauthorized || st == http.StatusNotAcceptable)
}

// indexProbe holds back the answer to a mod_dir subrequest until its
// status says whether it is r's answer (pass) or dropped: a handler's own
// answer (a script's 404) is r's, as apache2's mod_dir fast-redirects r to
// the file it found before its handler runs.
type indexProbe struct {
	w      http.ResponseWriter
	hd     http.Header
	status int
	pass   bool
	main   *mainRequest // the subrequest's
	hold   *Hold
}

func (p *indexProbe) Header() http.Header { return p.hd }

func (p *indexProbe) WriteHeader(code int) {
	if code < 200 {
		p.w.WriteHeader(code)
		return
	}
	if p.status != 0 {
		return
	}
	p.status = code
	if code < 300 || code == http.StatusNotModified || p.main != nil && p.main.answered || p.hold.Own() {
		p.pass = true
		dst := p.w.Header()
		clear(dst)
		maps.Copy(dst, p.hd)
		p.w.WriteHeader(code)
	}
}

func (p *indexProbe) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.WriteHeader(http.StatusOK)
	}
	if !p.pass {
		return len(b), nil
	}
	return p.w.Write(b)
}

// Unwrap lets a script's status line (http1.SetStatusLine, "404 Nope")
// reach the engine's writer: an answer passed on is sent with it, as
// apache2 sends the r->status_line of the request mod_dir fast-redirects
// to; lookup puts the line back for one held back.
func (p *indexProbe) Unwrap() http.ResponseWriter { return p.w }

// FlushError flushes an answer that is r's (a script's streamed output);
// one held back has nothing to flush.
func (p *indexProbe) FlushError() error {
	if !p.pass {
		return nil
	}
	return http.NewResponseController(p.w).Flush()
}

// indexNames are the DirectoryIndex names under o.
func (h *Handler) indexNames(o *Options) []string {
	if o.DirectoryIndex != nil {
		return o.DirectoryIndex
	}
	return h.DirectoryIndex
}

// indexName is the access check of mod_dir's subrequest for the index name
// of the directory rel (ending in "/") r names, file or not: the name's
// settings, and the status of a refusal (logged; w, if not nil, gets an
// authentication challenge).
func (h *Handler) indexName(w http.ResponseWriter, r *http.Request, conf Configurer, croot, rel, name string) (*Options, int) {
	dir := strings.TrimSuffix(croot+rel, "/")
	io := h.subOptions(r, conf, subURL(r, rel, name), dir, name, Walk{Dir: dir, Path: r.URL.Path})
	st, why := io.check(w, r)
	h.logRefusals(r, why, croot+rel+name)
	return io, st
}

// indexRefusal is what mod_dir's search for the index of the directory rel
// (ending in "/") that r names, under o, answers without serving it: 0 when
// it finds a file or nothing is refused, else the last refusal. Names with
// a "/" are not looked up.
func (h *Handler) indexRefusal(r *http.Request, root, croot, rel string, conf Configurer, o *Options) int {
	refused := 0
	for _, name := range h.indexNames(o) {
		if strings.ContainsRune(name, '/') {
			continue
		}
		if _, st := h.indexName(nil, r, conf, croot, rel, name); st != 0 {
			refused = st
			continue
		}
		f, fi, fe, st, _ := h.open(root, rel+name)
		if f != nil {
			h.done(f, fe)
		}
		if st == 0 && fi.kind == kindRegular || st != 0 && st != http.StatusNotFound {
			return 0
		}
	}
	return refused
}
