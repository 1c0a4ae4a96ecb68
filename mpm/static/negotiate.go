package static

import (
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/negotiation"
)

// typeMapType is mod_negotiation's magic type for a type map.
const typeMapType = "application/x-type-map"

// isTypeMap says whether the Content-Type ct is typeMapType, which
// apache2's handler-by-type gives to mod_negotiation.
func isTypeMap(ct string) bool {
	if len(ct) < len(typeMapType) || !strings.EqualFold(ct[:len(typeMapType)], typeMapType) {
		return false
	}
	rest := strings.TrimLeft(ct[len(typeMapType):], " \t")
	return rest == "" || rest[0] == ';'
}

// maxTypeMap bounds the size of a type map read.
const maxTypeMap = 1 << 20

// chosen is the outcome of a negotiation among files: the variant's name
// (in the same directory), or status to answer (0 when nothing matched and
// the request goes on as without MultiViews).
type chosen struct {
	name   string
	status int
	body   *negotiation.Variant // a type map's Body: variant
	vlv    string               // the variant list validator for the ETag
	mapped bool                 // name is a type map's URI, not yet checked
	// transparent says the negotiation was transparent (its answer has
	// TCN), when name is set.
	transparent bool
}

// multiviews is mod_negotiation's MultiViews for rel (a file that does not
// exist) below root: the files named rel + "." + extensions are the variants,
// each with its own settings (conf) as apache2's subrequests; w gets Vary,
// TCN, Content-Location (and Alternates for a 406). A type map among the
// files is negotiated instead. The answer is 406 with the variant list when
// none is acceptable, 404 when files matched but none could be a variant.
func (h *Handler) multiviews(w http.ResponseWriter, r *http.Request, root, croot, rel string, conf Configurer, transparent bool) chosen {
	i := strings.LastIndexByte(rel, '/')
	dir, base := rel[:i], rel[i+1:]
	if base == "" {
		return chosen{}
	}
	entries, err := os.ReadDir(root + dir)
	if err != nil {
		return chosen{}
	}
	prefix := base + "."
	var vars []negotiation.Variant
	any := false
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || e.IsDir() {
			continue
		}
		any = true
		fi, err := os.Stat(root + dir + "/" + name)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		o := h.subOptions(r, conf, subURL(r, rel, name), croot+dir, name, walkOf(r, croot, rel))
		if st, why := o.check(nil, r); st != 0 || why != nil {
			if why != nil && h.logs(LevelError) { // the variant's subrequest logs its refusal
				h.logRefusals(r, why, croot+dir+"/"+name)
			}
			if st != 0 {
				continue
			}
		}
		if !o.FollowSymLinks {
			if ok, _ := symlinksAllowed(root, dir+"/"+name, o.SymLinksIfOwnerMatch); !ok {
				continue
			}
		}
		if !h.negotiable(name, base, o) {
			continue
		}
		ct := h.mimeType(dir+"/"+name, o)
		hd := h.handler(dir+"/"+name, o)
		if hd == "type-map" || isTypeMap(ct) {
			v, st := h.readTypeMap(r, root+dir+"/"+name)
			if st != 0 {
				return chosen{status: st}
			}
			c := h.choose(w, r, root+dir, croot+rel, v, transparent && neighbours(v), false, o.Negotiation)
			c.mapped = c.name != "" && c.body == nil
			return c
		}
		if ct == "" {
			continue
		}
		// The subrequest's fixups (fix_encoding) named the encoding as the
		// request does.
		enc := negotiation.FixEncoding(h.encoding(name, o), r.Header["Accept-Encoding"])
		v := negotiation.Variant{Name: name, Size: fi.Size(), Body: -1, Encoding: enc, HasHandler: hd != ""}
		v.SetType(ct)
		if l := h.languages(name, o); l != "" {
			v.Languages = negotiation.Languages(l)
		}
		vars = append(vars, v)
	}
	if len(vars) == 0 {
		if any {
			if h.logs(LevelError) {
				h.LogError(r, LevelError, "negotiation", nil, "AH00687: Negotiation: discovered file(s) matching request: "+croot+rel+" (None could be negotiated).")
			}
			return chosen{status: http.StatusNotFound}
		}
		return chosen{}
	}
	negotiation.Sort(vars)
	o := h.subOptions(r, conf, subURL(r, rel, base), croot+dir, base, walkOf(r, croot, rel))
	c := h.choose(w, r, root+dir, croot+rel, vars, transparent, true, o.Negotiation)
	if c.name != "" {
		c.vlv = dirValidator(root + dir)
	}
	return c
}

