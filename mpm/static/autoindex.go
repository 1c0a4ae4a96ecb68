package static

import (
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/autoindex"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// maxInclude bounds what a HeaderName or ReadmeName file may add to a listing.
const maxInclude = 1 << 20

// listDirectory answers with apache2's mod_autoindex listing, as o.Autoindex
// configures it (package autoindex writes the page): entries IndexIgnore or
// the P= pattern leave out are not looked at; entries the request could not
// get (a symlink where symlinks are not followed or lead out of the root, a
// denied directory or file, unless ShowForbidden) are left out, as
// mod_autoindex leaves out what its subrequests may not see, and so are
// entries that are neither files nor directories.
//
// dir is only read from if it is not shared (an open-file cache entry's, whose
// offset other requests may move): a shared one is opened again for the listing.
func (h *Handler) listDirectory(w http.ResponseWriter, r *http.Request, dir *os.File, shared bool, root, croot, rel string, conf Configurer, o *Options) {
	l := o.Autoindex.Listing(r.URL.RawQuery)
	hd := w.Header()
	hd["Content-Type"] = []string{l.ContentType()}
	if l.TrackModified() {
		if m, err := stat(dir); err == nil {
			now := time.Now()
			lm := m.mtime
			if lm.After(now) {
				lm = now
			}
			hd["Last-Modified"] = []string{lm.UTC().Format(http.TimeFormat)}
			if b, ok := appendETag(nil, o.FileETag, m, dir, now); ok {
				hd["ETag"] = []string{string(b)}
			}
		}
	}
	if r.Method == http.MethodHead {
		// apache2 answers before it reads the directory: no body, no length.
		w.WriteHeader(http.StatusOK)
		return
	}
	if shared {
		own, err := reopenDir(dir)
		if err != nil {
			h.error(w, r, http.StatusForbidden, o)
			return
		}
		defer own.Close()
		dir = own
	}
	ents, err := dir.ReadDir(-1)
	if err != nil {
		h.error(w, r, http.StatusForbidden, o)
		return
	}
	dirPath := strings.TrimSuffix(croot+rel, "/")
	page := autoindex.Page{URI: r.URL.Path, Dir: dirPath + "/", Signature: http1.SignatureLine(r)}
	// apache2 looks for the header before it reads the entries, the readme after.
	page.Header = h.include(r, root, croot, rel, conf, o, l.HeaderName())
	for _, e := range ents {
		name := e.Name()
		if l.Skip(page.Dir, name) {
			continue
		}
		var m meta
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
			f, fm, fe, st, _ := h.open(root, rel+name)
			if f != nil {
				h.done(f, fe)
			}
			if st != 0 {
				continue
			}
			m = fm
		} else {
			fi, err := e.Info()
			if err != nil {
				continue
			}
			m = meta{size: fi.Size(), mtime: fi.ModTime(), kind: kindOther}
			switch {
			case fi.IsDir():
				m.kind = kindDir
			case fi.Mode().IsRegular():
				m.kind = kindRegular
			}
		}
		if m.kind == kindOther {
			continue
		}
		isDir := m.kind == kindDir
		// apache2 checks each entry with a subrequest for its own URL
		// (ap_sub_req_lookup_dirent), so <Location> sections see the
		// entry's path, and lists only what it would serve.
		sub := entryRequest(r, name, isDir)
		restore := keepLevels(r)
		var eo *Options
		if isDir {
			eo = h.options(sub, conf, dirPath+"/"+name, "")
		} else {
			eo = h.options(sub, conf, dirPath, name)
		}
		restore()
		p := dirPath + "/" + name
		if isDir {
			p += "/"
		}
		allowed := h.checkEntry(sub, eo, o, p) == 0
		if allowed && isDir && h.indexRefusal(sub, root, croot, rel+name+"/", conf, eo) != 0 {
			// The entry's subrequest runs mod_dir's search, whose refusal
			// is the subrequest's status.
			allowed = false
		}
		if !allowed && !l.ShowForbidden() {
			continue
		}
		x := autoindex.Entry{Name: name, Dir: isDir, Size: m.size, ModTime: m.mtime, Path: dirPath + "/" + name}
		if !isDir && allowed {
			// A refused subrequest stops before mod_mime gives it a type.
			x.Type = fieldNoParam(h.mimeType(name, eo))
			if l.ScanTitles() && autoindex.TitleType(x.Type) {
				x.Title, x.HasTitle = h.title(root, rel+name)
			}
		}
		page.Entries = append(page.Entries, x)
	}
	page.Readme = h.include(r, root, croot, rel, conf, o, l.ReadmeName())
	w.WriteHeader(http.StatusOK)
	w.Write(l.Render(&page))
}

