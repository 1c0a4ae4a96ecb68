// Package static serves files from a document root the way apache2's default handler
// (with mod_mime and mod_dir) does: same status codes, headers, ETag form, conditional
// requests, byte ranges (several as multipart/byteranges, merged and limited as
// apache2's MaxRanges, MaxRangeOverlaps and MaxRangeReversals defaults), directory redirects and index files, and apache2's
// error pages through http1.WriteError. As apache2's default handler it serves GET, HEAD
// and POST (a POST body is read and discarded first, which answers "Expect:
// 100-continue"), answers OPTIONS with 200 and Allow, other registered methods with 405
// and unknown ones with 501, and redirects a directory named without its trailing slash
// (any method) before it looks at the method. Paths are decoded and dot-segments
// resolved as apache2 does: ".." above the root is 400, an encoded slash or NUL is 404.
// Every file is checked after opening: the kernel's path of the open descriptor must lie
// in the document root, so neither a symlink nor a race can lead outside it.
//
// Per-directory settings (Require, Options Indexes and FollowSymLinks, DirectoryIndex,
// ForceType, FileETag, ErrorDocument, mod_mime's per-directory lines, MultiViews)
// come from a Configurer (package site) through Serve; ServeHTTP uses the Handler's
// own. With Indexes, a directory without an index file is listed as mod_autoindex
// lists it (without FancyIndexing); without, it is 403. With MultiViews, a file that
// does not exist is negotiated among the files named after it (negotiate.go, package
// negotiation), and the type-map handler serves .var files.
//
// Deliberate differences from a stock apache2:
//   - A path whose real location (after following symlinks) is outside the root
//     (DocumentRoot or an Alias target) is answered 403, even though apache2's Options
//     FollowSymLinks would serve it, and logged as a symlink refused (AH00037). Never
//     leaving the root is a hard rule here.
//     Symlinks that stay inside it are followed as Options say.
//   - A 416 answer carries Content-Range: bytes */size (RFC 9110) and a Content-Length;
//     apache2 sends its error page chunked without Content-Range.
//   - Recently served files stay open for up to a second (see cache.go): a file
//     replaced by a rename, or removed, may be served as it was for that long; a file
//     changed in place is served new at once.
package static

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/apuri"
	"github.com/httpd-mpm/httpd-mpm/mpm/autoindex"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/negotiation"
)

// Allow is the Allow header of apache2's default handler with TraceEnable Off;
// AllowTrace with TraceEnable On (apache2's order varies from process to process).
const (
	Allow      = "GET,POST,OPTIONS,HEAD"
	AllowTrace = "GET,POST,OPTIONS,HEAD,TRACE"
)

// dirType is the media type mod_mime gives a directory (apache2's
// DIR_MAGIC_TYPE), which its default handler's OPTIONS answer keeps.
const dirType = "httpd/unix-directory"

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
	Types          map[string]string // extension (lowercase, no dot) -> MIME type (AddType); wins over MimeTypes
	MimeTypes      *MimeTypes        // TypesConfig's file, for the extensions Types lacks; may be nil
	// Charsets and Languages are AddCharset's and AddLanguage's: extension
	// (lowercase, no dot) to a charset, which becomes the type's charset
	// parameter, or to a language, sent as Content-Language. Nil for none.
	Charsets, Languages map[string]string
	// Encodings and Handlers are AddEncoding's and AddHandler's, as
	// Charsets (only the type-map handler runs here). Nil for none.
	Encodings, Handlers map[string]string
	// DefaultLanguage is the Content-Language of a file whose extensions
	// give none (DefaultLanguage); MultiviewsMatch is the server's.
	DefaultLanguage string
	MultiviewsMatch Match
	FileETag        FileETag // ETag components; zero: Apache's default, MTime Size
	// TraceEnabled adds TRACE to the Allow header (the engine answers TRACE itself,
	// see http1.Server.TraceEnable).
	TraceEnabled bool
	// LogError, if set, is told of the errors apache2 writes to its error log about a
	// request this handler refuses or cannot find, with apache2's level, module and
	// message (AH number included), so that the caller can write them as apache2 does:
	//
	//	LevelError "authz_core" "AH01630: client denied by server configuration: /srv/www/private/x.txt"
	//	LevelError "autoindex"  "AH01276: Cannot serve directory /srv/www/d/: No matching DirectoryIndex (index.html) found, and server-generated directory index forbidden by Options directive"
	//	LevelError "core"       "AH00037: Symbolic link not allowed or link target not accessible: /srv/www/l"
	//	LevelError "core"       "AH00132: file permissions deny server access: /srv/www/f" (err syscall.EACCES)
	//	LevelInfo  "core"       "AH00128: File does not exist: /srv/www/missing"
	//
	// err, when not nil, is the system error apache2 prints before the client
	// ("(13)Permission denied: "). Paths are filesystem paths as configured (apache2's
	// r->filename) and nothing is escaped: escaping for the log is the caller's. It is
	// called on the request's goroutine before the response is written, for an error
	// response or for the entries a directory listing leaves out (denied, or symlinks
	// refused: AH01630, AH00032, in a 200 answer), and only for levels up to LogLevel;
	// it must be safe for concurrent use and must not keep r.
	LogError LogFunc
	// LogLevel is the most verbose level LogError is called for; messages of levels
	// above it are not even built (nor the paths they name looked for), so that a
	// server at apache2's default pays nothing per missing file. The zero value
	// stands for LevelWarn, apache2's default, not for emerg (apache2's level 0): a
	// Handler reports nothing more severe than LevelError, so a server logging only
	// emerg, alert or crit leaves LogError nil instead.
	LogLevel Level
	// ErrorLog, if set, is the server's error log itself, for what apache2
	// writes there as it comes: a CGI script's standard error under mod_cgid.
	ErrorLog *os.File
	// SubrequestLimit bounds the nesting of mod_dir's subrequests
	// (LimitInternalRecursion's second number); 0 is apache2's default, 10.
	SubrequestLimit int
	// RedirectLimit bounds the chain of internal redirects (a type map's to
	// its variant: LimitInternalRecursion's first number); 0 is apache2's
	// default, 10.
	RedirectLimit int
	// Files, if set, is the open-file cache this Handler shares with others (those of
	// every virtual host of a server), so that the cache's bound on open descriptors
	// holds for all of them together; nil gives the Handler a cache of its own.
	Files *FileCache

	once     sync.Once
	realRoot string // DocumentRoot with symlinks resolved and no trailing slash
	confRoot string // DocumentRoot as configured, clean, no trailing slash
	rootErr  error
	defaults Options    // for requests without a Configurer
	roots    sync.Map   // alias root -> its real path
	files    *FileCache // Files, or &own
	own      FileCache
}

// meta is what serving needs to know about an open file.
type meta struct {
	ino   uint64
	size  int64
	mtime time.Time
	kind  int // kindRegular, kindDir or kindOther
}

// equal reports whether a and b describe the same state of a file.
func (a meta) equal(b meta) bool {
	return a.ino == b.ino && a.size == b.size && a.kind == b.kind && a.mtime.Equal(b.mtime)
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
		h.realRoot, h.rootErr = realDir(h.DocumentRoot)
		h.confRoot = strings.TrimSuffix(filepath.Clean(h.DocumentRoot), "/")
		h.defaults = Options{FollowSymLinks: true, FileETag: h.FileETag}
		h.files = h.Files
		if h.files == nil {
			h.files = &h.own
		}
	})
}

// realDir is dir with symlinks resolved, absolute, without a trailing slash.
func realDir(dir string) (string, error) {
	root, err := filepath.EvalSymlinks(dir)
	if err == nil {
		root, err = filepath.Abs(root)
	}
	return strings.TrimSuffix(root, "/"), err
}

