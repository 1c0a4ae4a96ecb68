package rewrite

import (
	"fmt"
	"github.com/httpd-mpm/httpd-mpm/internal/apuri"
	"github.com/httpd-mpm/httpd-mpm/internal/cnum"
	"github.com/httpd-mpm/httpd-mpm/mpm/apexpr"
	"github.com/httpd-mpm/httpd-mpm/mpm/env"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// Request is what the rules see of one request and what they leave on it.
// It is not safe for concurrent use.
type Request struct {
	R *http.Request
	// URI is REQUEST_URI: the request's clean URL-path (apache2's r->uri).
	URI string
	// Query is QUERY_STRING; HasQuery tells "" from none.
	Query    string
	HasQuery bool
	// DocumentRoot is the server's.
	DocumentRoot string
	// Out takes the answer's Set-Cookie (CO) and Vary fields.
	Out http.Header
	// Env is the request's environment (mod_env, mod_setenvif): E= sets
	// and unsets in it, %{ENV:var} reads it (then the process's). Nil: an
	// environment of the rules' own.
	Env *env.Vars
	// End is set by a rule with [END]: no more rewriting for the request.
	End bool
	// Type is the T= media type of the last rule that set one.
	Type string
	// Maps are the server's RewriteMap lines (Dir.Maps of its level), which
	// ${NAME:key} looks up in the server context and per directory.
	Maps map[string]*Map
	// MapErrors take the lookups' failures that apache2 logs.
	MapErrors []MapError
	// LimitRequestLine bounds a rewritten path at twice its size (apache2's
	// guard against rules that grow it forever); 0 means 8190.
	LimitRequestLine int
}

// Action is what a rule set decided.
type Action int

const (
	Declined    Action = iota // no rule rewrote: carry on with the request as it was
	Status                    // answer Result.Status (F, G, R=4xx, N's bound, bad query)
	Redirect                  // answer Result.Status with Location Result.Location
	Local                     // serve Result.Path (server context: file path or URL-path; per directory: URL-path to redirect to internally)
	PassThrough               // server context [PT]: carry on with Result.Path as the URL-path
	Proxy                     // server context [P]: proxy to the absolute URL Result.Path (query included)
	Unchanged                 // per directory: the rules gave the file back: serve it as it was
)

// Result is the outcome of Apply or ApplyDir. Query/HasQuery are the
// request's query string after the rules.
type Result struct {
	Action   Action
	Status   int
	Location string
	Path     string
	// FilePath: Path is a file system path (server context: its first
	// segment exists, as apache2's prefix_stat), not a URL-path under
	// DocumentRoot.
	FilePath bool
	// Log is apache2's error-log line for a Status the rules hit as an
	// error ("AH02596: ..."), "" for none.
	Log string
}

// rule set return codes (apply_rewrite_list's).
const (
	actNone = iota
	actNormal
	actNoEscape
	actStatus
)

type match struct {
	src string
	idx []int
}

func (m *match) group(n int) (string, bool) {
	if m.idx == nil || 2*n+1 >= len(m.idx) || m.idx[2*n] < 0 || m.idx[2*n+1] <= m.idx[2*n] {
		return "", false
	}
	return m.src[m.idx[2*n]:m.idx[2*n+1]], true
}

type engine struct {
	req      *Request
	perdir   string
	base     string // RewriteBase, per directory
	uri      string // what the current rule matches
	filename string
	status   int
	log      string // error-log line of an actStatus
	rr, rc   match
	vary     []string
	varyThis []string
	reduced  bool
	lastsub  *Rule
	// qmarks records where the "?" of an expanded substitution came from:
	// qFirstExpanded/qLastExpanded for the first and last one, qSeen once
	// there is one.
	qmarks uint8
	nested int // inside a map's key or default
}

const (
	qSeen uint8 = 1 << iota
	qFirstExpanded
	qLastExpanded
)

// note records a "?" of the substitution, from an expansion or written
// (not one of a map's key or default: apache2 does not track those).
func (e *engine) note(expanded bool) {
	if e.nested > 0 {
		return
	}
	if e.qmarks&qSeen == 0 {
		e.qmarks |= qSeen
		if expanded {
			e.qmarks |= qFirstExpanded
		}
	}
	if expanded {
		e.qmarks |= qLastExpanded
	} else {
		e.qmarks &^= qLastExpanded
	}
}

// unsafeQmark is do_expand's unsafe_qmark: the "?" that splits the query
// (the first, the last with QSL) came from an expansion.
func (e *engine) unsafeQmark(p *Rule) bool {
	if p.flags&flagQSL != 0 {
		return e.qmarks&qLastExpanded != 0
	}
	return e.qmarks&qFirstExpanded != 0
}

// Apply runs the server context's rules (apache2's hook_uri2file) on the
// request: d is the server level (its Rules and Enabled).
func Apply(d *Dir, req *Request) Result {
	if !d.Enabled() || len(d.rules) == 0 || req.End || !strings.HasPrefix(req.URI, "/") {
		return Result{}
	}
	e := &engine{req: req, filename: req.URI}
	if res, final := e.run(d.rules); final {
		return res
	}
	if p, ok := strings.CutPrefix(e.filename, "passthrough:"); ok {
		return Result{Action: PassThrough, Path: p}
	}
	if u, ok := strings.CutPrefix(e.filename, "proxy:"); ok {
		if req.HasQuery {
			u += "?" + req.Query
		}
		return Result{Action: Proxy, Path: u}
	}
	if !strings.HasPrefix(e.filename, "/") {
		return Result{Action: Status, Status: http.StatusBadRequest}
	}
	return Result{Action: Local, Path: e.filename, FilePath: !e.reduced && e.prefixStat(e.filename)}
}

// ApplyDir runs a directory's merged rules (apache2's hook_fixup) on the file
// path filename. followSymLinks is Options FollowSymLinks or
// SymLinksIfOwnerMatch, without which apache2 refuses per-directory rules
// with a 403.
func ApplyDir(d *Dir, req *Request, filename string, followSymLinks bool) Result {
	if !d.Enabled() || d.Directory == "" || req.End {
		return Result{}
	}
	if d.options&OptNoSlash == 0 && filename == strings.TrimSuffix(d.Directory, "/") {
		return Result{}
	}
	if !followSymLinks {
		return Result{Action: Status, Status: http.StatusForbidden, Log: "AH00670: Options FollowSymLinks and SymLinksIfOwnerMatch are both off, " +
			"so the RewriteRule directive is also forbidden due to its similar ability to circumvent directory restrictions : " + filename}
	}
	e := &engine{req: req, perdir: d.Directory, base: d.base, filename: filename}
	if res, final := e.run(d.rules); final {
		return res
	}
	fn := strings.TrimPrefix(e.filename, "passthrough:")
	if !strings.HasPrefix(fn, "/") {
		return Result{Action: Status, Status: http.StatusBadRequest}
	}
	if fn == filename {
		return Result{Action: Unchanged}
	}
	if e.base != "" {
		fn = substPrefix(fn, d.Directory, e.base)
	} else if root := strings.TrimSuffix(req.DocumentRoot, "/"); root != "" && strings.HasPrefix(fn, root+"/") {
		fn = fn[len(root):]
	}
	return Result{Action: Local, Path: fn}
}

// run applies rules and gives the outcome when it is final (no rewrite, a
// status, a redirect, a bad query); otherwise e.filename is a local result.
func (e *engine) run(rules []*Rule) (Result, bool) {
	req := e.req
	oquery, ohas := req.Query, req.HasQuery
	st := e.list(rules)
	if st == actNone {
		return Result{}, true
	}
	// A query left with a control character or a space is refused unless
	// the redirect escapes it: before a status, before an [NE] redirect.
	skip := absoluteURI(e.filename)
	if req.HasQuery && !(skip > 0 && st != actNoEscape) && badQuery(req.Query) {
		ah := "AH10410"
		if e.perdir != "" {
			ah = "AH10411"
		}
		return Result{Action: Status, Status: http.StatusForbidden, Log: ah + ": Rewritten query string contains control characters or spaces"}, true
	}
	if st == actStatus {
		return Result{Action: Status, Status: e.status, Log: e.log}, true
	}
	if skip > 0 {
		if e.base != "" {
			e.rebase(skip)
		}
		return e.redirect(st, skip, oquery, ohas), true
	}
	return Result{}, false
}

// rebase replaces, in the path of a per-directory redirect's URL, the
// directory by the RewriteBase.
func (e *engine) rebase(skip int) {
	rest := e.filename[skip:]
	if i := strings.IndexByte(rest, '/'); i >= 0 && i+1 < len(rest) {
		cp := rest[i+1:]
		if out := substPrefix(cp, strings.TrimPrefix(e.perdir, "/"), e.base[1:]); out != cp {
			e.filename = e.filename[:skip+i+1] + out
		}
	}
}

// redirect is the answer to a rule set that ended on an absolute URL.
func (e *engine) redirect(st, skip int, oquery string, ohas bool) Result {
	loc := e.filename
	if st != actNoEscape {
		loc = escapeAbsolute(loc, skip)
	}
	if e.req.HasQuery {
		q := e.req.Query
		if st != actNoEscape && !(ohas && q == oquery) {
			q = apuri.EscapePath(q, true)
		}
		loc += "?" + q
	}
	n := e.status
	if n < 300 || n > 399 {
		n = http.StatusFound
	}
	return Result{Action: Redirect, Status: n, Location: loc}
}

// list is apply_rewrite_list.
func (e *engine) list(rules []*Rule) int {
	changed := actNone
	round := 1
	limit := e.req.LimitRequestLine
	if limit <= 0 {
		limit = 8190
	}
loop:
	for i := 0; i < len(rules); i++ {
		p := rules[i]
		e.vary = e.vary[:0]
		matched, rc := e.rule(p)
		if !matched {
			for i < len(rules) && rules[i].flags&flagChain != 0 {
				i++
			}
			continue
		}
		if p.flags&flagNoSub == 0 {
			e.lastsub = p
		}
		if len(e.filename) > 2*limit {
			e.status = http.StatusInternalServerError
			e.log = fmt.Sprintf("RewriteRule '%s' and URI '%s' exceeded maximum length (%d)", p.pattern, e.req.URI, 2*limit)
			return actStatus
		}
		if len(e.vary) > 0 && e.req.Out != nil {
			e.req.Out.Add("Vary", strings.Join(e.vary, ", "))
		}
		if rc == actStatus {
			return actStatus
		}
		if p.flags&flagStatus != 0 {
			return actStatus
		}
		if p.flags&flagNoSub == 0 {
			changed = actNormal
			if p.flags&flagNoEscape != 0 {
				changed = actNoEscape
			}
		}
		if p.flags&flagPassThrough != 0 {
			e.filename = "passthrough:" + e.filename
			return actNormal
		}
		if p.flags&flagProxy != 0 && strings.HasPrefix(e.filename, "proxy:") {
			return actNormal // [P] implies [L]
		}
		if p.flags&flagEnd != 0 {
			e.req.End = true
			break
		}
		if p.flags&flagLast != 0 {
			break
		}
		if p.flags&flagNext != 0 {
			round++
			if round >= p.maxRounds {
				e.status = http.StatusInternalServerError
				e.log = fmt.Sprintf("AH02596: RewriteRule '%s' and URI '%s' exceeded maximum number of rounds (%d) via the [N] flag",
					p.pattern, e.req.URI, p.maxRounds)
				return actStatus
			}
			goto loop
		}
		i += min(p.skip, len(rules)-i)
	}
	return changed
}

// rule is apply_rewrite_rule: whether p matched, and actStatus when it set
// the status itself.
func (e *engine) rule(p *Rule) (bool, int) {
	e.uri = e.filename
	if e.perdir != "" && strings.HasPrefix(e.uri, e.perdir) {
		e.uri = e.uri[len(e.perdir):]
	}
	idx := p.re.FindStringSubmatchIndex(e.uri)
	if (idx != nil) == p.not {
		return false, 0
	}
	e.varyThis = e.varyThis[:0]
	e.rc = match{}
	if p.not {
		e.rr = match{}
	} else {
		e.rr = match{src: e.uri, idx: idx}
	}
	for i := 0; i < len(p.conds); i++ {
		c := p.conds[i]
		ok := e.cond(c)
		if c.novary {
			e.varyThis = e.varyThis[:0]
		}
		if c.or {
			if !ok {
				e.varyThis = e.varyThis[:0]
				continue
			}
			for i < len(p.conds) && p.conds[i].or {
				i++
			}
		} else if !ok {
			return false, 0
		}
		e.vary = append(e.vary, e.varyThis...)
		e.varyThis = e.varyThis[:0]
	}
	var out string
	if p.flags&flagNoSub == 0 {
		e.qmarks = 0
		out = e.expand(p.output, p)
		if p.flags&flagAllow3F == 0 && e.unsafeQmark(p) {
			// A "?" a back-reference or variable brought in would split the
			// query there (an encoded %3f in the request).
			e.status = http.StatusForbidden
			e.log = "AH10508: Unsafe URL with %3f URL rewritten without UnsafeAllow3F"
			return true, actStatus
		}
	}
	for _, v := range p.env {
		e.setEnv(e.expand(v, nil))
	}
	for _, c := range p.cookies {
		e.cookie(e.expand(c, nil))
	}
	if p.flags&flagNoSub != 0 {
		e.forceType(p)
		if p.flags&flagStatus != 0 {
			e.status = p.status
		}
		return true, 0
	}
	prefixAdded := false
	if !strings.HasPrefix(out, "/") && absoluteURI(out) == 0 {
		if e.perdir != "" {
			out = e.perdir + out
			prefixAdded = true
		} else if p.flags&flagRedirect == 0 {
			out = "/" + out
			prefixAdded = true
		}
	}
	e.filename = out
	e.splitQuery(p.flags)
	if p.flags&flagProxy != 0 {
		// mod_rewrite's [P]: the URL made absolute, for mod_proxy.
		e.qualify()
		e.filename = "proxy:" + e.filename
		return true, 0
	}
	if p.flags&flagRedirect != 0 {
		e.qualify()
		e.status = p.status
		return true, 0
	}
	e.reduce()
	if absoluteURI(e.filename) > 0 {
		e.status = p.status
		return true, 0
	}
	if p.flags&flagUNC == 0 && !prefixAdded && !strings.HasPrefix(p.output, "//") {
		for strings.HasPrefix(e.filename, "//") {
			e.filename = e.filename[1:]
		}
	}
	e.forceType(p)
	return true, 0
}

func (e *engine) forceType(p *Rule) {
	if p.mimeType == "" {
		return
	}
	if t := e.expand(p.mimeType, p); t != "" {
		e.req.Type = strings.ToLower(t)
	}
}

// splitQuery is splitout_queryargs.
func (e *engine) splitQuery(flags ruleFlags) {
	req := e.req
	if flags&flagQSNone != 0 {
		req.Query, req.HasQuery = "", false
		return
	}
	skip := absoluteURI(e.filename)
	if skip > 0 && !queryScheme(e.filename) {
		req.Query, req.HasQuery = "", false
		return
	}
	if flags&flagQSD != 0 {
		req.Query, req.HasQuery = "", false
	}
	var i int
	if flags&flagQSL != 0 {
		i = strings.LastIndexByte(e.filename[skip:], '?')
	} else {
		i = strings.IndexByte(e.filename[skip:], '?')
	}
	if i < 0 {
		return
	}
	q := e.filename[skip+i+1:]
	e.filename = e.filename[:skip+i]
	if flags&flagQSA != 0 {
		if q != "" {
			if req.HasQuery {
				req.Query = q + "&" + req.Query
			} else {
				req.Query = q + "&"
			}
			req.HasQuery = true
		}
	} else {
		req.Query, req.HasQuery = q, true
	}
	if req.HasQuery {
		switch {
		case req.Query == "":
			req.HasQuery = false
		case strings.HasSuffix(req.Query, "&"):
			req.Query = req.Query[:len(req.Query)-1]
		}
	}
}

// qualify is fully_qualify_uri.
func (e *engine) qualify() {
	if absoluteURI(e.filename) > 0 {
		return
	}
	p := e.filename
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	e.filename = http1.SelfURL(e.req.R, p)
}

// reduce is reduce_uri: an absolute URL naming this server becomes its path.
func (e *engine) reduce() {
	self := http1.SelfURL(e.req.R, "")
	scheme, _, _ := strings.Cut(self, "://")
	f := e.filename
	if len(f) <= len(scheme)+3 || !strings.EqualFold(f[:len(scheme)], scheme) || f[len(scheme):len(scheme)+3] != "://" {
		return
	}
	rest := f[len(scheme)+3:]
	hostport, path := rest, "/"
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		hostport, path = rest[:i], rest[i:]
	}
	host, port, ok := strings.Cut(hostport, ":")
	if !ok {
		port = http1.DefaultPort(scheme)
	}
	_, myHost, myPort := apexpr.SplitSelf(self)
	if strings.EqualFold(host, myHost) && cnum.Atoi(port) == cnum.Atoi(myPort) {
		e.filename = path
		e.reduced = true
	}
}

