package static

import (
	"net/http"
	"os"
	"slices"
	"strings"
)

// listDirectory answers with apache2's mod_autoindex listing (without FancyIndexing):
// the entries sorted by name, directories with a trailing slash, a "Parent Directory"
// link below the root; entries the request could not get (a symlink where symlinks are
// not followed or lead out of the root, a denied directory or file) are left out, as
// mod_autoindex leaves out what its subrequests may not see.
func (h *Handler) listDirectory(w http.ResponseWriter, r *http.Request, dir *os.File, root, croot, rel string, conf Configurer, o *Options) {
	ents, err := dir.ReadDir(-1)
	if err != nil {
		h.error(w, r, http.StatusForbidden, o)
		return
	}
	dirPath := strings.TrimSuffix(croot+rel, "/")
	type entry struct {
		name  string
		isDir bool
	}
	var list []entry
	for _, e := range ents {
		name := e.Name()
		isDir := e.IsDir()
		if e.Type()&os.ModeSymlink != 0 {
			allowed := o.FollowSymLinks
			if !allowed && o.SymLinksIfOwnerMatch {
				allowed, _ = symlinksAllowed(strings.TrimSuffix(root+rel, "/"), "/"+name, true)
			}
			if !allowed {
				if h.logs(LevelError) {
					h.logSymlink(r, "AH00032", dirPath+"/"+name)
				}
				continue
			}
			f, m, fe, st, _ := h.open(root, rel+name)
			if f != nil {
				h.done(f, fe)
			}
			if st != 0 {
				continue
			}
			isDir = m.kind == kindDir
		}
		var eo *Options
		if isDir {
			eo = h.options(r, conf, dirPath+"/"+name, "")
		} else {
			eo = h.options(r, conf, dirPath, name)
		}
		// apache2 checks each entry with a subrequest, and lists only those
		// it would serve.
		if st, why := eo.check(nil, r); st != 0 || why != nil {
			if why != nil && h.logs(LevelError) {
				if isDir {
					h.logRefusals(r, why, dirPath+"/"+name+"/")
				} else {
					h.logRefusals(r, why, dirPath+"/"+name)
				}
			}
			if st != 0 {
				continue
			}
		}
		list = append(list, entry{name, isDir})
	}
	slices.SortFunc(list, func(a, b entry) int { return strings.Compare(a.name, b.name) })

	title := escapeHTML(r.URL.Path)
	if len(title) > 1 {
		title = strings.TrimSuffix(title, "/")
	}
	var b strings.Builder
	b.WriteString(`<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">
<html>
 <head>
  <title>Index of `)
	b.WriteString(title)
	b.WriteString("</title>\n </head>\n <body>\n<h1>Index of ")
	b.WriteString(title)
	b.WriteString("</h1>\n<ul>")
	if p := strings.TrimSuffix(r.URL.Path, "/"); p != "" {
		parent := p[:strings.LastIndexByte(p, '/')+1]
		b.WriteString(`<li><a href="`)
		b.WriteString(escapeHTML(escapePath(parent)))
		b.WriteString("\"> Parent Directory</a></li>\n")
	}
	for _, e := range list {
		name := e.name
		if e.isDir {
			name += "/"
		}
		b.WriteString(`<li><a href="`)
		b.WriteString(escapeHTML(escapePath(name)))
		b.WriteString(`"> `)
		b.WriteString(escapeHTML(name))
		b.WriteString("</a></li>\n")
	}
	b.WriteString("</ul>\n</body></html>\n")
	hd := w.Header()
	hd["Content-Type"] = []string{"text/html;charset=ISO-8859-1"}
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(b.String()))
}

// escapePath is apache2's ap_escape_uri: bytes other than letters, digits and
// "$-_.+!*'(),:@&=~/" become %xx (lower-case hex).
func escapePath(s string) string {
	const safe = "$-_.+!*'(),:@&=~/"
	var b strings.Builder
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

const hexDigit = "0123456789abcdef"

// escapeHTML is apache2's ap_escape_html: only <, >, & and " are escaped.
var escapeHTML = strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;", `"`, "&quot;").Replace