// Options are the per-directory settings of one request (see Configurer).
type Options struct {
	// Denied answers 403 (Require all denied).
	Denied bool
	// Access, if set, decides each request (Require with providers that look at
	// the request, Allow and Deny, Satisfy).
	Access Access
	// RequireSSL is mod_ssl's SSLRequireSSL: a request not over TLS is 403
	// (AH02219), before Access.
	RequireSSL bool
	// Indexes lists a directory without an index file (Options Indexes); otherwise
	// such a directory is 403.
	Indexes bool
	// FollowSymLinks follows symlinks on the path (inside the root only, always);
	// without it, a symlink on the path is 403 unless SymLinksIfOwnerMatch holds and
	// the link and its target have the same owner.
	FollowSymLinks, SymLinksIfOwnerMatch bool
	// DirectoryIndex replaces the Handler's when not nil.
	DirectoryIndex []string
	// NoDirectorySlash is DirectorySlash Off: a directory named without its
	// trailing slash is not redirected to it (nor its index served).
	NoDirectorySlash bool
	// AcceptPathInfo is AcceptPathInfo's setting: path info after a file.
	AcceptPathInfo PathInfo
	// Fallback is FallbackResource's URL ("" for none): a file that does
	// not exist and has no handler is served from it through Redirect.
	Fallback string
	// ForceType, if set, is the Content-Type of every file (ForceType).
	ForceType string
	// DefaultCharset, if set, is added as "; charset=" to a text/plain or text/html
	// Content-Type that names no charset (AddDefaultCharset).
	DefaultCharset string
	// FileETag selects the ETag components.
	FileETag FileETag
	// Error, if set, may answer an error status itself (ErrorDocument) and then
	// returns true; otherwise the engine's apache2 page is sent.
	Error func(w http.ResponseWriter, r *http.Request, status int) bool
	// WalkError is Error for a refusal of the directory walk itself (a
	// symlink), before the directory's settings apply: apache2 answers it
	// with the server's ErrorDocument only.
	WalkError func(w http.ResponseWriter, r *http.Request, status int) bool
	// Response, if set, takes part in every answer given under these settings
	// (package site: Header, RequestHeader, Expires*).
	Response Response
	// Autoindex is the mod_autoindex configuration of a listing (Indexes);
	// nil lists as apache2 without any of its directives.
	Autoindex *autoindex.Config
	// Rewrite, if set, runs once r passed the access checks, before mod_dir's
	// redirect and the fixups (mod_rewrite's per-directory rules): filename
	// is the path r names. It returns true when it answered r; otherwise a
	// non-empty typ is the media type r is answered with (RewriteRule [T=]).
	Rewrite func(w http.ResponseWriter, r *http.Request, filename string) (done bool, typ string)
	// Filter, if set, rewrites the bodies of the files and listings served
	// under these settings (package deflate).
	Filter OutputFilter
	// MIME, if set, is what sections say of extensions over the Handler's
	// own maps (mod_mime in <Directory>, <Files>, <Location>).
	MIME *MIME
	// SetHandler is SetHandler's handler, lowercase ("" for none or
	// "none"): over AddHandler's, it names the handler of every file under
	// these settings. type-map runs here through the default handler; the
	// others are Handler's to take.
	SetHandler string
	// MultiViews negotiates a request for a file that does not exist
	// among the files named after it (Options MultiViews), with
	// Negotiation's LanguagePriority and ForceLanguagePriority (nil:
	// none).
	MultiViews  bool
	Negotiation *negotiation.Config
	// Redirect, if set, serves r anew for the local URL uri, as apache2's
	// internal redirect (a type map's chosen variant); nil serves it from
	// this Handler.
	Redirect func(w http.ResponseWriter, r *http.Request, uri string)
	// Handler, if set, may answer for the files under these settings in place
	// of the default handler (package cgi: SetHandler, AddHandler, ScriptAlias).
	Handler ContentHandler
	// BodyLimit, if set, is the request body's LimitRequestBody (-1:
	// unlimited), and Signature the ServerSignature of the answers, over the
	// server's (see http1.SetBodyLimit, http1.SetSignature).
	BodyLimit *int64
	Signature *http1.Signature
	// TLSOptions are the SSLOptions (package sslvars' bits) that mod_ssl's
	// variables read for a request over TLS answered under these settings
	// (see http1.SetTLSOptions), and for their access check.
	TLSOptions uint8
}

// PathInfo is AcceptPathInfo's setting (apache2's r->used_path_info).
type PathInfo uint8

const (
	PathInfoDefault PathInfo = iota // the handler's choice: the default handler refuses path info
	PathInfoOn                      // the default handler serves the file, path info or not
	PathInfoOff                     // every handler refuses path info (404)
)

// ContentHandler answers for files in place of the default handler, as
// apache2's handlers other than the default one do (mod_cgi's cgi-script).
// It is asked once the request passed the access checks, mod_dir's redirect
// and the fixups: for an existing file, a missing one, a file followed by
// more path (path info, which only a handler takes) and a directory without
// an index file.
type ContentHandler interface {
	// Handles reports whether it answers for a file whose handler is
	// handler, as mod_mime and core resolve it (SetHandler, else AddHandler
	// for a file that is not a directory): "" for none.
	Handles(handler string) bool
	// Serve answers r for t.
	Serve(w http.ResponseWriter, r *http.Request, t *Target)
}

// Decliner is a ContentHandler that leaves some requests for the files it
// Handles to the default handler, as apache2's handlers decline (mod_status's
// takes GET and HEAD only).
type Decliner interface {
	// Declines reports whether the default handler answers r, whose
	// file's handler is handler, in its place.
	Declines(r *http.Request, handler string) bool
}

// Declines reports whether ch, which Handles handler, leaves r to the default
// handler (see Decliner).
func Declines(ch ContentHandler, r *http.Request, handler string) bool {
	d, ok := ch.(Decliner)
	return ok && d.Declines(r, handler)
}

// Target is the file a ContentHandler answers for.
type Target struct {
	Filename string // as configured (apache2's r->filename), symlinks not resolved
	PathInfo string // the rest of the path after Filename, "" for none
	Missing  bool   // no such file
	// AcceptPathInfo is the file's AcceptPathInfo.
	AcceptPathInfo PathInfo
	Dir            bool   // a directory
	Handler        string // the handler that Handles answered for
	// Error answers an error status as the settings say (ErrorDocument).
	Error func(w http.ResponseWriter, r *http.Request, status int)
}

// handle asks o's ContentHandler to answer r for rel below root, and reports
// whether it did.
func (h *Handler) handle(w http.ResponseWriter, r *http.Request, o *Options, croot, rel, info string, missing, dir bool) bool {
	handler, ok := h.handles(o, rel, dir)
	if !ok || Declines(o.Handler, r, handler) {
		return false
	}
	file := croot + rel
	t := &Target{Filename: file, PathInfo: info, Missing: missing, Dir: dir, AcceptPathInfo: o.AcceptPathInfo, Handler: handler,
		Error: func(w http.ResponseWriter, r *http.Request, status int) { h.error(w, r, status, o) }}
	o.Handler.Serve(w, r, t)
	return true
}

// handles reports whether o's ContentHandler answers for the file rel, and
// the handler it answers for: the file's handler, else, for a file with
// none, its media type (apache2's
// ap_invoke_handler takes r->content_type for an unset r->handler, which is
// how mod_cgi runs an application/x-httpd-cgi file).
func (h *Handler) handles(o *Options, rel string, dir bool) (string, bool) {
	if o.Handler == nil {
		return "", false
	}
	hd := h.fileHandler(rel, dir, o)
	if o.Handler.Handles(hd) {
		return hd, true
	}
	if hd != "" || dir {
		return "", false
	}
	ct, _, _ := strings.Cut(h.mimeType(rel, o), ";")
	ct = strings.TrimRight(ct, " \t")
	return ct, ct != "" && o.Handler.Handles(ct)
}

