package autoindex

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/aphtml"
	"github.com/httpd-mpm/httpd-mpm/internal/apuri"
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

// escapeHTML is apache2's ap_escape_html.
var escapeHTML = aphtml.Escape

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
// An unterminated tag or entity ends the scan (apache2 reads past the string
// there, and whether it then adds a '>' depends on the byte after it).
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
		anchor := escapeHTML(apuri.EscapePath(e.name, false))
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