// neighbours says whether a type map's variants are all files beside it
// (apache2 negotiates transparently only then).
func neighbours(vars []negotiation.Variant) bool {
	for i := range vars {
		if strings.ContainsRune(vars[i].Name, '/') || vars[i].Body >= 0 {
			return false
		}
	}
	return true
}

// choose negotiates among vars for r and sets the answer's fields.
// multi says the variants are MultiViews' (not a type map's).
func (h *Handler) choose(w http.ResponseWriter, r *http.Request, dir, filename string, vars []negotiation.Variant, transparent, multi bool, conf *negotiation.Config) chosen {
	if conf == nil {
		conf = &negotiation.Config{}
	}
	req := &negotiation.Request{Header: r.Header, Transparent: transparent}
	if e := http1.Env(r); e != nil {
		req.PreferLanguage, _ = e.Get("prefer-language")
		_, req.NoGzip = e.Get("no-gzip")
		v, _ := e.Get("gzip-only-text/html")
		req.GzipOnlyHTML = v == "1"
	}
	res := negotiation.Choose(req, vars, conf)
	hd := w.Header()
	if res.Alternates != "" {
		hd["Alternates"] = []string{res.Alternates}
	}
	if res.Vary != "" {
		http1.AddVary(hd, res.Vary)
	}
	if res.TCN != "" {
		hd["TCN"] = []string{res.TCN}
	}
	if res.Best < 0 {
		if h.logs(LevelError) {
			h.LogError(r, LevelError, "negotiation", nil, "AH00690: no acceptable variant: "+filename)
		}
		http1.SetVariantList(r, negotiation.List(vars))
		return chosen{status: http.StatusNotAcceptable}
	}
	if res.ContentLocation != "" {
		hd["Content-Location"] = []string{res.ContentLocation}
	}
	if !conf.CacheDocs && !r.ProtoAtLeast(1, 1) && !multi && len(hd["Expires"]) == 0 {
		// apache2's r->no_cache for an HTTP/1.0 client: expired at once
		// (MultiViews' fast redirect to the variant's subrequest drops it).
		hd["Expires"] = []string{time.Now().UTC().Format(http.TimeFormat)}
	}
	best := &vars[res.Best]
	if best.Body >= 0 {
		return chosen{name: best.Name, body: best, transparent: transparent}
	}
	return chosen{name: best.Name, transparent: transparent}
}

// readTypeMap reads the type map file name (AH00683 when it cannot).
func (h *Handler) readTypeMap(r *http.Request, name string) ([]negotiation.Variant, int) {
	f, err := os.Open(name)
	if err != nil {
		if h.logs(LevelError) {
			h.LogError(r, LevelError, "negotiation", err, "AH00683: cannot access type map file: "+name)
		}
		if errors.Is(err, os.ErrNotExist) {
			return nil, http.StatusNotFound
		}
		return nil, http.StatusForbidden
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTypeMap))
	if err != nil {
		return nil, http.StatusForbidden
	}
	vars, err := negotiation.ParseMap(data, name[strings.LastIndexByte(name, '/')+1:])
	if err != nil {
		if h.logs(LevelError) {
			h.LogError(r, LevelError, "negotiation", nil, "AH00681: Syntax error in type map: "+name)
		}
		return nil, http.StatusInternalServerError
	}
	return vars, 0
}