// handled reports whether o's ContentHandler answers for the file rel.
func (h *Handler) handled(o *Options, rel string) bool {
	_, ok := h.handles(o, rel, false)
	return ok
}

// fallback looks FallbackResource's URL up, as mod_dir's fixup_dflt does
// for rel, a file that does not exist (the request's, or an index file's
// subrequest), when it has no handler: 0 when its answer is r's, else the
// status for r (see lookup; 404: nothing falls back). A URL that falls
// back again (to itself: a fallback that does not exist either) nests as
// apache2's subrequests do, to their limit: a 500. The subrequest reuses
// main, r's walk (see Walk).
func (h *Handler) fallback(w http.ResponseWriter, r *http.Request, o *Options, rel string, main Walk, pre fields) int {
	if o.Redirect == nil || h.fileHandler(rel, false, o) != "" {
		return http.StatusNotFound
	}
	u := o.Fallback
	if u[0] != '/' {
		// ap_sub_req_lookup_uri: relative to the request's directory.
		u = r.URL.Path[:strings.LastIndexByte(r.URL.Path, '/')+1] + u
	}
	return h.lookup(w, r, u, false, o, &main, pre)
}

// pathInfo finds, for a path rel below root that does not exist, where
// apache2's directory walk stops: at the regular file rel starts with
// (file true), else at the first segment that does not exist (file false).
// rel[:n] is that name and rel[n:] the path info; n is 0 when the walk
// stops at rel's last segment or finds something else in the way. It costs
// one stat when rel's directory exists, else one per name that exists from
// root on, as apache2's walk, whatever the length of the rest.
func pathInfo(root, rel string) (n int, file bool) {
	if i := strings.LastIndexByte(rel, '/'); i > 0 {
		if fi, err := os.Stat(root + rel[:i]); err == nil && fi.IsDir() {
			return 0, false
		}
	}
	for i := 1; i < len(rel); i++ {
		if rel[i] != '/' {
			continue
		}
		fi, err := os.Stat(root + rel[:i])
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return i, false // the walk stops at the first missing segment
		case err != nil:
			return 0, false
		case fi.Mode().IsRegular():
			return i, true
		case !fi.IsDir():
			return 0, false
		}
	}
	return 0, false
}

// OutputFilter rewrites the body of an answer, as apache2's content output
// filters (mod_deflate) do.
type OutputFilter interface {
	// Wrap returns the writer the answer to r about the file name goes to,
	// and the func that ends it once the answer is written. The writer may
	// implement Transformer.
	Wrap(w http.ResponseWriter, r *http.Request, name string) (http.ResponseWriter, func())
}

// Transformer is a writer that may rewrite a body. Transforms is asked once
// the fields of a whole file are set (Content-Type, Content-Length, ETag):
// true means the body will be rewritten, and the handler then sends all of
// it, for HEAD too, and leaves Range to the writer (see WriteRanges).
type Transformer interface {
	Transforms() bool
}

// Response is what per-directory settings add to the answers given under
// them. Both methods run on the request's goroutine.
type Response interface {
	// Answer is called when the settings become the ones r is answered
	// under, before the answer is decided, with the modification time of
	// the file or directory r names (the zero Time when none exists); a
	// later call (the index file of a directory) replaces an earlier one.
	Answer(r *http.Request, mtime time.Time)
	// Fixup is called once r passed the access checks and mod_dir's
	// redirect, before the answer is decided (apache2's fixups): it may
	// change r.Header.
	Fixup(r *http.Request)
}

// Access decides whether a request may be served under some settings (apache2's
// access checkers and authorization).
type Access interface {
	// Check runs on the request's goroutine before anything of r is served. It
	// returns 0 to serve r, else the status to answer (having set fields of w it
	// needs, such as WWW-Authenticate for a 401; w is nil for a subrequest, such as
	// the check of a directory listing's entry). The refusals it returns are
	// logged, at LevelError and with the file name r maps to, whatever the status.
	Check(w http.ResponseWriter, r *http.Request) (int, *Refusal)
}

// Refusal is an error log line about a refused request, completed with the file
// name it maps to ("AH01630: client denied by server configuration: " and the
// path); Next, if set, is logged after it.
type Refusal struct {
	Module, Message string
	Suffix          string // after the file name
	Next            *Refusal
}

// check applies o's access settings to r: 0 to serve, else the status to
// answer, with the refusals to log.
func (o *Options) check(w http.ResponseWriter, r *http.Request) (int, *Refusal) {
	if o.Denied {
		return http.StatusForbidden, deniedByRequire
	}
	if o.RequireSSL && r.TLS == nil {
		return http.StatusForbidden, sslRequired
	}
	if o.Access != nil {
		if r.TLS != nil {
			// Require expr reads mod_ssl's variables under o's SSLOptions,
			// a subrequest's (a listing's entry, an index) for its check only.
			prev := http1.TLSOptions(r)
			http1.SetTLSOptions(r, o.TLSOptions)
			defer http1.SetTLSOptions(r, prev)
		}
		return o.Access.Check(w, r)
	}
	return 0, nil
}

// sslRequired is mod_ssl's refusal of SSLRequireSSL.
var sslRequired = &Refusal{Module: "ssl", Message: "AH02219: access to ", Suffix: " failed, reason: SSL connection required"}

// deniedByRequire is mod_authz_core's refusal.
var deniedByRequire = &Refusal{Module: "authz_core", Message: "AH01630: client denied by server configuration: "}

// CheckAccess applies o's access settings to r for a handler in front of a
// Handler that applies the same settings: 0 to serve, else the status to answer;
// the refusals are logged through log (nil: nowhere) with path as the file name.
func (o *Options) CheckAccess(w http.ResponseWriter, r *http.Request, log LogFunc, path string) int {
	status, why := o.check(w, r)
	for ; why != nil && log != nil; why = why.Next {
		log(r, LevelError, why.Module, nil, why.Message+path+why.Suffix)
	}
	return status
}

// Configurer supplies the per-directory settings of a request once the file it names
// is known: dir is the absolute directory (the file's, or the directory itself when
// the request names one, name then being ""). A nil result means the Handler's own.
type Configurer interface {
	Configure(r *http.Request, dir, name string) *Options
}

// ServeHTTP answers r from DocumentRoot.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.init()
	if r.URL.Path == "*" {
		if r.Method == http.MethodOptions {
			w.Header()["Content-Length"] = []string{"0"}
			return
		}
		http1.WriteError(w, r, http.StatusBadRequest, "")
		return
	}
	rel, status := Normalize(r)
	if status != 0 {
		http1.WriteError(w, r, status, "")
		return
	}
	// A DocumentRoot missing when the child started is looked up again on
	// each request until it exists (rootOf remembers only successes), so
	// restoring it needs no restart.
	real, err := h.rootOf(h.DocumentRoot)
	if err != nil {
		h.logOpenError(r, h.DocumentRoot, h.confRoot, rel, err)
		http1.WriteError(w, r, http.StatusNotFound, "")
		return
	}
	h.serve(w, r, real, h.confRoot, rel, nil)
}