// include finds a HeaderName or ReadmeName file in the listed directory as
// mod_autoindex's subrequest does: a regular file the request may get, whose
// type is text/html (inserted as it is) or another text/ type (escaped).
// Names with a '/' (apache2 looks them up as URLs) are not looked for.
func (h *Handler) include(r *http.Request, root, croot, rel string, conf Configurer, lo *Options, name string) autoindex.Include {
	if name == "" || strings.ContainsRune(name, '/') || name == "." || name == ".." {
		return autoindex.Include{}
	}
	f, m, fe, st, _ := h.open(root, rel+name)
	if f == nil {
		return autoindex.Include{}
	}
	defer h.done(f, fe)
	if st != 0 || m.kind != kindRegular {
		return autoindex.Include{}
	}
	// Checked as an entry of the listing (lo its options): a subrequest for
	// the file's URL.
	dirPath := strings.TrimSuffix(croot+rel, "/")
	sub := entryRequest(r, name, false)
	restore := keepLevels(r)
	o := h.options(sub, conf, dirPath, name)
	restore()
	if h.checkEntry(sub, o, lo, dirPath+"/"+name) != 0 {
		return autoindex.Include{}
	}
	ct := strings.ToLower(fieldNoParam(h.mimeType(name, o)))
	html := ct == "text/html" || ct == "application/xhtml+xml"
	if !html && !strings.HasPrefix(ct, "text/") {
		return autoindex.Include{}
	}
	data, err := io.ReadAll(io.NewSectionReader(f, 0, min(m.size, maxInclude)))
	if err != nil {
		return autoindex.Include{}
	}
	return autoindex.Include{Found: true, HTML: html, Text: string(data)}
}

// checkEntry applies eo, the settings of sub, the subrequest for an entry of
// a listing (path its file), with lo the listing's: 0 to list the entry, else
// the status of the refusal, logged. An entry under the listing's own settings
// passes as the listing did (ap_process_request_internal: the same per-dir
// config), so credentials are not checked again for it.
func (h *Handler) checkEntry(sub *http.Request, eo, lo *Options, path string) int {
	if eo == lo {
		return 0
	}
	st, why := eo.check(nil, sub)
	if why != nil && h.logs(LevelError) {
		h.logRefusals(sub, why, path)
	}
	return st
}

// title is the <title> of the file root+rel, from its first 8191 bytes
// as mod_autoindex's find_title reads.
func (h *Handler) title(root, rel string) (string, bool) {
	f, m, fe, st, _ := h.open(root, rel)
	if f == nil {
		return "", false
	}
	defer h.done(f, fe)
	if st != 0 || m.kind != kindRegular {
		return "", false
	}
	var buf [8191]byte
	n, _ := f.ReadAt(buf[:], 0)
	if n == 0 {
		return "", false
	}
	return autoindex.FindTitle(buf[:n])
}

// fieldNoParam is apache2's ap_field_noparam: the type without parameters
// and trailing blanks.
func fieldNoParam(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.TrimRight(ct, " \t")
}

// entryRequest is the subrequest for the entry name of the directory r
// lists, as mod_autoindex makes it: r's fields and the entry's URL-path
// (which the error log lines about it name).
func entryRequest(r *http.Request, name string, isDir bool) *http.Request {
	p := strings.TrimSuffix(r.URL.Path, "/") + "/" + name
	if isDir {
		p += "/"
	}
	return atPath(r, p)
}