// serveTypeMap is mod_negotiation's type-map handler for the map file rel:
// the variant chosen is served by an internal redirect to its URI, or from
// the map itself for a Body: variant.
func (h *Handler) serveTypeMap(w http.ResponseWriter, r *http.Request, root, croot, rel string, o *Options, conf Configurer) {
	vars, st := h.readTypeMap(r, root+rel)
	if st != 0 {
		h.error(w, r, st, o)
		return
	}
	// find_content_length: a variant without Content-Length has its file's
	// size (for the smallest's tie-break and Alternates' {length}), the
	// URI joined to the map's directory as it is written.
	dir := root + rel[:strings.LastIndexByte(rel, '/')+1]
	for i := range vars {
		if v := &vars[i]; v.Size < 0 && v.Body < 0 {
			if fi, err := os.Stat(dir + v.Name); err == nil {
				v.Size = fi.Size()
			}
		}
	}
	transparent := (r.Method == http.MethodGet || r.Method == http.MethodHead) && neighbours(vars)
	c := h.choose(w, r, root, croot+rel, vars, transparent, false, o.Negotiation)
	if c.status > 0 {
		h.error(w, r, c.status, o)
		return
	}
	if c.body != nil {
		h.serveMapBody(w, r, root+rel, c.body, o)
		return
	}
	// The variant's subrequest, before the redirect to it: refused, the
	// answer has none of the negotiation's fields.
	nrel, bad := CleanPath(&url.URL{Path: rel[:strings.LastIndexByte(rel, '/')+1] + c.name})
	if bad != 0 {
		dropNegotiation(w.Header())
		h.invalidURI(w, r, c.name, o)
		return
	}
	vuri, _ := CleanPath(&url.URL{Path: r.URL.Path[:strings.LastIndexByte(r.URL.Path, '/')+1] + c.name})
	st, vo := h.refused(w, r, root, croot, nrel, vuri, conf, walkOf(r, croot, rel))
	if st != 0 {
		dropNegotiation(w.Header())
		h.error(w, r, st, o)
		return
	}
	if transparent && h.alsoNegotiates(r, root, croot, nrel, vo, conf) {
		// mod_negotiation's setup_choice_response: a transparent map's
		// variant that negotiates in turn (the map itself, say): a 506
		// whose fields are the error page's alone.
		dropNegotiation(w.Header())
		h.error(w, r, http.StatusVariantAlsoNegotiates, o)
		return
	}
	if h.RedirectsExceeded(r, h.RedirectLimit) {
		// ap_internal_redirect past LimitInternalRecursion (a map whose
		// variant is a map again, not negotiated transparently).
		h.error(w, r, http.StatusInternalServerError, o)
		return
	}
	udir := r.URL.EscapedPath()
	udir = udir[:strings.LastIndexByte(udir, '/')+1]
	uri := udir + c.name
	if r.URL.RawQuery != "" {
		uri += "?" + r.URL.RawQuery
	}
	// mod_negotiation's internal redirect to the variant
	// (ap_internal_redirect): a request of its own, the map's keeping its
	// status (the access log's %s, the variant's URL-path its %>U), its
	// variables renamed REDIRECT_* with REDIRECT_STATUS, and named as the
	// previous request (a script variant's REDIRECT_URL and
	// REDIRECT_QUERY_STRING).
	u, err := url.ParseRequestURI(uri)
	ctx := WithPrevious(r.Context(), r)
	if o.Redirect != nil {
		var next *http.Request
		if err == nil {
			next = &http.Request{Method: r.Method, URL: u}
		}
		RenameEnv(r, RequestStatus(r), next)
		main := walkOf(r, croot, rel)
		o.Redirect(w, withWalk(r.WithContext(ctx), &main), uri)
		return
	}
	if err != nil {
		h.error(w, r, http.StatusInternalServerError, o)
		return
	}
	r2 := r.Clone(ctx)
	r2.URL, r2.RequestURI = u, uri
	RenameEnv(r, RequestStatus(r), r2)
	h.ServeHTTP(w, r2)
}

// serveMapBody answers with a type map's Body: variant v.
func (h *Handler) serveMapBody(w http.ResponseWriter, r *http.Request, name string, v *negotiation.Variant, o *Options) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost && r.Method != http.MethodHead {
		w.Header()["Allow"] = []string{"GET,OPTIONS,POST"}
		h.error(w, r, http.StatusMethodNotAllowed, o)
		return
	}
	f, err := os.Open(name)
	if err != nil {
		h.error(w, r, http.StatusNotFound, o)
		return
	}
	defer f.Close()
	hd := w.Header()
	hd["Accept-Ranges"] = []string{"bytes"}
	hd["Content-Length"] = []string{strconv.FormatInt(v.Size, 10)}
	if v.Type != "" {
		ct := v.Type
		if v.Charset != "" {
			ct += "; charset=" + v.Charset
		}
		hd["Content-Type"] = []string{ct}
	}
	if len(v.Languages) > 0 {
		hd["Content-Language"] = []string{strings.Join(v.Languages, ", ")}
	}
	if v.Encoding != "" {
		hd["Content-Encoding"] = []string{negotiation.FixEncoding(v.Encoding, r.Header["Accept-Encoding"])}
	}
	if st := checkConditions(r, "", time.Time{}, time.Now()); st != 0 && st != http.StatusOK {
		w.WriteHeader(st)
		return
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		io.Copy(w, io.NewSectionReader(f, v.Body, v.Size))
	}
}