// prefixStat is prefix_stat: whether the local path fn is a file system path
// (its first segment exists and the rule wrote it, or it lies under the
// DocumentRoot) rather than a URL-path under the DocumentRoot.
func (e *engine) prefixStat(fn string) bool {
	first := fn
	if i := strings.IndexByte(fn[1:], '/'); i >= 0 {
		first = fn[:i+1]
	}
	if _, err := os.Stat(first); err != nil {
		return false
	}
	if e.lastsub == nil || e.lastsub.flags&flagUnsafePrefixStat != 0 {
		return true
	}
	root := e.req.DocumentRoot
	return strings.HasPrefix(e.lastsub.output, first) || root != "" && strings.HasPrefix(fn, root)
}

// setEnv applies one E= "var:value" or "!var".
func (e *engine) setEnv(s string) {
	if e.req.Env == nil {
		e.req.Env = new(env.Vars)
	}
	if name, ok := strings.CutPrefix(s, "!"); ok {
		e.req.Env.Unset(name)
		return
	}
	name, val, _ := strings.Cut(s, ":")
	e.req.Env.Set(name, val)
}

// cookie is add_cookie: "name:value:domain[:lifetime[:path[:secure[:httponly[:samesite]]]]]"
// (";" separates instead when the value starts with one).
func (e *engine) cookie(s string) {
	sep := ":"
	if strings.HasPrefix(s, ";") {
		sep, s = ";", s[1:]
	}
	var parts []string
	for _, p := range strings.Split(s, sep) {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) < 3 || e.req.Out == nil {
		return
	}
	for _, c := range e.req.Out["Set-Cookie"] {
		if strings.HasPrefix(c, parts[0]+"=") {
			return // apache2 sets a cookie once per request
		}
	}
	get := func(i int) string {
		if i < len(parts) {
			return parts[i]
		}
		return ""
	}
	path := get(4)
	if path == "" {
		path = "/"
	}
	c := parts[0] + "=" + parts[1] + "; path=" + path + "; domain=" + parts[2]
	if mins, _ := strconv.Atoi(get(3)); mins != 0 {
		t := time.Now().UTC().Add(time.Duration(mins) * time.Minute)
		c += "; expires=" + t.Format("Mon, 02-Jan-2006 15:04:05 GMT")
	}
	if s := get(5); strings.EqualFold(s, "true") || s == "1" || strings.EqualFold(s, "secure") {
		c += "; secure"
	}
	if s := get(6); strings.EqualFold(s, "true") || s == "1" || strings.EqualFold(s, "httponly") {
		c += "; HttpOnly"
	}
	if s := get(7); s != "" && s != "0" && !strings.EqualFold(s, "false") {
		c += "; SameSite=" + s
	}
	e.req.Out.Add("Set-Cookie", c)
}

