// Package cgi is apache2's mod_cgi and mod_cgid: the "cgi-script" handler
// runs a file as a CGI program (RFC 3875) as apache2 2.4.71 runs it. The
// program gets apache2's environment (ap_add_common_vars, ap_add_cgi_vars:
// the request's fields as HTTP_*, without Authorization unless CGIPassAuth,
// SERVER_*, REMOTE_*, DOCUMENT_ROOT, CONTEXT_PREFIX, CONTEXT_DOCUMENT_ROOT,
// SCRIPT_FILENAME, SCRIPT_NAME, PATH_INFO, PATH_TRANSLATED, REQUEST_URI,
// REQUEST_SCHEME, QUERY_STRING, PATH and the request's own variables from
// mod_env and mod_setenvif), the request body (dechunked) on its standard
// input and the script's directory as its working directory; a query
// without "=" is split into its arguments. Its output's header is read as
// ap_scan_script_header_err reads it (Status, Location, Content-Type,
// Last-Modified, Set-Cookie, the others merged), a local Location without a
// Status is an internal redirect as GET, another Location a 302, and the
// body is streamed as it comes. A script named nph-... writes the whole
// response itself. Its standard error goes to the error log, a line each
// (AH01215).
//
// A script runs in its own process group, as the serving child's user, with
// only its three standard descriptors open; the group is killed when the
// client goes away, when the script is silent for longer than Timeout
// (CGIScriptTimeout), or when it outlives its output; every script is
// reaped. The handler blocks the goroutine that serves the request until the
// script's output is sent, as apache2's worker threads block.
package cgi

import (
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// Site is what the handler needs of the server a script runs in.
type Site interface {
	// Context is r's CONTEXT_PREFIX and CONTEXT_DOCUMENT_ROOT: the Alias or
	// ScriptAlias that mapped it (its URL-path and directory), else "" and
	// the DocumentRoot.
	Context(r *http.Request) (prefix, root string)
	// DocumentRoot is the server's DocumentRoot.
	DocumentRoot() string
	// Translate is the file name the URL-path p maps to (PATH_TRANSLATED).
	Translate(r *http.Request, p string) string
	// Redirect answers r with the local URL u as a GET (an internal
	// redirect: a script's Location without Status).
	Redirect(w http.ResponseWriter, r *http.Request, u string)
}

// Handler is the cgi-script handler under one directory's settings: a
// static.ContentHandler.
type Handler struct {
	Server *Server
	Dir    Dir
	// ExecCGI is Options ExecCGI; ScriptAliased says that a ScriptAlias
	// mapped the request, which needs no ExecCGI.
	ExecCGI, ScriptAliased bool
	Site                   Site
	LogError               static.LogFunc
	LogLevel               static.Level
	// ErrorLog is the error log itself: under mod_cgid (whose daemon
	// passes its own standard error on) a script writes to it directly.
	// Nil: its lines are logged as mod_cgi's AH01215.
	ErrorLog *os.File
}

var _ static.ContentHandler = (*Handler)(nil)

// Handles reports whether a file with the handler handler runs as a script:
// cgi-script (SetHandler, AddHandler), application/x-httpd-cgi (mod_cgi's
// CGI_MAGIC_TYPE: a file of that type and no handler), or none under a
// ScriptAlias (whose cgi-script a SetHandler or AddHandler overrides, as
// mod_mime's does mod_alias's).
func (h *Handler) Handles(handler string) bool {
	if handler == "" {
		return h.ScriptAliased
	}
	return handler == scriptHandler || handler == magicType
}

// logNumbers are the AH numbers of one module's refusals, and of its
// failure to read the request's body.
type logNumbers struct{ execOff, notFound, isDir, pathInfoOff, readBody string }

var numbers = map[string]logNumbers{
	"cgi":  {"AH02809", "AH02811", "AH02812", "AH02813", "AH01225"},
	"cgid": {"AH01262", "AH01264", "AH01265", "AH01266", "AH01270"},
}

// Serve runs the script t names for r.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request, t *static.Target) {
	n := numbers[h.Server.Module]
	switch {
	case !h.ExecCGI && !h.ScriptAliased:
		h.scriptError(w, r, t, http.StatusForbidden, n.execOff, "Options ExecCGI is off in this directory")
		return
	case t.Missing:
		h.scriptError(w, r, t, http.StatusNotFound, n.notFound, "script not found or unable to stat")
		return
	case t.Dir:
		h.scriptError(w, r, t, http.StatusForbidden, n.isDir, "attempt to invoke directory as script")
		return
	case t.AcceptPathInfo == static.PathInfoOff && t.PathInfo != "":
		h.scriptError(w, r, t, http.StatusNotFound, n.pathInfoOff, "AcceptPathInfo off disallows user's path")
		return
	}
	run(h, w, r, t)
}

// scriptError is log_scripterror: the line, then the status.
func (h *Handler) scriptError(w http.ResponseWriter, r *http.Request, t *static.Target, status int, ah, msg string) {
	h.logScript(r, static.LevelError, ah, t.Filename, msg)
	h.scriptLog(r, status, t.Filename, "%error\n"+msg+"\n")
	t.Error(w, r, status)
}

// logScript writes "AHnnnnn: stderr from FILE: msg" (log_scripterror's
// form; ah may be "").
func (h *Handler) logScript(r *http.Request, level static.Level, ah, file, msg string) {
	if h.LogError == nil || level > h.level() {
		return
	}
	if ah != "" {
		ah += ": "
	}
	h.LogError(r, level, h.Server.Module, nil, ah+"stderr from "+file+": "+msg)
}

// log writes msg as the module's.
func (h *Handler) log(r *http.Request, level static.Level, err error, msg string) {
	if h.LogError != nil && level <= h.level() {
		h.LogError(r, level, h.Server.Module, err, msg)
	}
}

func (h *Handler) level() static.Level {
	if h.LogLevel == 0 {
		return static.LevelWarn
	}
	return h.LogLevel
}

// timeout is CGIScriptTimeout, else the server's Timeout.
func (h *Handler) timeout(r *http.Request, server time.Duration) time.Duration {
	if h.Dir.timeout > 0 {
		return h.Dir.timeout
	}
	if server > 0 {
		return server
	}
	return 60 * time.Second
}

// baseName is apr_filepath_name_get: the part after the last slash.
func baseName(file string) string { return file[strings.LastIndexByte(file, '/')+1:] }