// aboveDir says whether the type map URI name climbs out of the map's
// directory.
func aboveDir(name string) bool {
	_, st := CleanPath(&url.URL{Path: "/" + name})
	return st == http.StatusBadRequest
}

// invalidURI answers 400 for a type map's variant URI that climbs out of
// the map's directory (MultiViews) or the root (the map's handler), as
// apache2's subrequest or internal redirect to it does (AH10244).
func (h *Handler) invalidURI(w http.ResponseWriter, r *http.Request, name string, o *Options) {
	if h.logs(LevelError) {
		h.LogError(r, LevelError, "core", nil, "AH10244: invalid URI path ("+name+")")
	}
	h.error(w, r, http.StatusBadRequest, o)
}

// refused is the status of a type map variant's subrequest for nrel (a
// clean path below root) at the URL-path uri, 0 when it may be served: its
// own access settings (logged as apache2's) and symlink options.
func (h *Handler) refused(w http.ResponseWriter, r *http.Request, root, croot, nrel, uri string, conf Configurer, main Walk) (int, *Options) {
	j := strings.LastIndexByte(nrel, '/')
	o := h.subOptions(r, conf, uri, croot+nrel[:j], nrel[j+1:], main)
	st, why := o.check(w, r)
	if why != nil {
		h.logRefusals(r, why, croot+nrel)
	}
	if st == 0 && !o.FollowSymLinks {
		if ok, n := symlinksAllowed(root, nrel, o.SymLinksIfOwnerMatch); !ok {
			if h.logs(LevelError) {
				h.logSymlink(r, "AH00037", croot+nrel[:n])
			}
			st = http.StatusForbidden
		}
	}
	return st, o
}

// typeMap reports whether rel, of type ct under o, is served by
// mod_negotiation's type-map handler, by its handler's name or its type.
func (h *Handler) typeMap(rel, ct string, o *Options) bool {
	return isTypeMap(ct) || (o.SetHandler != "" || h.Handlers != nil || o.MIME != nil) && h.handler(rel, o) == "type-map"
}

// alsoNegotiates reports whether the variant nrel (a clean path below
// root) that a transparent negotiation chose, under its settings vo, is
// negotiated in turn, as mod_negotiation's setup_choice_response finds
// (506 Variant Also Negotiates): a type map (the map itself, say), or a
// name that does not exist which MultiViews negotiates (transparently:
// its subrequest, a GET, answers with TCN).
func (h *Handler) alsoNegotiates(r *http.Request, root, croot, nrel string, vo *Options, conf Configurer) bool {
	if h.typeMap(nrel, h.contentType(nrel, vo), vo) {
		return true
	}
	if !vo.MultiViews {
		return false
	}
	if _, err := os.Lstat(root + nrel); !errors.Is(err, fs.ErrNotExist) {
		return false
	}
	hd := fieldsOnly{}
	h.multiviews(hd, r, root, croot, nrel, conf, true)
	return hd["TCN"] != nil
}

// fieldsOnly is a ResponseWriter that keeps the fields set and drops the
// rest: a subrequest's answer looked at, not sent.
type fieldsOnly http.Header

func (f fieldsOnly) Header() http.Header       { return http.Header(f) }
func (fieldsOnly) Write(b []byte) (int, error) { return len(b), nil }
func (fieldsOnly) WriteHeader(int)             {}

// dropNegotiation removes the negotiation's fields from hd when the variant
// chosen is refused (apache2 sets them once the variant's subrequest is).
func dropNegotiation(hd http.Header) {
	for _, k := range [...]string{"Alternates", "Tcn", "TCN", "Content-Location", "Vary"} {
		delete(hd, k)
	}
}