// cond is apply_rewrite_cond.
func (e *engine) cond(c *cond) bool {
	in := e.expand(c.input, nil)
	var ok bool
	switch c.kind {
	case condFile, condSize, condDir, condExec:
		fi, err := os.Stat(in)
		if err == nil {
			switch c.kind {
			case condFile:
				ok = fi.Mode().IsRegular()
			case condSize:
				ok = fi.Mode().IsRegular() && fi.Size() > 0
			case condDir:
				ok = fi.IsDir()
			case condExec:
				ok = fi.Mode().Perm()&0o111 != 0
			}
		}
	case condLink:
		fi, err := os.Lstat(in)
		ok = err == nil && fi.Mode()&os.ModeSymlink != 0
	case condStrLT, condStrLE, condStrGT, condStrGE:
		cmp := compareStrings(in, c.pattern, c.nocase)
		switch c.kind {
		case condStrLT:
			ok = cmp < 0
		case condStrLE:
			ok = cmp <= 0
		case condStrGT:
			ok = cmp > 0
		default:
			ok = cmp >= 0
		}
	case condStrEQ:
		if c.nocase {
			ok = strings.EqualFold(in, c.pattern)
		} else {
			ok = in == c.pattern
		}
	case condIntLT, condIntLE, condIntGT, condIntGE, condIntEQ:
		a, b := cnum.Atoi(in), cnum.Atoi(c.pattern)
		switch c.kind {
		case condIntLT:
			ok = a < b
		case condIntLE:
			ok = a <= b
		case condIntGT:
			ok = a > b
		case condIntGE:
			ok = a >= b
		default:
			ok = a == b
		}
	default:
		idx := c.re.FindStringSubmatchIndex(in)
		ok = idx != nil
		if ok && !c.not {
			e.rc = match{src: in, idx: idx}
		}
	}
	return ok != c.not
}