// Serve answers r with the file rel (a path from CleanPath, or "/" + a file name)
// below the directory root (an Alias target, or DocumentRoot), with the settings conf
// gives (nil: the Handler's). As for DocumentRoot, nothing outside root is ever served.
// conf sees directories under root as written, symlinks not resolved, as apache2
// matches <Directory> sections.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request, root, rel string, conf Configurer) {
	h.init()
	croot := strings.TrimSuffix(filepath.Clean(root), "/")
	real, err := h.rootOf(root)
	if err != nil {
		i := strings.LastIndexByte(rel, '/')
		dir, name := croot+rel[:max(i, 0)], rel[i+1:]
		if n, file := pathInfo("", croot+"/"); n > 0 && !file {
			// The walk stops at the first name of the root that does
			// not exist: its settings (<Files>) are the request's.
			i = strings.LastIndexByte(croot[:n], '/')
			dir, name = croot[:i], croot[i+1:n]
		}
		o := h.options(r, conf, dir, name)
		answer(r, o, time.Time{})
		if st, why := o.check(w, r); st != 0 || why != nil {
			if why != nil && h.logs(LevelError) {
				h.logRefusals(r, why, filename(root, croot, rel))
			}
			if st != 0 {
				h.error(w, r, st, o)
				return
			}
		}
		fixup(r, o)
		h.logOpenError(r, root, croot, rel, err)
		h.error(w, r, http.StatusNotFound, o)
		return
	}
	h.serve(w, r, real, croot, rel, conf)
}

// rootOf resolves (and remembers) the real path of an alias root.
func (h *Handler) rootOf(root string) (string, error) {
	if root == h.DocumentRoot && h.rootErr == nil {
		return h.realRoot, nil
	}
	if v, ok := h.roots.Load(root); ok {
		return v.(string), nil
	}
	real, err := realDir(root)
	if err != nil {
		return "", err
	}
	h.roots.Store(root, real)
	return real, nil
}

func (h *Handler) options(r *http.Request, conf Configurer, dir, name string) *Options {
	if conf != nil {
		return h.configured(r, conf.Configure(r, dir, name))
	}
	return &h.defaults
}

// configured is o, a Configurer's answer for r, applied to r; nil is
// the Handler's own settings.
func (h *Handler) configured(r *http.Request, o *Options) *Options {
	if o == nil {
		return &h.defaults
	}
	if o.BodyLimit != nil {
		http1.SetBodyLimit(r, *o.BodyLimit)
	}
	if o.Signature != nil {
		http1.SetSignature(r, *o.Signature)
	}
	return o
}

// subOptions is options for the file name in dir as apache2's subrequest
// for the URL-path uri sees it (a DirectoryIndex file, a negotiated variant):
// the <Location> sections that apply are uri's, not r's.
// main is the main request's walk. r's error levels stay r's (see
// keepLevels).
func (h *Handler) subOptions(r *http.Request, conf Configurer, uri, dir, name string, main Walk) *Options {
	defer keepLevels(r)()
	if conf == nil || uri == r.URL.Path {
		return h.options(r, conf, dir, name)
	}
	sub := atPath(r, uri)
	if sc, ok := conf.(WalkConfigurer); ok {
		return h.configured(sub, sc.ConfigureSub(sub, dir, name, main))
	}
	return h.options(sub, conf, dir, name)
}

// keepLevels returns what gives r back the error levels it has now: a
// subrequest's sections set levels of their own (apache2's r->log), which a
// Configurer records on the connection the main request shares.
func keepLevels(r *http.Request) (restore func()) {
	levels := http1.LogConfig(r)
	return func() { http1.SetLogConfig(r, levels) }
}

// atPath is a copy of r for the URL-path p (a subrequest's).
func atPath(r *http.Request, p string) *http.Request {
	sub := r.WithContext(r.Context())
	u := *r.URL
	u.Path, u.RawPath = p, ""
	sub.URL = &u
	return sub
}

// subURL is the URL-path of the file name beside rel, the file (or, ending
// in "/", the directory) r's URL-path names.
func subURL(r *http.Request, rel, name string) string {
	p := r.URL.Path
	if i := strings.LastIndexByte(rel, '/'); i >= 0 && strings.HasSuffix(p, rel[i:]) {
		return p[:len(p)-len(rel[i:])+1] + name
	}
	return p[:strings.LastIndexByte(p, '/')+1] + name
}

// answer makes o the settings r is answered under: the SSLOptions its
// mod_ssl variables follow, then o's Response, if any. fixup calls o's
// Response, if any.
func answer(r *http.Request, o *Options, mtime time.Time) {
	if r.TLS != nil {
		http1.SetTLSOptions(r, o.TLSOptions)
	}
	if o.Response != nil {
		o.Response.Answer(r, mtime)
	}
}

func fixup(r *http.Request, o *Options) {
	if o.Response != nil {
		o.Response.Fixup(r)
	}
}

// IndexFixer is a Response whose fixups apache2 runs on both sides of
// mod_dir's, which fast-redirects a directory's request to its index file
// (fixup_dir and mod_headers' fixup are both APR_HOOK_LAST, dir_module
// loaded first): mod_env's and mod_ssl's run before it, under the
// directory's settings, and again in the index's subrequest, whose
// variables the request takes; mod_headers' after it, on the request,
// under the index's settings only.
type IndexFixer interface {
	// ChangesFields reports whether Fixup changes r's fields.
	ChangesFields() bool
	// IndexFixup is Fixup under the settings of the index file r was
	// fast-redirected to, on r's fields as they were before its
	// directory's Fixup: the variables r lacks are added (r's own entries
	// follow the subrequest's), then the fields are changed.
	IndexFixup(r *http.Request)
}

// fields is a copy of a request's fields, of the lines added to them
// (http1.RequestLines) and of the names of the client's fields removed
// (http1.RemovedFields); the zero value holds none.
type fields struct {
	h       http.Header
	lines   []string
	removed []string
}

// saveFields copies r's fields.
func saveFields(r *http.Request) fields {
	return fields{r.Header.Clone(), slices.Clone(http1.RequestLines(r)), http1.RemovedFields(r)}
}

// restore gives r the fields f holds, in place (the map is the one the
// access log reads), the client's fields removed since f was saved the
// client's again; nothing when f holds none.
func (f fields) restore(r *http.Request) {
	if f.h == nil {
		return
	}
	clear(r.Header)
	maps.Copy(r.Header, f.h)
	http1.SetRequestLines(r, slices.Clone(f.lines))
	http1.SetRemovedFields(r, f.removed)
}

// dirFields is what indexFixup needs of the fields of r, a directory's
// request that may be fast-redirected to an index (index), before o's
// fixups change them: a copy, or none when they do not.
func dirFields(r *http.Request, o *Options, index bool) fields {
	if !index {
		return fields{}
	}
	if f, ok := o.Response.(IndexFixer); !ok || !f.ChangesFields() {
		return fields{}
	}
	return saveFields(r)
}

// indexFixup runs o's fixups, a directory's index file's, for r,
// fast-redirected to it (see IndexFixer); pre is r's fields before the
// directory's fixups changed them (dirFields), given back to r first. A
// Response that is no IndexFixer runs its fixups on a copy of r's fields,
// as the subrequest, whose fields the request does not take over.
func indexFixup(r *http.Request, o *Options, pre fields) {
	pre.restore(r)
	if f, ok := o.Response.(IndexFixer); ok {
		f.IndexFixup(r)
		return
	}
	hdr, lines, removed := r.Header, http1.RequestLines(r), http1.RemovedFields(r)
	r.Header = hdr.Clone()
	fixup(r, o)
	r.Header = hdr
	http1.SetRequestLines(r, lines)
	http1.SetRemovedFields(r, removed)
}

// Fixup runs resp's fixups for r, a nil resp none: IndexFixup's for a
// subrequest of mod_dir's (a DirectoryIndex or FallbackResource URL's), which
// runs them on its main request's fields as they were before the main
// request's own (see lookup) and is fast-redirected to when found, as for
// an index file.
func Fixup(r *http.Request, resp Response) {
	if resp == nil {
		return
	}
	if f, ok := resp.(IndexFixer); ok && inLookup(r) {
		f.IndexFixup(r)
		return
	}
	resp.Fixup(r)
}