// variant opens the variant c.name chosen for rel (a path below root that
// does not exist) as apache2's fast redirect to its subrequest: the file, its
// settings, rel now naming it, and r's URL-path its name. false when it
// answered (the variant could not be opened, is refused or negotiates in
// turn). c.mapped says the name is a type map's URI: its settings are
// checked here (MultiViews checked the files it found).
func (h *Handler) variant(w http.ResponseWriter, r *http.Request, root, croot, rel string, c chosen, conf Configurer) (*os.File, meta, *cachedFile, *Options, string, bool) {
	name, mapped := c.name, c.mapped
	i := strings.LastIndexByte(rel, '/')
	dir := rel[:i]
	if mapped && aboveDir(name) {
		h.invalidURI(w, r, name, h.options(r, conf, croot+dir, rel[i+1:]))
		return nil, meta{}, nil, nil, "", false
	}
	nrel := dir + "/" + name
	if strings.ContainsRune(name, '/') || strings.HasPrefix(name, ".") {
		nrel, _ = CleanPath(&url.URL{Path: nrel})
	}
	uri := subURL(r, rel, nrel[i+1:])
	if mapped {
		st, vo := h.refused(w, r, root, croot, nrel, uri, conf, walkOf(r, croot, rel))
		if st == 0 && c.transparent && h.alsoNegotiates(r, root, croot, nrel, vo, conf) {
			st = http.StatusVariantAlsoNegotiates
		}
		if st != 0 {
			dropNegotiation(w.Header())
			h.error(w, r, st, h.options(r, conf, croot+dir, rel[i+1:]))
			return nil, meta{}, nil, nil, "", false
		}
	}
	j := strings.LastIndexByte(nrel, '/')
	o := h.subOptions(r, conf, uri, croot+nrel[:j], nrel[j+1:], walkOf(r, croot, rel))
	if strings.HasSuffix(r.URL.Path, rel[i:]) {
		r.URL.Path, r.URL.RawPath = uri, ""
	}
	f, fi, fe, st, err := h.open(root, nrel)
	if st == http.StatusNotFound && mapped && o.MultiViews && errors.Is(err, fs.ErrNotExist) {
		// The variant's subrequest (a GET) negotiates a MultiViews name in
		// turn, its fields the answer's too, and r is fast-redirected to
		// what it chose (the map's negotiation was not transparent, else
		// a 506 above), as deep as subrequests nest.
		sr, ok := h.subrequest(r)
		if !ok {
			h.error(w, r, http.StatusInternalServerError, o)
			return nil, meta{}, nil, nil, "", false
		}
		c := h.multiviews(w, sr, root, croot, nrel, conf, true)
		switch {
		case c.status != 0:
			h.error(w, r, c.status, o)
			return nil, meta{}, nil, nil, "", false
		case c.name != "":
			return h.variant(w, sr, root, croot, nrel, c, conf)
		}
	}
	if st != 0 {
		h.logOpenError(r, root, croot, nrel, err)
		h.error(w, r, st, o)
		return nil, meta{}, nil, nil, "", false
	}
	answer(r, o, fi.mtime)
	return f, fi, fe, o, nrel, true
}

// dirValidator is apache2's variant list validator of a MultiViews
// negotiation in the directory dir: its modification time (as a weak
// validator within a second of now).
func dirValidator(dir string) string {
	fi, err := os.Stat(dir)
	if err != nil {
		return ""
	}
	us := fi.ModTime().UnixMicro()
	v := strconv.FormatInt(us, 16)
	if time.Now().UnixMicro()-us < 1e6 {
		return "W/" + v
	}
	return v
}

// joinVLV is apache2's structured ETag of a negotiated answer: the variant's
// ETag with ";" and the variant list validator in place of its closing
// quote (apache2 leaves the quote out), weak if either is.
func joinVLV(etag, vlv string) string {
	weak := strings.HasPrefix(etag, "W/") || strings.HasPrefix(vlv, "W/")
	etag = strings.TrimPrefix(etag, "W/")
	vlv = strings.TrimPrefix(vlv, "W/")
	out := strings.TrimSuffix(etag, `"`) + ";" + vlv
	if weak {
		out = "W/" + out
	}
	return out
}

// defaultRedirectLimit is apache2's LimitInternalRecursion default.
const defaultRedirectLimit = 10

// RedirectsExceeded reports whether r, about to be redirected internally,
// came through limit internal redirects already (0: apache2's default),
// logging apache2's AH00124 when so.
func (h *Handler) RedirectsExceeded(r *http.Request, limit int) bool {
	if limit <= 0 {
		limit = defaultRedirectLimit
	}
	if Redirects(r) < limit {
		return false
	}
	if h.logs(LevelError) {
		h.LogError(r, LevelError, "core", nil, "AH00124: Request exceeded the limit of "+strconv.Itoa(limit)+" internal redirects due to probable configuration error. "+
			"Use 'LimitInternalRecursion' to increase the limit if necessary. Use 'LogLevel debug' to get a backtrace.")
	}
	return true
}
