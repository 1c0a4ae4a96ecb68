package autoindex

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Entry is one directory entry as the caller looked it up (apache2's
// subrequest for it).
type Entry struct {
	Name     string    // the file name
	Dir      bool      // a directory (the link gets a trailing slash)
	Size     int64     // of a file
	ModTime  time.Time // the target's, symlinks followed
	Path     string    // the file's path (a directory's without trailing slash)
	Type     string    // Content-Type without parameters, "" for none
	Encoding string    // Content-Encoding, "" for none
	// Title is the file's HTML <title> (FindTitle), for ScanHTMLTitles.
	Title    string
	HasTitle bool
}

// Include is the HeaderName or ReadmeName file as found: its text and
// whether it is HTML (inserted as it is) or other text (escaped in <pre>).
type Include struct {
	Found bool
	HTML  bool
	Text  string
}

// Page is what a listing shows besides the configuration.
type Page struct {
	URI       string // the request's path, decoded, ending in "/"
	Dir       string // the directory's path, ending in "/"
	Entries   []Entry
	Header    Include
	Readme    Include
	Signature string // apache2's ap_psignature("", r), "" with ServerSignature Off
}

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
				ppre, epattern = ";P=", escapeURI(p)
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
func unescapeURL(s string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return "", false
		}
		c := unhex(s[i+1])<<4 | unhex(s[i+2])
		if c == 0 || c == '/' {
			return "", false
		}
		b.WriteByte(c)
		i += 2
	}
	return b.String(), true
}

