// Package static serves files from a document root the way apache2's default handler
// (with mod_mime and mod_dir) does: same status codes, headers, ETag form, conditional
// requests, single byte ranges, directory redirects and index files, and apache2's
// error pages through http1.WriteError. As apache2's default handler it serves GET, HEAD
// and POST (a POST body is read and discarded first, which answers "Expect:
// 100-continue"), answers OPTIONS with 200 and Allow, other registered methods with 405
// and unknown ones with 501, and redirects a directory named without its trailing slash
// (any method) before it looks at the method. Paths are decoded and dot-segments
// resolved as apache2 does: ".." above the root is 400, an encoded slash or NUL is 404.
// Every file is checked after opening: the kernel's path of the open descriptor must lie
// in the document root, so neither a symlink nor a race can lead outside it.
//
// Deliberate differences from a stock apache2:
//   - A path whose real location (after following symlinks) is outside DocumentRoot is
//     answered 403, even though apache2's default Options FollowSymLinks would serve it.
//     Never leaving the document root is a hard rule here. Symlinks that stay inside it
//     are followed.
//   - There are no directory listings: a directory without an index file is 403, as
//     apache2 answers with "Options -Indexes".
//   - TRACE is answered by the engine (http1.Server.TraceEnable, off by default, which
//     apache2's is not); Allow names it only with TraceEnabled.
//   - A 416 answer carries Content-Range: bytes */size (RFC 9110) and a Content-Length;
//     apache2 sends its error page chunked without Content-Range.
//   - A Range header with several ranges is ignored (the full file is sent, which RFC
//     9110 permits) instead of a multipart/byteranges answer.
//   - Content negotiation, per-directory configuration and Content-Encoding by
//     extension are not implemented.
package static

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// Allow is the Allow header of apache2's default handler with TraceEnable Off;
// AllowTrace with TraceEnable On (apache2's order varies from process to process).
const (
	Allow      = "GET,POST,OPTIONS,HEAD"
	AllowTrace = "GET,POST,OPTIONS,HEAD,TRACE"
)

func (h *Handler) allow() string {
	if h.TraceEnabled {
		return AllowTrace
	}
	return Allow
}

// Handler serves static files. Its fields must not change after the first request; it
// is safe for concurrent use.
type Handler struct {
	DocumentRoot   string            // absolute path
	DirectoryIndex []string          // e.g. ["index.html"], tried in order
	Types          map[string]string // extension (lowercase, no dot) -> MIME type
	FileETag       FileETag          // ETag components; zero: Apache's default, MTime Size
	// TraceEnabled adds TRACE to the Allow header (the engine answers TRACE itself,
	// see http1.Server.TraceEnable).
	TraceEnabled bool

	once     sync.Once
	realRoot string // DocumentRoot with symlinks resolved and no trailing slash
	rootErr  error
}