// compareStrings is compare_lexicography: a longer string is greater; equal
// lengths compare bytewise (strcasecmp with NC).
func compareStrings(a, b string, nocase bool) int {
	if nocase {
		return strings.Compare(strings.ToLower(a), strings.ToLower(b))
	}
	if len(a) != len(b) {
		if len(a) > len(b) {
			return 1
		}
		return -1
	}
	return strings.Compare(a, b)
}

// expand is do_expand: \c, %{VAR}, ${map:key|default}, $N (the rule's
// groups), %N (the last matched condition's groups).
func (e *engine) expand(in string, p *Rule) string {
	if !strings.ContainsAny(in, `\$%`) {
		if p != nil && strings.IndexByte(in, '?') >= 0 {
			e.note(false)
		}
		return in
	}
	var b strings.Builder
	for i := 0; i < len(in); i++ {
		ch := in[i]
		switch {
		case ch == '\\':
			if i+1 < len(in) {
				i++
				b.WriteByte(in[i])
			} else {
				b.WriteByte(ch)
			}
		case (ch == '%' || ch == '$') && i+1 < len(in) && in[i+1] == '{':
			end := closingCurly(in, i+2)
			colon := -1
			if end >= 0 && ch == '$' {
				colon = charInCurlies(in[:end], i+2, ':')
			}
			if end < 0 || ch == '$' && colon < 0 {
				b.WriteString(in[i : i+2])
				i++
				continue
			}
			var v string
			if ch == '%' {
				v = e.variable(in[i+2 : end])
			} else {
				v = e.mapLookup(in[i+2:colon], in[colon+1:end], p)
			}
			if p != nil && strings.IndexByte(v, '?') >= 0 {
				e.note(true)
			}
			b.WriteString(v)
			i = end
		case (ch == '%' || ch == '$') && i+1 < len(in) && in[i+1] >= '0' && in[i+1] <= '9':
			m := &e.rr
			if ch == '%' {
				m = &e.rc
			}
			if g, ok := m.group(int(in[i+1] - '0')); ok {
				if p != nil && p.flags&flagEscapeBackref != 0 {
					g = escapeBackref(g, p.escapes, p.flags&flagNoPlus != 0)
				}
				if p != nil && strings.IndexByte(g, '?') >= 0 {
					e.note(true)
				}
				b.WriteString(g)
			}
			i++
		default:
			if ch == '?' && p != nil {
				e.note(false)
			}
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// mapLookup is ${name:spec}: spec is "key" or "key|default", both expanded
// (the key first, the default only if the map has no value), with the rule's
// [B] escaping but not counted as the substitution's "?".
func (e *engine) mapLookup(name, spec string, p *Rule) string {
	key, dflt := spec, ""
	if bar := charInCurlies(spec, 0, '|'); bar >= 0 {
		key, dflt = spec[:bar], spec[bar+1:]
	}
	e.nested++
	defer func() { e.nested-- }()
	key = e.expand(key, p)
	var v string
	ok := false
	if m := e.req.Maps[name]; m != nil { // an unknown map has no value
		v, ok = m.lookup(key, &e.req.MapErrors)
	}
	if !ok && dflt != "" {
		v = e.expand(dflt, p)
	}
	return v
}

// charInCurlies is find_char_in_curlies: the index of c in s from from on,
// outside any {...} nested there, -1 if a "}" closes the level first.
func charInCurlies(s string, from int, c byte) int {
	depth := 1
	for i := from; i < len(s); i++ {
		switch s[i] {
		case c:
			if depth == 1 {
				return i
			}
		case '}':
			depth--
			if depth == 0 {
				return -1
			}
		case '{':
			depth++
		}
	}
	return -1
}

func closingCurly(s string, from int) int {
	depth := 1
	for i := from; i < len(s); i++ {
		switch s[i] {
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		case '{':
			depth++
		}
	}
	return -1
}

// header is lookup_header: a field's value, noted for Vary (Host never is)
// by its name as the rule writes it (%{HTTP:x-xsrf-token} adds
// "x-xsrf-token", as apache2's).
func (e *engine) header(name string) string {
	v := e.req.R.Header.Get(name)
	if v != "" && !strings.EqualFold(name, "Host") {
		e.varyThis = append(e.varyThis, name)
	}
	return v
}

// variable is lookup_variable: ENV: and HTTP: and the request fields here
// (noted for Vary when set), the others from ap_expr's table.
func (e *engine) variable(name string) string {
	if len(name) < 4 {
		return ""
	}
	if len(name) > 4 && name[3] == ':' && strings.EqualFold(name[:3], "ENV") {
		if v, ok := e.req.Env.Get(name[4:]); ok {
			return v
		}
		return os.Getenv(name[4:])
	}
	if len(name) > 5 && name[4] == ':' && strings.EqualFold(name[:4], "HTTP") {
		return e.header(name[5:])
	}
	if len(name) > 4 && name[3] == ':' && strings.EqualFold(name[:3], "SSL") {
		name = name[4:] // mod_ssl's ssl_var_lookup: SSL_*, HTTPS and the rest below
	}
	switch strings.ToUpper(name) {
	case "HTTP_HOST":
		return e.header("Host")
	case "HTTP_ACCEPT":
		return e.header("Accept")
	case "HTTP_COOKIE":
		return e.header("Cookie")
	case "HTTP_REFERER":
		return e.header("Referer")
	case "HTTP_USER_AGENT":
		return e.header("User-Agent")
	case "HTTP_FORWARDED":
		return e.header("Forwarded")
	case "HTTP_PROXY_CONNECTION":
		return e.header("Proxy-Connection")
	case "DOCUMENT_URI", "HTTP2", "CONN_LOG_ID", "REQUEST_LOG_ID":
		return "" // ap_expr's, not mod_rewrite's
	case "REMOTE_PORT":
		// The client's (mod_remoteip's 0), where ap_expr's is the peer's.
		_, port, _ := net.SplitHostPort(e.req.R.RemoteAddr)
		return port
	case "IPV6":
		// The client's (r->useragent_addr), where ap_expr's is the peer's.
		host, _, _ := net.SplitHostPort(e.req.R.RemoteAddr)
		if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
			return "on"
		}
		return "off"
	}
	q := apexpr.Request{R: e.req.R, URI: e.req.URI, Query: e.req.Query, Filename: e.filename, DocumentRoot: e.req.DocumentRoot}
	v, _ := q.Var(name)
	return v
}

// absoluteURI is is_absolute_uri: the length of a known scheme's prefix
// ("http://" is 7), 0 for none.
func absoluteURI(u string) int {
	if strings.HasPrefix(u, "/") || len(u) <= 5 {
		return 0
	}
	for _, s := range schemes {
		if len(u) >= len(s) && strings.EqualFold(u[:len(s)], s) {
			if s == "unix:" && strings.HasPrefix(u[5:], "//") {
				return 7
			}
			return len(s)
		}
	}
	return 0
}

var schemes = []string{"ajp://", "balancer://", "ftp://", "fcgi://", "gopher://", "http://", "https://", "h2://", "h2c://",
	"ldap://", "mailto:", "news:", "nntp://", "scgi://", "ws://", "wss://", "unix:"}

// queryScheme reports whether a query string makes sense for the URL's scheme.
func queryScheme(u string) bool {
	for _, s := range []string{"ftp://", "gopher://", "ldap://", "news:", "nntp://"} {
		if len(u) >= len(s) && strings.EqualFold(u[:len(s)], s) {
			return false
		}
	}
	return true
}

// substPrefix is subst_prefix_path: input with the directory prefix match
// replaced by subst (RewriteBase).
func substPrefix(input, match, subst string) string {
	m := strings.TrimSuffix(match, "/")
	if !strings.HasPrefix(input, m) || len(input) <= len(m) || input[len(m)] != '/' {
		return input
	}
	if subst != "" && !strings.HasSuffix(subst, "/") {
		subst += "/"
	}
	return subst + input[len(m)+1:]
}

// badQuery reports a control character or a space in a rewritten query.
func badQuery(q string) bool {
	for i := 0; i < len(q); i++ {
		if q[i] <= ' ' || q[i] == 0x7f {
			return true
		}
	}
	return false
}

// escapeAbsolute is escape_absolute_uri: the path part of an absolute URL
// escaped as ap_escape_uri does.
func escapeAbsolute(u string, skip int) string {
	if u[skip-1] != '/' {
		return u[:skip] + apuri.EscapePath(u[skip:], true)
	}
	i := strings.IndexByte(u[skip:], '/')
	if i < 0 || skip+i+1 >= len(u) {
		return u
	}
	cut := skip + i + 1
	return u[:cut] + apuri.EscapePath(u[cut:], true)
}

const hex = "0123456789abcdef"

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// escapeBackref is escape_backref for [B] / [B=chars] (and BNP).
func escapeBackref(s, only string, noPlus bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		escape := only == "" || strings.IndexByte(only, c) >= 0
		switch {
		case !escape || isAlnum(c) || c == '_':
			b.WriteByte(c)
		case c == ' ' && !noPlus:
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