func isHex(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

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

// Render writes the page.
func (l *Listing) Render(p *Page) []byte {
	c := l.c
	title := escapeHTML(p.URI)
	for len(title) > 1 && title[len(title)-1] == '/' {
		title = title[:len(title)-1]
	}
	xhtml := l.opts&emitXHTML != 0
	var b strings.Builder
	b.Grow(1024 + 256*len(p.Entries))

	// emit_head
	emitAmble, emitH1 := true, true
	if p.Header.Found {
		if p.Header.HTML {
			emitAmble, emitH1 = false, false
			if l.opts&suppressPreamble == 0 {
				l.preamble(&b, xhtml, title)
			}
			b.WriteString(p.Header.Text)
		} else {
			l.preamble(&b, xhtml, title)
			emitAmble, emitH1 = false, false
			emitPlain(&b, p.Header.Text)
		}
	}
	if emitAmble {
		l.preamble(&b, xhtml, title)
	}
	if emitH1 {
		if c.styleSheet != nil {
			b.WriteString("  <h1 id=\"indextitle\">Index of " + title + "</h1>\n")
		} else {
			b.WriteString("<h1>Index of " + title + "</h1>\n")
		}
	}

	ents := l.entries(p)
	slices.SortFunc(ents, l.compare)
	l.output(&b, ents)

	// emit_tail
	suppressSig, suppressPost := false, false
	if p.Readme.Found {
		if p.Readme.HTML {
			b.WriteString(p.Readme.Text)
			suppressSig, suppressPost = true, l.opts&suppressPreamble != 0
		} else {
			emitPlain(&b, p.Readme.Text)
			suppressSig = true
		}
	}
	if !suppressSig {
		b.WriteString(p.Signature)
	}
	if !suppressPost {
		b.WriteString("</body></html>\n")
	}
	return []byte(b.String())
}

const (
	doctypeHTML  = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
	doctypeXHTML = "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
)

// preamble is emit_preamble.
func (l *Listing) preamble(b *strings.Builder, xhtml bool, title string) {
	if xhtml {
		b.WriteString(doctypeXHTML + "<html xmlns=\"http://www.w3.org/1999/xhtml\">\n <head>\n  <title>Index of " + title + "</title>\n")
	} else {
		b.WriteString(doctypeHTML + "<html>\n <head>\n  <title>Index of " + title + "</title>\n")
	}
	if s := l.c.styleSheet; s != nil {
		b.WriteString("  <link rel=\"stylesheet\" href=\"" + *s + "\" type=\"text/css\"")
		if xhtml {
			b.WriteString(" />\n")
		} else {
			b.WriteString(">\n")
		}
	}
	if s := l.c.headInsert; s != nil {
		b.WriteString(*s)
	}
	b.WriteString(" </head>\n <body>\n")
}

// emitPlain is do_emit_plain: text in <pre>, <, > and & escaped.
func emitPlain(b *strings.Builder, text string) {
	b.WriteString("<pre>\n")
	b.WriteString(escapePlain(text))
	b.WriteString("</pre>\n")
}

var escapePlain = strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;").Replace

// escapeHTML is apache2's ap_escape_html: only <, >, & and " are escaped.
var escapeHTML = strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;", `"`, "&quot;").Replace

// escapeURI is ap_escape_uri (ap_os_escape_path with partial set): bytes
// other than letters, digits and "$-_.+!*'(),:@&=~/" become %xx.
func escapeURI(s string) string { return escapePath(s, false) }

// escapePath is ap_os_escape_path; relative (partial unset) puts "./"
// before a first segment with a ':', which would read as a scheme.
func escapePath(s string, relative bool) string {
	const safe = "$-_.+!*'(),:@&=~/"
	const hexDigit = "0123456789abcdef"
	var b strings.Builder
	if relative {
		if i := strings.IndexByte(s, ':'); i >= 0 && !strings.Contains(s[:i], "/") {
			b.WriteString("./")
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(safe, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigit[c>>4])
		b.WriteByte(hexDigit[c&15])
	}
	return b.String()
}

// link is emit_link.
func (l *Listing) link(b *strings.Builder, anchor string, column byte) {
	if l.opts&suppressColSort != 0 {
		b.WriteString(anchor)
		return
	}
	order := "A"
	if l.key == column && l.dir == 'A' {
		order = "D"
	}
	b.WriteString("<a href=\"?C=" + string(column) + ";O=" + order + l.colargs + "\">" + anchor + "</a>")
}

func (l *Listing) iconSize(b *strings.Builder) {
	if w := l.c.iconWidth; w != 0 {
		b.WriteString(" width=\"" + strconv.Itoa(w) + "\"")
	}
	if h := l.c.iconHeight; h != 0 {
		b.WriteString(" height=\"" + strconv.Itoa(h) + "\"")
	}
	if l.opts&emitXHTML != 0 {
		b.WriteString(" /")
	}
}

// widths are the configured NameWidth and DescriptionWidth with their adjust
// modes (apache2's defaults when unset).
func (c *Config) widths() (nw, nadj, dw, dadj int) {
	nw, nadj, dw, dadj = defaultNameWidth, unset, defaultDescWidth, unset
	if c.nameSet {
		nw, nadj = c.nameWidth, c.nameAdjust
	}
	if c.descSet {
		dw, dadj = c.descWidth, c.descAdjust
	}
	return
}

// terminateDescription is terminate_description: the description cut to
// width visible characters (tags take none, an entity one), ending in '>'.
func terminateDescription(desc string, opts uint32, width, dadj int) string {
	maxsize := width
	if dadj == unset {
		if opts&suppressIcon != 0 {
			maxsize += 6
		}
		if opts&suppressLastMod != 0 {
			maxsize += 19
		}
		if opts&suppressSize != 0 {
			maxsize += 7
		}
	}
	d := []byte(desc)
	x := 0
	for ; x < len(d) && (maxsize > 0 || d[x] == '<'); x++ {
		switch d[x] {
		case '<':
			for x < len(d) && d[x] != '>' {
				x++
			}
			if x == len(d) {
				maxsize = 0
			}
		case '&':
			maxsize--
			for x < len(d) && d[x] != ';' {
				x++
			}
			if x == len(d) {
				maxsize = 0
			}
		default:
			maxsize--
		}
		if x == len(d) {
			break
		}
	}
	if maxsize == 0 && x < len(d) {
		d[x-1] = '>'
		d = d[:x]
	}
	return string(d)
}

// output is output_directories.
func (l *Listing) output(b *strings.Builder, ents []*ent) {
	c := l.c
	opts := l.opts
	nw, nadj, dw, dadj := c.widths()
	dateFormat := "%Y-%m-%d %H:%M"
	if c.dateFormat != nil {
		dateFormat = *c.dateFormat
	}
	if opts&(fancyIndexing|tableIndexing) == fancyIndexing {
		if nadj == adjust {
			for _, e := range ents {
				nw = max(nw, len(e.name))
			}
		}
		if dadj == adjust {
			for _, e := range ents {
				if e.desc != nil {
					dw = max(dw, len(*e.desc))
				}
			}
		}
	}
	pad := strings.Repeat(" ", max(nw, 0))
	styled := c.styleSheet != nil
	sel := func(styledText, plainText string) string {
		if styled {
			return styledText
		}
		return plainText
	}
	xhtmlClose := ""
	if opts&emitXHTML != 0 {
		xhtmlClose = " /"
	}
	breakrow := ""
	switch {
	case opts&tableIndexing != 0:
		cols := 1
		b.WriteString(sel("  <table id=\"indexlist\">\n   <tr class=\"indexhead\">", "  <table>\n   <tr>"))
		if opts&suppressIcon == 0 {
			b.WriteString("<th" + sel(" class=\"indexcolicon\">", " valign=\"top\">"))
			if tp, ok := find(c.icons, "", "", "^^BLANKICON^^", true); ok {
				b.WriteString("<img src=\"" + escapeHTML(tp) + "\" alt=\"[ICO]\"")
				l.iconSize(b)
				b.WriteString("></th>")
			} else {
				b.WriteString("&nbsp;</th>")
			}
			cols++
		}
		b.WriteString("<th" + sel(" class=\"indexcolname\">", ">"))
		l.link(b, "Name", 'N')
		if opts&suppressLastMod == 0 {
			b.WriteString("</th><th" + sel(" class=\"indexcollastmod\">", ">"))
			l.link(b, "Last modified", 'M')
			cols++
		}
		if opts&suppressSize == 0 {
			b.WriteString("</th><th" + sel(" class=\"indexcolsize\">", ">"))
			l.link(b, "Size", 'S')
			cols++
		}
		if opts&suppressDesc == 0 {
			b.WriteString("</th><th" + sel(" class=\"indexcoldesc\">", ">"))
			l.link(b, "Description", 'D')
			cols++
		}
		if opts&suppressRules == 0 {
			breakrow = "   <tr" + sel(" class=\"indexbreakrow\"", "") + "><th colspan=\"" + strconv.Itoa(cols) + "\"><hr" + xhtmlClose + "></th></tr>\n"
		}
		b.WriteString("</th></tr>\n" + breakrow)
	case opts&fancyIndexing != 0:
		b.WriteString("<pre>")
		if opts&suppressIcon == 0 {
			if tp, ok := find(c.icons, "", "", "^^BLANKICON^^", true); ok {
				b.WriteString("<img src=\"" + escapeHTML(tp) + "\" alt=\"Icon \"")
				l.iconSize(b)
				b.WriteString("> ")
			} else {
				b.WriteString("      ")
			}
		}
		l.link(b, "Name", 'N')
		if len(pad) > 4 {
			b.WriteString(pad[4:])
		}
		b.WriteString(" ")
		if opts&suppressLastMod == 0 {
			l.link(b, "Last modified", 'M')
			b.WriteString("      ")
		}
		if opts&suppressSize == 0 {
			l.link(b, "Size", 'S')
			b.WriteString("  ")
		}
		if opts&suppressDesc == 0 {
			l.link(b, "Description", 'D')
		}
		if opts&suppressRules == 0 {
			b.WriteString("<hr" + xhtmlClose + ">")
		} else {
			b.WriteString("\n")
		}
	default:
		b.WriteString("<ul>")
	}

	for x, e := range ents {
		anchor := escapeHTML(escapePath(e.name, true))
		t2 := e.name
		if x == 0 && e.parent {
			t2 = "Parent Directory"
		}
		truncate := func() string {
			if len(t2) > nw {
				return t2[:max(nw-3, 0)] + "..>"
			}
			return t2
		}
		icon := func(close string) {
			if opts&iconsAreLinks != 0 {
				b.WriteString("<a href=\"" + anchor + "\">")
			}
			if e.icon != nil || c.defaultIcon != nil {
				src := deref(e.icon)
				if e.icon == nil {
					src = *c.defaultIcon
				}
				alt := "   "
				if e.alt != nil {
					alt = *e.alt
				}
				b.WriteString("<img src=\"" + escapeHTML(src) + "\" alt=\"[" + alt + "]\"")
				l.iconSize(b)
				b.WriteString(">")
			} else {
				b.WriteString(close)
			}
		}
		switch {
		case opts&tableIndexing != 0:
			if styled {
				parity := "even"
				if x&1 != 0 {
					parity = "odd"
				}
				if e.alt != nil && opts&addAltClass != 0 {
					b.WriteString("   <tr class=\"" + parity + "-" + asciiLower(*e.alt) + "\">")
				} else {
					b.WriteString("   <tr class=\"" + parity + "\">")
				}
			} else {
				b.WriteString("<tr>")
			}
			if opts&suppressIcon == 0 {
				b.WriteString("<td" + sel(" class=\"indexcolicon\">", " valign=\"top\">"))
				icon("&nbsp;")
				if opts&iconsAreLinks != 0 {
					b.WriteString("</a></td>")
				} else {
					b.WriteString("</td>")
				}
			}
			if nadj == adjust {
				b.WriteString("<td" + sel(" class=\"indexcolname\">", ">") + "<a href=\"" + anchor + "\">" + escapeHTML(t2) + "</a>")
			} else {
				t := truncate()
				b.WriteString("<td" + sel(" class=\"indexcolname\">", ">") + "<a href=\"" + anchor + "\">" + escapeHTML(t) + "</a>" + pad[min(len(t), len(pad)):])
			}
			if opts&suppressLastMod == 0 {
				if e.lm != -1 {
					b.WriteString("</td><td" + sel(" class=\"indexcollastmod\">", " align=\"right\">") + strftime(dateFormat, time.UnixMicro(e.lm)) + "  ")
				} else {
					b.WriteString("</td><td" + sel(" class=\"indexcollastmod\">&nbsp;", ">&nbsp;"))
				}
			}
			if opts&suppressSize == 0 {
				b.WriteString("</td><td" + sel(" class=\"indexcolsize\">", " align=\"right\">") + Size(e.size))
			}
			if opts&suppressDesc == 0 {
				b.WriteString("</td><td" + sel(" class=\"indexcoldesc\">", ">"))
				switch {
				case e.desc == nil:
					b.WriteString("&nbsp;")
				case dadj == adjust:
					b.WriteString(*e.desc)
				default:
					b.WriteString(terminateDescription(*e.desc, opts, dw, dadj))
				}
			}
			b.WriteString("</td></tr>\n")
		case opts&fancyIndexing != 0:
			if opts&suppressIcon == 0 {
				icon("     ")
				if opts&iconsAreLinks != 0 {
					b.WriteString("</a> ")
				} else {
					b.WriteString(" ")
				}
			}
			t := truncate()
			b.WriteString("<a href=\"" + anchor + "\">" + escapeHTML(t) + "</a>" + pad[min(len(t), len(pad)):] + " ")
			if opts&suppressLastMod == 0 {
				if e.lm != -1 {
					b.WriteString(strftime(dateFormat, time.UnixMicro(e.lm)) + "  ")
				} else {
					b.WriteString("                   ")
				}
			}
			if opts&suppressSize == 0 {
				b.WriteString(Size(e.size) + "  ")
			}
			if opts&suppressDesc == 0 && e.desc != nil {
				b.WriteString(terminateDescription(*e.desc, opts, dw, dadj))
			}
			b.WriteString("\n")
		default:
			b.WriteString("<li><a href=\"" + anchor + "\"> " + escapeHTML(t2) + "</a></li>\n")
		}
	}
	switch {
	case opts&tableIndexing != 0:
		b.WriteString(breakrow + "</table>\n")
	case opts&fancyIndexing != 0:
		if opts&suppressRules == 0 {
			b.WriteString("<hr" + xhtmlClose + "></pre>\n")
		} else {
			b.WriteString("</pre>\n")
		}
	default:
		b.WriteString("</ul>\n")
	}
}

// asciiLower is ap_str_tolower.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lower(c)
	}
	return string(b)
}

// strftime formats t (local time) with the few conversions the two date
// formats use: %Y %m %d %H %M %b.
func strftime(format string, t time.Time) string {
	t = t.Local()
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		switch format[i] {
		case 'Y':
			b.WriteString(strconv.Itoa(t.Year()))
		case 'm':
			b.WriteString(two(int(t.Month())))
		case 'd':
			b.WriteString(two(t.Day()))
		case 'H':
			b.WriteString(two(t.Hour()))
		case 'M':
			b.WriteString(two(t.Minute()))
		case 'b':
			b.WriteString(t.Month().String()[:3])
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

func two(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// FindTitle is find_title: the text of the first <title> in the start of an
// HTML file (apache2 reads 8191 bytes), up to the next '<', leading line
// breaks dropped and the others made spaces; ok is false without one.
func FindTitle(head []byte) (string, bool) {
	const find = "<title>"
	if i := bytes.IndexByte(head, 0); i >= 0 {
		head = head[:i]
	}
	p := 0
	for x := 0; x < len(head); x++ {
		if lower(head[x]) != find[p] {
			// As apache2: the byte that broke a partial match is not tried again.
			p = 0
			continue
		}
		p++
		if p < len(find) {
			continue
		}
		t := head[x+1:]
		if i := bytes.IndexByte(t, '<'); i >= 0 {
			t = t[:i]
		}
		out := make([]byte, 0, len(t))
		for _, c := range t {
			if c == '\r' || c == '\n' {
				if len(out) == 0 {
					continue
				}
				c = ' '
			}
			out = append(out, c)
		}
		return string(out), true
	}
	return "", false
}