// noteFile notes the file r maps to, rel below croot, and its path info
// (http1.SetFilename) for an ErrorDocument of o's to read.
func noteFile(r *http.Request, o *Options, croot, rel, info string) {
	if o.Error != nil {
		http1.SetFilename(r, croot+rel, info)
	}
}

// error answers status through the ErrorDocument hook, else with apache2's page.
func (h *Handler) error(w http.ResponseWriter, r *http.Request, status int, o *Options) {
	if o.Error != nil && o.Error(w, r, status) {
		return
	}
	http1.WriteError(w, r, status, "")
}

// serve answers rel below root (real path); croot is the same root as configured.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, root, croot, rel string, conf Configurer) {
	h.serveInfo(w, r, root, croot, rel, "", true, conf)
}

// serveInfo is serve for the file rel followed by the path info info; walk
// says to look for path info in a path that does not exist.
func (h *Handler) serveInfo(w http.ResponseWriter, r *http.Request, root, croot, rel, info string, walk bool, conf Configurer) {
	f, fi, fe, status, oerr := h.open(root, rel)
	if f != nil {
		defer h.done(f, fe)
	}
	var o *Options
	if status == 0 && fi.kind == kindDir {
		if wc, ok := conf.(WalkConfigurer); ok && rel != "" && !strings.HasSuffix(rel, "/") {
			o = h.configured(r, wc.ConfigureBare(r, croot+rel))
		} else {
			o = h.options(r, conf, strings.TrimSuffix(croot+rel, "/"), "")
		}
	} else {
		i := strings.LastIndexByte(rel, '/')
		o = h.options(r, conf, croot+rel[:max(i, 0)], rel[i+1:])
	}
	noteFile(r, o, croot, rel, info)
	// apache2's walk refuses a symlink as it meets it, before it knows
	// whether the rest of the path exists, and before the access checks:
	// a path that does not exist behind a refused symlink is refused too.
	if !o.FollowSymLinks && (status == 0 || status == http.StatusNotFound || oerr == errOutside) {
		if ok, n := symlinksAllowed(root, rel, o.SymLinksIfOwnerMatch); !ok {
			if h.logs(LevelError) {
				h.logSymlink(r, "AH00037", croot+rel[:n])
			}
			if o.WalkError == nil || !o.WalkError(w, r, http.StatusForbidden) {
				http1.WriteError(w, r, http.StatusForbidden, "")
			}
			return
		}
	}
	// A path through a file (ENOTDIR) is that file's with path info: the
	// file's handler, not rel's, is the one that may answer.
	stopped := errors.Is(oerr, syscall.ENOTDIR)
	atFile := stopped // ... at a file, which mod_dir may fast-redirect to
	checked := false  // o's access settings were applied
	stop := rel       // the file the walk stopped at
	if status == http.StatusNotFound && walk && (o.Handler != nil || o.AcceptPathInfo == PathInfoOn || stopped || errors.Is(oerr, syscall.ENOENT)) {
		// A handler takes path info: the file the path starts with, if its
		// handler is one, or the default handler under AcceptPathInfo On.
		if n, file := pathInfo(root, rel); n > 0 {
			i := strings.LastIndexByte(rel[:n], '/')
			fo := h.options(r, conf, croot+rel[:i], rel[i+1:n])
			if h.handled(fo, rel[:n]) || file && fo.AcceptPathInfo == PathInfoOn {
				h.serveInfo(w, r, root, croot, rel[:n], rel[n:], false, conf)
				return
			}
			// Else no handler answers: apache2's walk stopped at rel[:n], a
			// file or the first name that does not exist, whose settings
			// are the request's (<Files> for that name; no <Directory> of
			// a directory that does not exist, no handler of rel's).
			stopped, atFile, checked, o, stop = true, file, true, fo, rel[:n]
			noteFile(r, o, croot, rel[:n], rel[n:])
			if st, why := fo.check(w, r); st != 0 {
				if why != nil && h.logs(LevelError) {
					h.logRefusals(r, why, croot+rel[:n])
				}
				h.error(w, r, st, fo)
				return
			}
		}
	}
	var mtime time.Time
	if status == 0 {
		mtime = fi.mtime
	}
	answer(r, o, mtime)
	if checked {
		// the walk's stop was checked above
	} else if st, why := o.check(w, r); st != 0 || why != nil {
		if why != nil && h.logs(LevelError) { // filename stats each directory on the path
			if status == 0 {
				h.logRefusals(r, why, croot+rel)
			} else {
				h.logRefusals(r, why, filename(root, croot, rel))
			}
		}
		if st != 0 {
			h.error(w, r, st, o)
			return
		}
	}
	if o.Rewrite != nil {
		if o.Error == nil {
			// Noted for an internal redirect's walk (noteFile did with Error).
			http1.SetFilename(r, croot+stop, info)
		}
		done, typ := o.Rewrite(w, r, croot+rel+info) // per-dir rules see the path info too, as apache2's
		if done {
			return
		}
		if typ != "" {
			forced := *o
			forced.ForceType = typ
			o = &forced
		}
	}
	noSlash := status == 0 && fi.kind == kindDir && !strings.HasSuffix(r.URL.Path, "/")
	if noSlash && !o.NoDirectorySlash {
		h.redirectSlash(w, r, o)
		return
	}
	vlv := ""
	if status == http.StatusNotFound && o.MultiViews && errors.Is(oerr, syscall.ENOENT) {
		c := h.multiviews(w, r, root, croot, rel, conf, r.Method == http.MethodGet || r.Method == http.MethodHead)
		if c.status != 0 {
			h.error(w, r, c.status, o)
			return
		}
		if c.name != "" {
			var ok bool
			if f, fi, fe, o, rel, ok = h.variant(w, r, root, croot, rel, c, conf); !ok {
				return
			}
			defer h.done(f, fe)
			status, oerr, vlv = 0, nil, c.vlv
		}
	}
	if status == http.StatusNotFound && !stopped && inLookup(r) {
		// mod_dir fast-redirects r to its subrequest only for a regular
		// file (or a ProxyPass): for one that does not exist but has a
		// handler (a script's, which would answer for it) none runs, and
		// the lookup found nothing. Without one the subrequest's own
		// FallbackResource applies, below.
		if _, ok := h.handles(o, rel, false); ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
	}
	// mod_dir may fast-redirect r to an index or a FallbackResource.
	dirHdr := dirFields(r, o, status == 0 && fi.kind == kindDir && !noSlash || status == http.StatusNotFound && o.Fallback != "")
	Fixup(r, o.Response)
	sub := inLookup(r)
	r = fastRedirect(r, status == 0 && fi.kind == kindRegular || atFile)
	if o.Handler != nil && (status == 0 && fi.kind != kindDir || status == http.StatusNotFound && !stopped) {
		if h.handle(w, r, o, croot, rel, info, status != 0, false) {
			return
		}
	}
	if info != "" && o.AcceptPathInfo != PathInfoOn {
		// Only a handler takes path info, or the default handler under
		// AcceptPathInfo On.
		h.serveInfo(w, r, root, croot, rel+info, "", false, conf)
		return
	}

	// apache2's default handler reads and discards a request body before it answers,
	// whatever the answer, which also sends the "100 Continue" a client may be waiting
	// for (not one the connection leaves unread: see http1.DiscardAll). Not when
	// mod_dir may hand r to another URL (FallbackResource, DirectoryIndex): its
	// fixup does before any handler, and the script there reads the body.
	// own is the default handler's part before it answers r itself: the
	// body discarded, a method it does not serve refused, OPTIONS answered
	// (false: r was answered). A request mod_dir may hand to another URL
	// (FallbackResource, DirectoryIndex), whatever its method, gets it only
	// where none took it (a static index, a listing, a refusal, not found).
	own := func() bool {
		if r.ContentLength != 0 {
			if err := http1.DiscardAll(r); err != nil {
				h.error(w, r, BodyStatus(err), o) // its ErrorDocument, as apache2's ap_die
				return false
			}
		}
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodPost:
			return true
		case http.MethodOptions:
			hd := w.Header()
			hd["Allow"] = []string{h.allow()}
			hd["Content-Length"] = []string{"0"}
			if status == 0 && fi.kind == kindDir {
				hd["Content-Type"] = []string{dirType} // mod_mime's type of a directory, kept
			} else if status == 0 {
				if ct := h.contentType(rel, o); ct != "" {
					hd["Content-Type"] = []string{ct}
				}
			}
		default:
			w.Header()["Allow"] = []string{h.allow()}
			if knownMethods[r.Method] {
				h.error(w, r, http.StatusMethodNotAllowed, o)
			} else {
				h.error(w, r, http.StatusNotImplemented, o)
			}
		}
		return false
	}
	redirectable := status == http.StatusNotFound && o.Fallback != "" && errors.Is(oerr, syscall.ENOENT) ||
		status == 0 && fi.kind == kindDir
	if !redirectable && !own() {
		return
	}
	if status == http.StatusNotFound && o.Fallback != "" && errors.Is(oerr, syscall.ENOENT) {
		// mod_dir's status for the URL is r's, answered as r's settings say.
		if st := h.fallback(w, r, o, rel, walkOf(r, croot, stop), dirHdr); st != http.StatusNotFound {
			if st != 0 {
				h.error(w, r, st, o)
			}
			return
		}
	}
	if status != 0 {
		if redirectable && !own() {
			return
		}
		h.logOpenError(r, root, croot, rel, oerr)
		h.error(w, r, status, o)
		return
	}
	if fi.kind == kindDir {
		index := h.indexNames(o)
		if noSlash {
			index = nil // DirectorySlash Off: mod_dir looks for no index
		}
		var idx *os.File
		var idxe *cachedFile
		refused := 0 // mod_dir's error_notfound: the last candidate's refusal
		for _, name := range index {
			if strings.ContainsRune(name, '/') {
				// A URL: mod_dir's subrequest maps it as any request.
				if h.indexStatus(w, r, h.indexURL(w, r, name, len(index) == 1, o, dirHdr), len(index) == 1, o, &refused) {
					return
				}
				continue
			}
			// The name's own subrequest is one level deeper than r, as
			// apache2's: its FallbackResource's lookup nests below it (a
			// fallback to a directory without an index, whose names fall
			// back again, stops after LimitInternalRecursion levels of
			// both, not of fallbacks alone: N names made N^limit lookups).
			// Made only for the fallback (two allocations per name).
			if _, ok := h.subrequestDepth(r); !ok {
				// r is a subrequest nested as deep as they go (a
				// DirectoryIndex URL naming its own directory): the name's
				// is a 500.
				refused = http.StatusInternalServerError
				continue
			}
			// mod_dir's subrequest for the name checks access first, file or
			// not; a refusal moves on to the next name (with a single name, a
			// 401 is the answer, its challenge included).
			cw := w
			if len(index) > 1 {
				cw = nil
			}
			io, st := h.indexName(cw, r, conf, croot, rel, name)
			if st == http.StatusUnauthorized && len(index) == 1 {
				h.error(w, r, st, o)
				return
			}
			if st != 0 {
				refused = st
				continue
			}
			g, gi, ge, st, gerr := h.open(root, rel+name)
			if st == http.StatusNotFound && errors.Is(gerr, syscall.ENOENT) {
				// mod_dir's subrequest for the index may negotiate it, else
				// fall back to FallbackResource's.
				if io.MultiViews {
					c := h.multiviews(w, r, root, croot, rel+name, conf, true)
					if c.status == http.StatusNotAcceptable && len(index) == 1 {
						h.error(w, r, c.status, o)
						return
					}
					if c.name != "" && c.status == 0 {
						var ok bool
						if g, gi, ge, o, _, ok = h.variant(w, r, root, croot, rel+name, c, conf); !ok {
							return
						}
						idx, idxe, fi, rel = g, ge, gi, rel+c.name // no validator: it was the subrequest's
						if strings.HasSuffix(r.URL.Path, "/") {
							r.URL.Path, r.URL.RawPath = r.URL.Path+c.name, ""
						}
						break
					}
					for _, k := range []string{"Vary", "TCN", "Alternates", "Content-Location"} {
						delete(w.Header(), k)
					}
				}
				if io.Fallback != "" {
					nr, _ := h.subrequest(r) // within the limit: checked above
					st := h.fallback(w, nr, io, rel+name, Walk{Dir: strings.TrimSuffix(croot+rel, "/"), Path: r.URL.Path}, dirHdr)
					if h.indexStatus(w, r, st, len(index) == 1, o, &refused) {
						return
					}
					if st != http.StatusNotFound {
						continue
					}
				}
			}
			if st == 0 && gi.kind == kindRegular {
				idx, idxe, fi, rel = g, ge, gi, rel+name
				// apache2 serves the index through a subrequest: the file's own
				// settings (<Files>, <Location>, ForceType) apply.
				o = io
				answer(r, o, fi.mtime)
				// mod_dir's fast internal redirect gives the request the index's
				// URI: the access log's %U is "/dir/index.html", not "/dir/".
				if strings.HasSuffix(r.URL.Path, "/") {
					r.URL.Path, r.URL.RawPath = r.URL.Path+name, ""
				}
				break
			}
			if g != nil {
				h.done(g, ge)
			}
			if st != 0 && st != http.StatusNotFound {
				// apache2 chose the file by its stat and fails to open it.
				h.logOpenError(r, root, croot, rel+name, gerr)
				h.error(w, r, st, o)
				return
			}
		}
		if idx == nil && refused != 0 {
			// No listing when a name was refused: mod_dir's fixup answers
			// before a handler looks at the method or reads the body.
			h.error(w, r, refused, o)
			return
		}
		if idx == nil && sub {
			// mod_dir fast-redirects to its subrequest only for a regular
			// file: a directory without an index found is no
			// DirectoryIndex or FallbackResource (the next name is
			// tried), whatever its handler or Options Indexes.
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if idx == nil {
			if o.Handler != nil && h.handle(w, r, o, croot, rel, "", false, true) {
				return
			}
			if !o.Indexes && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
				// mod_autoindex refuses a GET before the default handler
				// would read the body.
				if noSlash {
					index = []string{"none"} // mod_dir left no note of the names tried
				}
				h.logNoIndex(r, croot+rel, index)
				h.error(w, r, http.StatusForbidden, o)
				return
			}
			if !own() {
				return
			}
			if r.Method == http.MethodPost {
				// mod_autoindex takes GET only; apache2's default handler
				// refuses a directory.
				if h.logs(LevelInfo) {
					h.LogError(r, LevelInfo, "core", nil, "AH00129: Attempt to serve directory: "+croot+rel)
				}
				h.error(w, r, http.StatusNotFound, o)
				return
			}
			if o.Filter != nil {
				var done func()
				w, done = o.Filter.Wrap(w, r, rel)
				defer done()
			}
			h.listDirectory(w, r, f, fe != nil, root, croot, rel, conf, o)
			return
		}
		defer h.done(idx, idxe)
		f, fe = idx, idxe
		indexFixup(r, o, dirHdr)
		if o.Handler != nil {
			if h.handle(w, r, o, croot, rel, "", false, false) {
				return
			}
		}
		if !own() {
			return
		}
	}
	if fi.kind != kindRegular {
		h.error(w, r, http.StatusForbidden, o)
		return
	}
	ct := h.contentType(rel, o)
	if h.typeMap(rel, ct, o) {
		// mod_negotiation's handler, by name or by the file's type.
		h.serveTypeMap(w, r, root, croot, rel, o, conf)
		return
	}
	if o.Filter != nil {
		var done func()
		w, done = o.Filter.Wrap(w, r, rel)
		defer done()
	}
	h.serveFile(w, r, f, fi, fe, rel, ct, o, vlv)
}

