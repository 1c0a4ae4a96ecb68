package autoindex

import (
	"strings"

	"github.com/httpd-mpm/httpd-mpm/internal/apuri"
)

// Listing is a Config applied to one request's query arguments.
type Listing struct {
	c          *Config
	opts       uint32
	key, dir   byte
	pattern    string
	hasPattern bool
	colargs    string
}

var plain = &Config{}

// Listing parses the query arguments (the raw query string) as
// index_directory does. c may be nil: no mod_autoindex directive.
func (c *Config) Listing(query string) *Listing {
	if c == nil {
		c = plain
	}
	l := &Listing{c: c, opts: c.opts, key: 'N', dir: 'A'}
	if c.keyID != 0 {
		l.key = c.keyID
	}
	if c.direction != 0 {
		l.dir = c.direction
	}
	if l.opts&ignoreClient != 0 {
		l.opts |= suppressColSort
		return l
	}
	var fval, vval, ppre, epattern string
	q := query
	arg := func(name byte, valid string) (byte, bool) {
		if len(q) >= 3 && q[0] == name && q[1] == '=' && strings.IndexByte(valid, q[2]) >= 0 &&
			(len(q) == 3 || q[3] == '&' || q[3] == ';') {
			v := q[2]
			q = q[min(len(q), 4):]
			return v, true
		}
		return 0, false
	}
	for q != "" {
		if v, ok := arg('C', "NMSD"); ok {
			l.key = v
		} else if v, ok := arg('O', "AD"); ok {
			l.dir = v
		} else if v, ok := arg('F', "012"); ok {
			switch v {
			case '0':
				l.opts &^= fancyIndexing | tableIndexing
			case '1':
				l.opts = (l.opts | fancyIndexing) &^ tableIndexing
			case '2':
				l.opts |= fancyIndexing | tableIndexing
			}
			fval = ";F=" + string(v)
		} else if v, ok := arg('V', "01"); ok {
			if v == '0' {
				l.opts &^= versionSort
			} else {
				l.opts |= versionSort
			}
			vval = ";V=" + string(v)
		} else if len(q) >= 2 && q[0] == 'P' && q[1] == '=' {
			q = q[2:]
			eos := strings.IndexAny(q, "&;")
			if eos < 0 {
				eos = len(q)
			}
			if eos == 0 {
				l.pattern, l.hasPattern = "", false
			} else if p, ok := unescapeURL(q[:eos]); ok {
				l.pattern, l.hasPattern = p, true
				ppre, epattern = ";P=", apuri.EscapePath(p, true)
			} else {
				l.pattern, l.hasPattern = "", false
			}
			if eos < len(q) && eos+1 < len(q) {
				q = q[eos+1:]
			} else {
				q = ""
			}
		} else {
			q = ""
		}
	}
	l.colargs = fval + vval + ppre + epattern
	return l
}

// unescapeURL is ap_unescape_url: %xx decoded; a bad escape, an encoded
// NUL or '/' makes the pattern invalid.
func unescapeURL(s string) (string, bool) { return apuri.Unescape(s, false) }

// ContentType is the listing's Content-Type.
func (l *Listing) ContentType() string {
	ctype, charset := "text/html", "ISO-8859-1"
	if l.c.ctype != nil {
		ctype = *l.c.ctype
	}
	if l.c.charset != nil {
		charset = *l.c.charset
	}
	if charset == "" {
		return ctype
	}
	return ctype + ";charset=" + charset
}

// TrackModified: the answer has the directory's Last-Modified and ETag.
func (l *Listing) TrackModified() bool { return l.opts&trackModified != 0 }

// ShowForbidden: entries the request may not see (401, 403) are listed.
func (l *Listing) ShowForbidden() bool { return l.opts&showForbidden != 0 }

// ScanTitles reports whether the <title> of HTML files (TitleType) is
// wanted as their description (ScanHTMLTitles).
func (l *Listing) ScanTitles() bool {
	return l.opts&scanHTMLTitles != 0 && l.opts&(fancyIndexing|tableIndexing) != 0
}

// TitleType reports whether a file of the type ct (without parameters) is
// scanned for its <title>: HTML, or the server-parsed type of mod_include.
func TitleType(ct string) bool {
	return strings.EqualFold(ct, "text/html") || strings.EqualFold(ct, "application/xhtml+xml") || ct == "text/x-server-parsed-html"
}

// HeaderName and ReadmeName are the files to insert, "" for none.
func (l *Listing) HeaderName() string { return deref(l.c.header) }
func (l *Listing) ReadmeName() string { return deref(l.c.readme) }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Skip reports whether the entry name of the directory dir (ending in "/")
// is left out before it is looked up: "." and "..", names the P= pattern
// does not match, and IndexIgnore.
func (l *Listing) Skip(dir, name string) bool {
	if name == "." || name == ".." {
		return true
	}
	if l.hasPattern && !fnmatch(l.pattern, name, true, true) {
		return true
	}
	return l.c.ignored(dir + name)
}

// ignored is ignore_entry.
func (c *Config) ignored(path string) bool {
	tt := path[strings.LastIndexByte(path, '/')+1:]
	for _, it := range c.ignores {
		ap := it.applyTo[strings.LastIndexByte(it.applyTo, '/')+1:]
		if wildMatch(path, it.applyPath, false) && wildMatch(tt, ap, false) {
			return true
		}
	}
	return false
}