// LoadTypes reads an Apache mime.types file ("type ext1 ext2 ...", '#' starts a
// comment) into a map from lowercase extension to type. A later line wins for an
// extension listed twice, as in apache2. Debian ships /etc/mime.types.
func LoadTypes(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	types := make(map[string]string)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		for _, ext := range fields[1:] {
			types[strings.ToLower(ext)] = fields[0]
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return types, nil
}

// meta is what serving needs to know about an open file.
type meta struct {
	ino   uint64
	size  int64
	mtime time.Time
	kind  int // kindRegular, kindDir or kindOther
}

const (
	kindOther = iota
	kindRegular
	kindDir
)

// knownMethods are the methods apache2 registers: for them the default handler answers
// 405, for any other 501.
var knownMethods = map[string]bool{
	"PUT": true, "DELETE": true, "CONNECT": true, "TRACE": true, "PATCH": true,
	"PROPFIND": true, "PROPPATCH": true, "MKCOL": true, "COPY": true, "MOVE": true,
	"LOCK": true, "UNLOCK": true, "VERSION-CONTROL": true, "CHECKOUT": true,
	"UNCHECKOUT": true, "CHECKIN": true, "UPDATE": true, "LABEL": true, "REPORT": true,
	"MKWORKSPACE": true, "MKACTIVITY": true, "BASELINE-CONTROL": true, "MERGE": true,
}

func (h *Handler) init() {
	h.once.Do(func() {
		root, err := filepath.EvalSymlinks(h.DocumentRoot)
		if err == nil {
			root, err = filepath.Abs(root)
		}
		h.realRoot, h.rootErr = strings.TrimSuffix(root, "/"), err
	})
}

// ServeHTTP answers r from DocumentRoot.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.init()
	if r.URL.Path == "*" && r.URL.Host == "" {
		if r.Method == http.MethodOptions {
			w.Header()["Content-Length"] = []string{"0"}
			return
		}
		http1.WriteError(w, r, http.StatusBadRequest, "")
		return
	}
	rel, status := cleanPath(r.URL)
	if status != 0 {
		http1.WriteError(w, r, status, "")
		return
	}
	if h.rootErr != nil {
		http1.WriteError(w, r, http.StatusNotFound, "")
		return
	}

	f, fi, status := h.open(rel)
	if f != nil {
		defer f.Close()
	}
	if status == 0 && fi.kind == kindDir && !strings.HasSuffix(rel, "/") {
		redirectSlash(w, r)
		return
	}

	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost:
	case http.MethodOptions:
		hd := w.Header()
		hd["Allow"] = []string{h.allow()}
		hd["Content-Length"] = []string{"0"}
		if status == 0 && fi.kind != kindDir {
			if ct := h.contentType(rel); ct != "" {
				hd["Content-Type"] = []string{ct}
			}
		}
		return
	default:
		w.Header()["Allow"] = []string{h.allow()}
		if knownMethods[r.Method] {
			http1.WriteError(w, r, http.StatusMethodNotAllowed, "")
		} else {
			http1.WriteError(w, r, http.StatusNotImplemented, "")
		}
		return
	}
	if status != 0 {
		http1.WriteError(w, r, status, "")
		return
	}
	// apache2's default handler reads and discards a request body before it answers,
	// which also sends the "100 Continue" a client may be waiting for.
	if r.ContentLength != 0 {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http1.WriteError(w, r, discardStatus(err), "")
			return
		}
	}

	if fi.kind == kindDir {
		var idx *os.File
		for _, name := range h.DirectoryIndex {
			if strings.ContainsRune(name, '/') {
				continue
			}
			g, gi, st := h.open(rel + name)
			if st == 0 && gi.kind == kindRegular {
				idx, fi, rel = g, gi, rel+name
				break
			}
			if g != nil {
				g.Close()
			}
		}
		if idx == nil {
			http1.WriteError(w, r, http.StatusForbidden, "")
			return
		}
		defer idx.Close()
		f = idx
	}
	if fi.kind != kindRegular {
		http1.WriteError(w, r, http.StatusForbidden, "")
		return
	}
	h.serveFile(w, r, f, fi, rel)
}

// discardStatus is apache2's answer when discarding the request body fails.
func discardStatus(err error) int {
	var mbe *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge
	case errors.As(err, &ne) && ne.Timeout():
		return http.StatusRequestTimeout
	}
	return http.StatusBadRequest
}

