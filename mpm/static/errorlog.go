package static

import (
	"errors"
	"net/http"
	"os"
	"strings"
	"syscall"
)

// Level is an Apache log level as apache2 numbers them (APLOG_ERR is 3, APLOG_INFO 6):
// lower is more severe.
type Level int

// The levels of the errors a Handler reports.
const (
	LevelAlert Level = 1
	LevelCrit  Level = 2
	LevelError Level = 3
	LevelWarn  Level = 4
	LevelInfo  Level = 6
)

// LogFunc is told of an error apache2 writes to its error log about the request r:
// see Handler.LogError. Package site also tells it of lines about no request (r
// nil), as apache2 logs the directives a .htaccess file may not hold under
// AllowOverride Nonfatal=.
type LogFunc func(r *http.Request, level Level, module string, err error, msg string)

// errOutside is open's error for a file whose real path leaves the root.
var errOutside = errors.New("real path outside the root")

// logs reports whether LogError wants errors of level: messages are built only then.
func (h *Handler) logs(level Level) bool {
	return h.LogError != nil && level <= h.logLevel()
}

// logLevel is the most verbose level LogError is called for.
func (h *Handler) logLevel() Level {
	if h.LogLevel == 0 {
		return LevelWarn
	}
	return h.LogLevel
}

// logRefusals reports the refusals of an Access (apache2's mod_authz_core and
// mod_access_compat) about path (r->filename). Callers that must build path check
// h.logs(LevelError) first.
func (h *Handler) logRefusals(r *http.Request, why *Refusal, path string) {
	for ; why != nil && h.logs(LevelError); why = why.Next {
		h.LogError(r, LevelError, why.Module, nil, why.Message+path+why.Suffix)
	}
}

// logSymlink reports a symlink refused by Options (AH00037; AH00032 for an entry of a
// directory listing, as mod_autoindex's subrequest words it) or one leading out of the
// root. Callers that must build path check h.logs(LevelError) first.
func (h *Handler) logSymlink(r *http.Request, ah, path string) {
	if h.logs(LevelError) {
		h.LogError(r, LevelError, "core", nil, ah+": Symbolic link not allowed or link target not accessible: "+path)
	}
}

// logNoIndex reports a directory without an index file and without Options Indexes, as
// mod_autoindex does.
func (h *Handler) logNoIndex(r *http.Request, path string, index []string) {
	if h.logs(LevelError) {
		h.LogError(r, LevelError, "autoindex", nil, "AH01276: Cannot serve directory "+path+
			": No matching DirectoryIndex ("+strings.Join(index, ",")+
			") found, and server-generated directory index forbidden by Options directive")
	}
}

// logOpenError reports why the file rel below root (croot as configured) could not be
// served, as apache2's core does: a missing file (AH00128, or AH00130 when a file
// stands where the path needs a directory) at info, a permission refused at error
// (AH00035 when a directory on the way may not be searched, else AH00132), a symlink
// out of the root as a symlink refused.
func (h *Handler) logOpenError(r *http.Request, root, croot, rel string, err error) {
	switch {
	case errors.Is(err, errOutside):
		if h.logs(LevelError) {
			h.logSymlink(r, "AH00037", croot+rel)
		}
	case InSubrequest(r) && (errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.ENOENT)):
		// mod_dir's lookup runs no handler: the main request's says so.
	case errors.Is(err, syscall.ENOTDIR):
		if h.logs(LevelInfo) {
			h.LogError(r, LevelInfo, "core", nil, "AH00130: File does not exist: "+croot+rel)
		}
	case errors.Is(err, syscall.ENOENT):
		if h.logs(LevelInfo) {
			h.LogError(r, LevelInfo, "core", nil, "AH00128: File does not exist: "+croot+rel)
		}
	case errors.Is(err, syscall.EACCES):
		if !h.logs(LevelError) {
			return
		}
		if _, serr := os.Stat(root + rel); errors.Is(serr, syscall.EACCES) {
			h.LogError(r, LevelError, "core", syscall.EACCES, "AH00035: access to "+r.URL.Path+
				" denied (filesystem path '"+croot+rel+"') because search permissions are missing on a component of the path")
			return
		}
		h.LogError(r, LevelError, "core", syscall.EACCES, "AH00132: file permissions deny server access: "+croot+rel)
	}
}

// filename is apache2's r->filename for rel below root (real path; croot as
// configured) when opening it failed: the path up to its first component that is
// missing or is not a directory. What follows is r->path_info, which apache2's
// access messages leave out.
func filename(root, croot, rel string) string {
	for i := 1; i < len(rel); i++ {
		if rel[i] != '/' {
			continue
		}
		if fi, err := os.Stat(root + rel[:i]); err != nil || !fi.IsDir() {
			return croot + rel[:i]
		}
	}
	return croot + rel
}