// find is find_item.
func find(list []item, ctype, encoding, path string, pathOnly bool) (string, bool) {
	for _, p := range list {
		if !(path != "" && path[0] == '^') && !wildMatch(path, p.applyPath, false) {
			continue
		}
		switch {
		case p.applyTo == "":
			return p.data, true
		case p.kind == byPath || path != "" && path[0] == '^':
			if wildMatch(path, p.applyTo, false) {
				return p.data, true
			}
		case pathOnly:
		case encoding == "":
			if p.kind == byType && ctype != "" && wildMatch(ctype, p.applyTo, true) {
				return p.data, true
			}
		case p.kind == byEncoding:
			if wildMatch(encoding, p.applyTo, true) {
				return p.data, true
			}
		}
	}
	return "", false
}

// findDesc is find_desc.
func (c *Config) findDesc(full string) (string, bool) {
	only := full[strings.LastIndexByte(full, '/')+1:]
	for _, d := range c.descs {
		name := only
		if d.fullPath {
			name = full
		}
		var found bool
		if d.wildcards {
			found = fnmatch(d.pattern, name, false, false)
		} else {
			found = strings.Contains(name, d.pattern)
		}
		if found {
			return d.text, true
		}
	}
	return "", false
}

// ent is mod_autoindex's struct ent.
type ent struct {
	name       string
	icon, alt  *string
	desc       *string
	size       int64
	lm         int64 // Unix microseconds, -1 for none
	isDir      bool
	parent     bool
	hasIcon    bool
	versionCmp bool
}

func strp(s string, ok bool) *string {
	if !ok {
		return nil
	}
	return &s
}

// entries makes the parent entry and the others, as make_parent_entry and
// make_autoindex_entry do.
func (l *Listing) entries(p *Page) []*ent {
	c := l.c
	fancy := l.opts&(fancyIndexing|tableIndexing) != 0
	var out []*ent
	if p.URI != "/" && p.URI != "" {
		testpath := p.Dir + ".."
		if !c.ignored(testpath) {
			e := &ent{name: parentURI(p.URI), size: -1, lm: -1, parent: true}
			if l.opts&fancyIndexing != 0 {
				if e.icon = strp(find(c.icons, "", "", testpath, true)); e.icon == nil {
					e.icon = strp(find(c.icons, "", "", "^^DIRECTORY^^", true))
				}
				if e.alt = strp(find(c.alts, "", "", testpath, true)); e.alt == nil {
					if e.alt = strp(find(c.alts, "", "", "^^DIRECTORY^^", true)); e.alt == nil {
						s := "PARENTDIR"
						e.alt = &s
					}
				}
				e.desc = strp(c.findDesc(testpath))
			}
			out = append(out, e)
		}
	}
	for i := range p.Entries {
		x := &p.Entries[i]
		e := &ent{name: x.Name, size: -1, lm: -1}
		if x.Dir {
			e.name += "/"
		}
		if fancy {
			e.lm = x.ModTime.UnixMicro()
			if x.Dir {
				e.isDir = l.opts&foldersFirst != 0
				if e.icon = strp(find(c.icons, x.Type, x.Encoding, x.Path, true)); e.icon == nil {
					e.icon = strp(find(c.icons, "", "", "^^DIRECTORY^^", true))
				}
				if e.alt = strp(find(c.alts, x.Type, x.Encoding, x.Path, true)); e.alt == nil {
					if e.alt = strp(find(c.alts, "", "", "^^DIRECTORY^^", true)); e.alt == nil {
						s := "DIR"
						e.alt = &s
					}
				}
			} else {
				e.icon = strp(find(c.icons, x.Type, x.Encoding, x.Path, false))
				e.alt = strp(find(c.alts, x.Type, x.Encoding, x.Path, false))
				e.size = x.Size
			}
			e.desc = strp(c.findDesc(x.Path))
			if e.desc == nil && l.opts&scanHTMLTitles != 0 && x.HasTitle {
				e.desc = &x.Title
			}
		}
		if l.key == 'M' && e.lm < 0 {
			e.lm = 0
		}
		out = append(out, e)
	}
	return out
}

// parentURI is the request's path with "../" made out: "/a/b/" gives "/a/".
func parentURI(uri string) string {
	p := strings.TrimSuffix(uri, "/")
	return p[:strings.LastIndexByte(p, '/')+1]
}

// compare is dsortf.
func (l *Listing) compare(e1, e2 *ent) int {
	if e1.parent {
		return -1
	}
	if e2.parent {
		return 1
	}
	if e1.isDir != e2.isDir {
		if e1.isDir {
			return -1
		}
		return 1
	}
	c1, c2 := e1, e2
	if l.dir != 'A' {
		c1, c2 = e2, e1
	}
	switch l.key {
	case 'M':
		if r := cmpInt(c1.lm, c2.lm); r != 0 {
			return r
		}
	case 'S':
		if r := cmpInt(c1.size, c2.size); r != 0 {
			return r
		}
	case 'D':
		d1, d2 := deref(c1.desc), deref(c2.desc)
		var r int
		if l.opts&versionSort != 0 {
			r = natCompare(d1, d2, false)
		} else {
			r = strings.Compare(d1, d2)
		}
		if r != 0 {
			return r
		}
	}
	fold := l.opts&ignoreCase != 0
	r := 0
	if l.opts&versionSort != 0 {
		if fold {
			r = natCompare(c1.name, c2.name, true)
		}
		if r == 0 {
			r = natCompare(c1.name, c2.name, false)
		}
	}
	if r == 0 && fold {
		r = caseCompare(c1.name, c2.name)
	}
	if r == 0 {
		r = strings.Compare(c1.name, c2.name)
	}
	return r
}

// caseCompare is strcasecmp (ASCII folding, bytes unsigned).
func caseCompare(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := lower(a[i]), lower(b[i])
		if ca != cb {
			return cmpInt(int64(ca), int64(cb))
		}
	}
	return cmpInt(int64(len(a)), int64(len(b)))
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