// cleanPath maps the request path to a clean slash-separated path below the root,
// keeping a trailing slash. As apache2 does: an encoded slash (AllowEncodedSlashes Off)
// or NUL is 404, dot-segments are resolved after decoding (so %2e%2e is ".."), repeated
// slashes are merged, and a ".." above the root is 400.
func cleanPath(u *url.URL) (string, int) {
	p := u.Path
	if p == "" {
		p = "/"
	}
	if p[0] != '/' {
		return "", http.StatusBadRequest
	}
	if u.RawPath != "" && containsEncodedSlash(u.RawPath) {
		return "", http.StatusNotFound
	}
	if strings.IndexByte(p, 0) >= 0 {
		return "", http.StatusNotFound
	}
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") {
		return p, 0 // already clean: the common case, no allocation
	}
	segs := make([]string, 0, 8)
	rest := p[1:]
	trailing := false
	for {
		seg, more, found := strings.Cut(rest, "/")
		trailing = found && more == ""
		switch seg {
		case "", ".":
			if !found {
				trailing = len(segs) > 0 || seg == "."
			}
		case "..":
			if len(segs) == 0 {
				return "", http.StatusBadRequest
			}
			segs = segs[:len(segs)-1]
			if !found {
				trailing = true
			}
		default:
			segs = append(segs, seg)
		}
		if !found {
			break
		}
		rest = more
	}
	out := "/" + strings.Join(segs, "/")
	if trailing && len(segs) > 0 {
		out += "/"
	}
	return out, 0
}

func containsEncodedSlash(raw string) bool {
	for i := 0; i+2 < len(raw); i++ {
		if raw[i] == '%' && raw[i+1] == '2' && (raw[i+2] == 'f' || raw[i+2] == 'F') {
			return true
		}
	}
	return false
}

// open opens DocumentRoot+rel and checks that the opened file really lies inside the
// document root. status is 0, 403 or 404.
func (h *Handler) open(rel string) (*os.File, meta, int) {
	name := h.realRoot + rel
	// O_NONBLOCK: opening a FIFO must not block; regular files ignore it (and it spares
	// os.OpenFile two fcntl calls).
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, meta{}, errStatus(err)
	}
	if !h.inside(f, name) {
		f.Close()
		return nil, meta{}, http.StatusForbidden
	}
	m, err := stat(f)
	if err != nil {
		f.Close()
		return nil, meta{}, errStatus(err)
	}
	return f, m, 0
}

// errStatus maps an open error as apache2 does: missing (also "not a directory" for
// a path through a file) is 404, everything else (permission, loops, name too long)
// is 403.
func errStatus(err error) int {
	if os.IsNotExist(err) {
		return http.StatusNotFound
	}
	if pe, ok := err.(*os.PathError); ok && pe.Err == syscall.ENOTDIR {
		return http.StatusNotFound
	}
	return http.StatusForbidden
}

// inside reports whether the opened file's real path is the document root or below
// it. It asks the kernel for the path of the open descriptor, so a symlink swapped
// after the check cannot redirect the read; without /proc it resolves name instead.
func (h *Handler) inside(f *os.File, name string) bool {
	var buf [4096]byte
	var real []byte
	if n, ok := fdPath(f, buf[:]); ok {
		real = buf[:n]
	} else if p, err := filepath.EvalSymlinks(name); err == nil {
		real = []byte(p)
	} else {
		return false
	}
	root := h.realRoot
	return string(real) == root || len(real) > len(root) && real[len(root)] == '/' && string(real[:len(root)]) == root
}

// redirectSlash answers a directory requested without its trailing slash with
// apache2's 301 to the slash form.
func redirectSlash(w http.ResponseWriter, r *http.Request) {
	host, port := http1.ServerHostPort(r)
	scheme, defPort := "http", "80"
	if r.TLS != nil {
		scheme, defPort = "https", "443"
	}
	if strings.IndexByte(host, ':') >= 0 {
		host = "[" + host + "]"
	}
	loc := scheme + "://" + host
	if port != defPort {
		loc += ":" + port
	}
	loc += r.URL.EscapedPath() + "/"
	if r.URL.RawQuery != "" {
		loc += "?" + r.URL.RawQuery
	}
	w.Header()["Location"] = []string{loc}
	http1.WriteError(w, r, http.StatusMovedPermanently, "")
}

// contentType returns the type for the extensions of rel's last element: apache2's
// mod_mime looks at every extension ("a.tar.gz") and the last one with a type wins.
func (h *Handler) contentType(rel string) string {
	base := rel[strings.LastIndexByte(rel, '/')+1:]
	ct := ""
	for {
		i := strings.IndexByte(base, '.')
		if i < 0 {
			return ct
		}
		base = base[i+1:]
		ext := base
		if j := strings.IndexByte(ext, '.'); j >= 0 {
			ext = ext[:j]
		}
		if t, ok := h.Types[ext]; ok {
			ct = t
		} else if t, ok := h.Types[strings.ToLower(ext)]; ok {
			ct = t
		}
	}
}