// symlinksAllowed checks the path below root for symlinks, as apache2 does without
// Options FollowSymLinks: none may be one, or, with SymLinksIfOwnerMatch, each must
// have the owner of its target. When not, rel[:n] is the component refused. The
// check ends at a component that does not exist (the directory walk's end).
func symlinksAllowed(root, rel string, ifOwner bool) (ok bool, n int) {
	for i := 0; i < len(rel); {
		j := strings.IndexByte(rel[i+1:], '/')
		if j < 0 {
			j = len(rel)
		} else {
			j += i + 1
		}
		if j == i+1 { // an empty segment (the leading or a trailing slash)
			i = j
			continue
		}
		p := root + rel[:j]
		li, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) { // the rest is path info
			return true, len(rel)
		}
		if err != nil {
			return false, j
		}
		if li.Mode()&os.ModeSymlink != 0 {
			if !ifOwner {
				return false, j
			}
			ti, err := os.Stat(p)
			if err != nil || !sameOwner(li, ti) {
				return false, j
			}
		}
		i = j
	}
	return true, len(rel)
}

// BodyStatus is apache2's answer when reading the request body fails
// (ap_map_http_request_error): 413 over LimitRequestBody, 408 for a
// timeout, else 400.
func BodyStatus(err error) int {
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

// Normalize cleans r's URL-path in place with CleanPath, as apache2 normalizes
// r->uri before it maps the request: every <Location> and <LocationMatch>, the
// access log's %U and what the modules see then take the clean path. It returns
// the clean path, or the status that answers a path CleanPath refuses (r keeps
// what apache2 logs then). A clean path costs neither allocation nor copy.
func Normalize(r *http.Request) (string, int) {
	p, status := CleanPath(r.URL)
	if (status == 0 || status == http.StatusBadRequest && p != "") && p != r.URL.Path {
		r.URL.Path, r.URL.RawPath = p, ""
	}
	if status == http.StatusNotFound {
		// apache2's r->uri, decoded in place as far as a NUL: a C string
		// that ends there.
		if i := strings.IndexByte(r.URL.Path, 0); i >= 0 {
			r.URL.Path, r.URL.RawPath = r.URL.Path[:i], ""
		}
	}
	return p, status
}

// CleanPath maps the request path to a clean slash-separated path below the root,
// keeping a trailing slash. As apache2 does: an encoded slash (AllowEncodedSlashes Off)
// or NUL is 404, dot-segments are resolved after decoding (so %2e%2e is ".."), repeated
// slashes are merged, and a ".." above the root is 400 (the path is then the rest
// cleaned, that ".." left out, which apache2's access log shows).
func CleanPath(u *url.URL) (string, int) {
	p := u.Path
	if p == "" {
		p = "/"
	}
	if p[0] != '/' {
		return "", http.StatusBadRequest
	}
	if u.RawPath != "" {
		if apuri.BadEscape(u.RawPath) {
			// Kept as sent by the engine (a target url.Parse refuses):
			// apache2's ap_normalize_path fails on it, a 400.
			return "", http.StatusBadRequest
		}
		if containsEncodedSlash(u.RawPath) {
			return "", http.StatusNotFound
		}
	}
	if strings.IndexByte(p, 0) >= 0 {
		return "", http.StatusNotFound
	}
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") {
		return p, 0 // already clean: the common case, no allocation
	}
	segs := make([]string, 0, 8)
	rest := p[1:]
	trailing, above := false, false
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
				above = true
			} else {
				segs = segs[:len(segs)-1]
			}
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
	if above {
		return out, http.StatusBadRequest
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
// document root. status is 0, 403 or 404. A regular file or a directory may come from
// (or join) the open-file cache: then e is its entry, f is shared (a file is read at
// explicit offsets only, a directory listed through a descriptor of its own: see
// listDirectory), and m is fresh from fstat. Give f back with done.
// err is the reason for a status: the open error, or errOutside.
func (h *Handler) open(root, rel string) (f *os.File, m meta, e *cachedFile, status int, err error) {
	// root is a real path and rel a clean one: without a symlink or a dot segment
	// (an index name might be one) on the way, the file is root+rel, inside the root.
	plainable := (rel == "" || rel[0] == '/') && !strings.Contains(rel, "/.")
	var now time.Time // the cache's clock, read only for a path it may hold
	if plainable {
		now = time.Now()
		var kb [256]byte
		key := append(append(kb[:0], root...), rel...)
		if e := h.files.get(key, now); e != nil {
			if m, err := stat(e.f); err == nil && m.kind != kindOther {
				return e.f, m, e, 0, nil
			}
			h.files.release(e)
		}
	}
	name := root + rel
	// O_NONBLOCK: opening a FIFO must not block; regular files ignore it (and it spares
	// os.OpenFile two fcntl calls).
	var plain bool
	if plainable {
		f, plain, err = openPlain(name, os.O_RDONLY|syscall.O_NONBLOCK)
	}
	if !plain {
		f, err = os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	}
	if err != nil {
		return nil, meta{}, nil, errStatus(err), err
	}
	if !plain && !inside(f, name, root) {
		f.Close()
		return nil, meta{}, nil, http.StatusForbidden, errOutside
	}
	m, err = stat(f)
	if err != nil {
		f.Close()
		return nil, meta{}, nil, errStatus(err), err
	}
	if plain && m.kind != kindOther {
		e = h.files.put(name, f, now)
	}
	return f, m, e, 0, nil
}

// done gives back a file from open.
func (h *Handler) done(f *os.File, e *cachedFile) {
	if e != nil {
		h.files.release(e)
		return
	}
	f.Close()
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
func inside(f *os.File, name, root string) bool {
	var buf [4096]byte
	var real []byte
	if n, ok := fdPath(f, buf[:]); ok {
		real = buf[:n]
	} else if p, err := filepath.EvalSymlinks(name); err == nil {
		real = []byte(p)
	} else {
		return false
	}
	return string(real) == root || len(real) > len(root) && real[len(root)] == '/' && string(real[:len(root)]) == root
}

// redirectSlash answers a directory requested without its trailing slash with
// apache2's 301 to the slash form (its ErrorDocument 301, if any, as the body).
func (h *Handler) redirectSlash(w http.ResponseWriter, r *http.Request, o *Options) {
	path := r.URL.EscapedPath() + "/"
	if r.URL.RawQuery != "" {
		path += "?" + r.URL.RawQuery
	}
	loc := http1.SelfURL(r, path)
	w.Header()["Location"] = []string{loc}
	h.error(w, r, http.StatusMovedPermanently, o)
}

// contentType returns the type of rel with the default charset, if any, added.
func (h *Handler) contentType(rel string, o *Options) string {
	ct := h.mimeType(rel, o)
	if o.DefaultCharset != "" {
		ct = withCharset(ct, o.DefaultCharset)
	}
	return ct
}

// withCharset is apache2's ap_make_content_type: a type that holds "text/plain" or
// "text/html" and no "charset=" (case ignored, anywhere in it) gets "; charset=cs".
func withCharset(ct, cs string) string {
	if containsFold(ct, "charset=") || !containsFold(ct, "text/plain") && !containsFold(ct, "text/html") {
		return ct
	}
	return ct + "; charset=" + cs
}

// containsFold reports whether sub (lower-case ASCII) is in s, case ignored.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// serveFile sends a regular file with apache2's headers, conditional requests and
// single ranges. fe is f's open-file cache entry, if any; ct its Content-Type.
// vlv, when not "", is a negotiated answer's variant list validator, which
// apache2 joins to the ETag.
func (h *Handler) serveFile(w http.ResponseWriter, r *http.Request, f *os.File, fi meta, fe *cachedFile, rel, ct string, o *Options, vlv string) {
	now := http1.RequestTime(r) // apache2's r->request_time: ETag, conditions
	mtime := fi.mtime
	size := fi.size
	lm := mtime
	if !lm.Before(now) {
		// apache2's ap_rationalize_mtime: a file not older than the request is
		// dated no later than the clock, read again for it (never a
		// Last-Modified in the future).
		if t := time.Now(); lm.After(t) {
			lm = t
		}
	}

	// Last-Modified, ETag and the size share one string; the value slices share one array.
	fh := fe.headersFor(fi, o.FileETag)
	if fh == nil {
		var made fileHeaders
		fh = &made
		fh.m, fh.fields = fi, o.FileETag
		var buf [96]byte
		b := lm.UTC().AppendFormat(buf[:0], http.TimeFormat)
		fh.lmEnd = len(b)
		b, fh.hasETag = appendETag(b, o.FileETag, fi, f, now)
		fh.etEnd = len(b)
		b = strconv.AppendInt(b, size, 10)
		fh.strs = string(b)
		// Kept only while they no longer depend on the time: a file changed within the
		// last second has a weak ETag, one from the future the time as Last-Modified.
		if fe != nil && o.FileETag&ETagDigest == 0 && now.Sub(mtime) >= time.Second {
			kept := made
			fe.hdr.Store(&kept)
		}
	}
	strs := fh.strs
	hasETag := fh.hasETag
	etag := strs[fh.lmEnd:fh.etEnd]
	if vlv != "" && hasETag {
		etag = joinVLV(etag, vlv)
	}
	fr := new(fileReply)
	vals := fr.vals[:]
	vals[0] = strs[:fh.lmEnd]
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
	if lang := h.languages(rel, o); lang != "" {
		hd["Content-Language"] = []string{lang}
	}
	if enc := h.encoding(rel, o); enc != "" {
		hd["Content-Encoding"] = []string{negotiation.FixEncoding(enc, r.Header["Accept-Encoding"])}
	}

	switch checkConditions(r, etag, lm, now) {
	case http.StatusNotModified:
		// Content-Type stays for a HeaderFilter (ExpiresByType); the engine
		// sends none with a 304.
		w.WriteHeader(http.StatusNotModified)
		return
	case http.StatusPreconditionFailed:
		// apache2 answers GET with "Content-Length: 0" (nothing is sent) but HEAD with
		// the file's length, which its default handler set before the conditions.
		vals[4] = "0"
		if r.Method == http.MethodHead {
			vals[4] = strs[fh.etEnd:]
		}
		hd["Content-Length"] = vals[4:5:5]
		w.WriteHeader(http.StatusPreconditionFailed)
		return
	}

	vals[4] = strs[fh.etEnd:]
	transform := false
	if t, ok := w.(Transformer); ok {
		hd["Content-Length"] = vals[4:5:5]
		transform = t.Transforms()
	}
	status, start, length := http.StatusOK, int64(0), size
	if !transform {
		var done bool
		status, start, length, done = serveRanges(w, r, f, size, ct, etag, lm, now, true)
		if done {
			return
		}
	}
	if !transform { // a Transformer set the length of what it sends
		if length == size {
			vals[5] = strs[fh.etEnd:]
		} else {
			vals[5] = strconv.FormatInt(length, 10)
		}
		hd["Content-Length"] = vals[5:6:6]
	}
	w.WriteHeader(status)
	if r.Method == http.MethodHead && !transform || length == 0 {
		return
	}
	// The engine gets an *io.SectionReader over the *os.File, which it reads at
	// explicit offsets (f may be shared): sendfile(2), or for a small file one pread
	// into its buffer behind the headers; a small cached file is copied there from
	// its mapping instead (cachedFile.view).
	if m := fe.view(size); m != nil {
		fr.sr = *io.NewSectionReader(m, start, length)
	} else {
		fr.sr = *io.NewSectionReader(f, start, length)
	}
	io.Copy(w, &fr.sr)
}

// serveRanges applies r's Range, as apache2's byterange filter, to a body
// of size bytes read from ra with the validators etag and lm (now: the
// request's time, If-Range's minute): done when it
// answered (several ranges, or none satisfiable: a 416 with Content-Range
// when unsatisfied says so), else the status, start and length to send, with
// Content-Range set for a 206.
func serveRanges(w http.ResponseWriter, r *http.Request, ra io.ReaderAt, size int64, ct, etag string, lm, now time.Time, unsatisfied bool) (status int, start, length int64, done bool) {
	status, length = http.StatusOK, size
	if r.Method != http.MethodGet && r.Method != http.MethodHead { // apache2 honours Range on HEAD too
		return status, 0, length, false
	}
	rg := r.Header["Range"]
	if len(rg) != 1 || !ifRangeHolds(r, etag, lm, now) {
		return status, 0, length, false
	}
	ranges, ok, satisfiable := parseRanges(rg[0], size)
	hd := w.Header()
	switch {
	case ok && !satisfiable:
		// apache2's error page carries none of the body's fields; Content-Range
		// is kept as RFC 9110 §15.5.17 asks.
		for _, k := range rangeErrorDropped {
			delete(hd, k)
		}
		if unsatisfied {
			hd["Content-Range"] = []string{"bytes */" + strconv.FormatInt(size, 10)}
		}
		http1.WriteError(w, r, http.StatusRequestedRangeNotSatisfiable, "")
		return 0, 0, 0, true
	case ok && len(ranges) > 1:
		serveMultipart(w, r, ra, ranges, size, ct)
		return 0, 0, 0, true
	case ok:
		s, l := ranges[0].start, ranges[0].length
		hd["Content-Range"] = []string{"bytes " + strconv.FormatInt(s, 10) + "-" +
			strconv.FormatInt(s+l-1, 10) + "/" + strconv.FormatInt(size, 10)}
		return http.StatusPartialContent, s, l, false
	}
	return status, 0, length, false
}

// rangeErrorDropped are the fields a 416 does not keep.
var rangeErrorDropped = []string{"Last-Modified", "ETag", "Accept-Ranges", "Content-Type", "Content-Length", "Vary", "Content-Encoding"}

// WriteRanges answers r with the ranges its Range asks of body, a whole
// answer whose fields (Content-Type, ETag, Last-Modified for If-Range) are
// set on w, as apache2's byterange filter cuts what the content filters
// made of a file (its 416 then has no Content-Range); false when no range
// applies and nothing was written.
func WriteRanges(w http.ResponseWriter, r *http.Request, body []byte) bool {
	if len(r.Header["Range"]) == 0 {
		return false
	}
	hd := w.Header()
	var lm time.Time
	if v := hd["Last-Modified"]; len(v) > 0 {
		lm, _ = http.ParseTime(v[0])
	}
	etag := ""
	if v := hd["ETag"]; len(v) > 0 {
		etag = v[0]
	} else if v := hd["Etag"]; len(v) > 0 {
		etag = v[0]
	}
	ct := ""
	if v := hd["Content-Type"]; len(v) > 0 {
		ct = v[0]
	}
	size := int64(len(body))
	status, start, length, done := serveRanges(w, r, bytes.NewReader(body), size, ct, etag, lm, http1.RequestTime(r), false)
	if done {
		return true
	}
	if status != http.StatusPartialContent {
		return false
	}
	hd["Content-Length"] = []string{strconv.FormatInt(length, 10)}
	w.WriteHeader(status)
	w.Write(body[start : start+length])
	return true
}

// fileReply holds, in one allocation, the header values and the body reader of one
// file response.
type fileReply struct {
	vals [6]string
	sr   io.SectionReader
}