// serveFile sends a regular file with apache2's headers, conditional requests and
// single ranges.
func (h *Handler) serveFile(w http.ResponseWriter, r *http.Request, f *os.File, fi meta, rel string) {
	now := time.Now()
	mtime := fi.mtime
	size := fi.size
	lm := mtime
	if lm.After(now) {
		lm = now // apache2 never announces a Last-Modified in the future
	}
	ct := h.contentType(rel)

	// Last-Modified, ETag and the size share one string; the value slices share one array.
	var buf [96]byte
	b := lm.UTC().AppendFormat(buf[:0], http.TimeFormat)
	lmEnd := len(b)
	b, hasETag := appendETag(b, h.FileETag, fi, f, now)
	etEnd := len(b)
	b = strconv.AppendInt(b, size, 10)
	strs := string(b)
	etag := strs[lmEnd:etEnd]
	fr := new(fileReply)
	vals := fr.vals[:]
	vals[0] = strs[:lmEnd]
	vals[1] = etag
	vals[2] = "bytes"
	hd := w.Header()
	hd["Last-Modified"] = vals[0:1:1]
	if hasETag {
		hd["ETag"] = vals[1:2:2]
	}
	hd["Accept-Ranges"] = vals[2:3:3]
	if ct != "" {
		vals[3] = ct
		hd["Content-Type"] = vals[3:4:4]
	}

	switch checkConditions(r, etag, lm, now) {
	case http.StatusNotModified:
		delete(hd, "Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return
	case http.StatusPreconditionFailed:
		vals[4] = "0"
		hd["Content-Length"] = vals[4:5:5]
		w.WriteHeader(http.StatusPreconditionFailed)
		return
	}

	status, start, length := http.StatusOK, int64(0), size
	if r.Method == http.MethodGet || r.Method == http.MethodHead { // apache2 honours Range on HEAD too
		if rg := r.Header["Range"]; len(rg) == 1 && ifRangeHolds(r, etag, lm) {
			s, l, ok, satisfiable := parseRange(rg[0], size)
			switch {
			case ok && !satisfiable:
				// apache2's error page carries none of the file's headers; Content-Range
				// is kept as RFC 9110 §15.5.17 asks.
				delete(hd, "Last-Modified")
				delete(hd, "ETag")
				delete(hd, "Accept-Ranges")
				delete(hd, "Content-Type")
				hd["Content-Range"] = []string{"bytes */" + strconv.FormatInt(size, 10)}
				http1.WriteError(w, r, http.StatusRequestedRangeNotSatisfiable, "")
				return
			case ok:
				status, start, length = http.StatusPartialContent, s, l
				hd["Content-Range"] = []string{"bytes " + strconv.FormatInt(s, 10) + "-" +
					strconv.FormatInt(s+l-1, 10) + "/" + strconv.FormatInt(size, 10)}
			}
		}
	}
	if length == size {
		vals[5] = strs[etEnd:]
	} else {
		vals[5] = strconv.FormatInt(length, 10)
	}
	hd["Content-Length"] = vals[5:6:6]
	w.WriteHeader(status)
	if r.Method == http.MethodHead || length == 0 {
		return
	}
	if start > 0 {
		if _, err := f.Seek(start, io.SeekStart); err != nil {
			return
		}
	}
	// The engine gets an *io.LimitedReader over the *os.File: sendfile(2), or for a
	// small file one read into its buffer behind the headers.
	fr.lr = io.LimitedReader{R: f, N: length}
	io.Copy(w, &fr.lr)
}

// fileReply holds, in one allocation, the header values and the body reader of one
// file response.
type fileReply struct {
	vals [6]string
	lr   io.LimitedReader
}
