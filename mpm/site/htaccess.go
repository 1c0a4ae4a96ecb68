package site

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/internal/apconf"
	"github.com/httpd-mpm/httpd-mpm/internal/filestamp"
	"github.com/httpd-mpm/httpd-mpm/mpm/authz"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// .htaccess files, as apache2's ap_directory_walk and ap_parse_htaccess read
// them: at each level of a directory's path, from "/" down, the <Directory>
// sections of that level merge, then, where the merged AllowOverride (or
// AllowOverrideList) lets one be read, the first of the AccessFileName files
// found in that directory merges as one more <Directory> section of it; the
// regular-expression sections come after the walk. A file that cannot be
// read as a configuration answers the request 500 (403 for one that exists
// but cannot be opened), logged as apache2 logs it.
//
// A directory's merged configuration is kept (Handler.dirs) with the state
// of the files it was made from (deps): each use stats them again, one
// stat(2) per level that reads files and name looked for, and a change
// (size, modification or change time, inode, device, a file appearing or
// going) remakes it: a copy with the same size and time (cp -p, tar) is
// another inode or change time. Parsed
// files are kept by path with the same state (Handler.accessFiles). With
// every AllowOverride None, nothing of this runs.

// accessDep is the state of one .htaccess file when an entry was made.
type accessDep struct {
	path     string
	exists   bool
	regular  bool
	size     int64
	mtime    int64 // UnixNano
	ctime    int64 // UnixNano
	dev, ino uint64
}

// depOf is the state of the file path described by fi.
func depOf(path string, fi fs.FileInfo) accessDep {
	d := accessDep{path: path, exists: true, regular: fi.Mode().IsRegular(), size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	d.dev, d.ino, d.ctime = filestamp.ID(fi)
	return d
}

// maxAccessFileSize bounds what is read of one .htaccess file; a longer one
// is refused (apache2 reads any length). maxCachedAccessSize bounds the
// files a child keeps parsed (each at most maxKeptAccessFile long): the
// rest are read again at each request, as apache2 reads every file.
const (
	maxAccessFileSize   = 8 << 20
	maxKeptAccessFile   = 256 << 10
	maxCachedAccessSize = 16 << 20
)

// stateOf is path's state now; err is the error of a file that exists but
// cannot be looked at (not ENOENT nor ENOTDIR).
func stateOf(path string) (accessDep, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return accessDep{path: path}, nil
		}
		return accessDep{path: path}, err
	}
	return depOf(path, fi), nil
}

// fresh reports whether every file the entry was made from is as it was.
func (e *dirEntry) fresh() bool {
	for _, d := range e.deps {
		now, err := stateOf(d.path)
		if err != nil || now != d {
			return false
		}
	}
	return true
}

// accessFile is a parsed .htaccess file.
type accessFile struct {
	state    accessDep
	override Override
	opts     Options
	list     string // the AllowOverrideList it was read under, joined
	size     int64  // the bytes read
	kept     bool   // in accessFiles (not too long for it)
	sec      *section
	openErr  error    // it could not be opened (not kept)
	msg      string   // why it is refused ("" when it is not)
	warnings []string // Nonfatal= directives left out
}

// walk merges into e the <Directory> sections and .htaccess files of dir's
// levels. On a file that cannot be read it sets e.opts to answer the error.
func (h *Handler) walk(e *dirEntry, dir string) {
	c := h.Config
	e.deps = []accessDep{}
	si := 0
	level := func(p string, depth int) bool {
		for ; si < len(c.dirs) && c.dirs[si].depth <= depth; si++ {
			if s := c.dirs[si]; s.matchDir(dir) {
				e.dir.merge(&s.conf)
				e.files = append(e.files, s.files...)
			}
		}
		if e.dir.Override == 0 && len(e.dir.OverrideList) == 0 {
			return true
		}
		return h.readAccessFile(e, p)
	}
	if !level("/", 0) {
		return
	}
	depth := 0
	for i := 1; i <= len(dir) && dir != "/"; i++ {
		if i == len(dir) || dir[i] == '/' {
			depth++
			if !level(dir[:i], depth) {
				return
			}
		}
	}
	for ; si < len(c.dirs); si++ {
		if s := c.dirs[si]; s.matchDir(dir) {
			e.dir.merge(&s.conf)
			e.files = append(e.files, s.files...)
		}
	}
}

// readAccessFile merges the first AccessFileName file found in the directory
// p into e; false when it cannot be read (e.opts then answers the error).
func (h *Handler) readAccessFile(e *dirEntry, p string) bool {
	for _, name := range h.Config.accessNames {
		file := filepath.Join(p, name)
		st, err := stateOf(file)
		e.deps = append(e.deps, st)
		var af *accessFile
		if err == nil && st.exists {
			af = h.parseAccessFile(st, p, &e.dir)
			if err = af.openErr; errors.Is(err, fs.ErrNotExist) {
				e.deps[len(e.deps)-1].mtime = -1 // gone since the stat
				continue
			}
			if err == nil && af.state != st {
				e.deps[len(e.deps)-1] = af.state // changed since the stat
			}
		}
		if err != nil {
			// Looked at again at each request: a change of permissions
			// leaves the size and the time as they were.
			e.deps[len(e.deps)-1].mtime = -1
			e.failed = true
			e.opts = h.failure(http.StatusForbidden, static.LevelCrit, err,
				"AH00529: "+file+" pcfg_openfile: unable to check htaccess file, ensure it is readable and that '"+p+"/' is executable")
			return false
		}
		if !st.exists {
			continue
		}
		if af.msg != "" {
			e.failed = true
			e.opts = h.failure(http.StatusInternalServerError, static.LevelAlert, nil, file+": "+af.msg)
			return false
		}
		e.warnings = append(e.warnings, af.warnings...)
		e.uncached = e.uncached || !af.kept
		e.dir.merge(&af.sec.conf)
		e.files = append(e.files, af.sec.files...)
		return true
	}
	return true
}

// parseAccessFile is the file of state st, in the directory p, read under the
// merged m's AllowOverride: from the cache while the file is as it was.
func (h *Handler) parseAccessFile(st accessDep, p string, m *Dir) *accessFile {
	list := strings.Join(m.OverrideList, " ")
	if v, ok := h.accessFiles.Load(st.path); ok {
		af := v.(*accessFile)
		if af.state == st && af.override == m.Override && af.opts == m.OverrideOptions && af.list == list {
			return af
		}
	}
	af := &accessFile{state: st, override: m.Override, opts: m.OverrideOptions, list: list}
	src, err := h.readAccess(af)
	if err != nil {
		af.openErr = err
		return af
	}
	af.sec, af.msg, af.warnings = compileAccessFile(st.path, src, p, m, h.ServerRoot)
	af.size = int64(len(src))
	h.keepAccess(af)
	return af
}

// keepAccess keeps af in accessFiles, in place of the file's former parse,
// when it is short enough and the files kept are not too many nor too long;
// otherwise the former parse goes.
func (h *Handler) keepAccess(af *accessFile) {
	if old, loaded := h.accessFiles.LoadAndDelete(af.state.path); loaded {
		h.accessBytes.Add(-old.(*accessFile).size)
		h.naccess.Add(-1)
	}
	if af.size > maxKeptAccessFile || h.naccess.Load() >= maxCachedDirs {
		return
	}
	if h.accessBytes.Add(af.size) > maxCachedAccessSize {
		h.accessBytes.Add(-af.size)
		return
	}
	af.kept = true
	if old, loaded := h.accessFiles.Swap(af.state.path, af); loaded { // another goroutine's
		h.accessBytes.Add(-old.(*accessFile).size)
	} else {
		h.naccess.Add(1)
	}
}

// readAccess reads af's file as apache2's ap_pcfg_openfile opens it
// (apconf.ReadFile: a regular file, at most maxAccessFileSize bytes).
// af.state becomes the state of what was opened.
func (h *Handler) readAccess(af *accessFile) ([]byte, error) {
	src, fi, err := apconf.ReadFile(af.state.path, maxAccessFileSize)
	if fi != nil {
		af.state = depOf(af.state.path, fi)
	}
	if errors.Is(err, apconf.ErrNotRegular) {
		h.logAccess(nil, static.LevelError, nil, "AH00554: Access to file "+af.state.path+" denied by server: not a regular file")
	}
	return src, err
}

// failure is the settings of a request refused for a .htaccess file: status,
// with the line logged at level, answered with the server's ErrorDocument
// (apache2's walk fails before it gives the request any settings).
func (h *Handler) failure(status int, level static.Level, err error, msg string) *static.Options {
	return &static.Options{Access: &accessFailure{h: h, status: status, level: level, err: err, msg: msg}, Error: h.walkErrorFn}
}

type accessFailure struct {
	h      *Handler
	status int
	level  static.Level
	err    error
	msg    string
}

func (f *accessFailure) Check(w http.ResponseWriter, r *http.Request) (int, *static.Refusal) {
	if w != nil {
		f.h.logAccess(r, f.level, f.err, f.msg)
	}
	if f.status == http.StatusForbidden {
		// apache2's note for the 403 page and an ErrorDocument.
		http1.SetErrorNotes(r, "Server unable to read htaccess file, denying access to be safe")
	}
	return f.status, nil
}

// logAccess logs a line about r (nil: about no request) at level.
func (h *Handler) logAccess(r *http.Request, level static.Level, err error, msg string) {
	if h.Static.LogError != nil && level <= h.log.Level {
		h.Static.LogError(r, level, "core", err, msg)
	}
}

// compileAccessFile reads a .htaccess file of the directory p, under m's
// AllowOverride, as one <Directory p> section (relative file names taken from
// root, the ServerRoot): msg says why it cannot be in
// apache2's words ("" when it can); warnings are the directives left out
// under AllowOverride Nonfatal=.
func compileAccessFile(file string, src []byte, p string, m *Dir, root string) (sec *section, msg string, warnings []string) {
	top := Section{Kind: "Directory", Pattern: p, File: file, Line: 1}
	type frame struct {
		sec  *Section // where lines go; nil in a false <IfModule>
		name string
		line int
		cond bool
	}
	stack := []frame{{sec: &top}}
	// allowed says whether the directive name may be here: ok, or why not,
	// fatal or, under AllowOverride Nonfatal=, a warning.
	allowed := func(name string) (ok bool, why, warning string) {
		lname := strings.ToLower(name)
		class, known := overrides()[lname]
		switch {
		case class&m.Override != 0 && refused(lname, name) != "", !known && refused(lname, name) != "":
			return false, refused(lname, name), ""
		case !known && m.Override&overrideNonfatalUnknown != 0:
			return false, "", "AH02296: Unknown directive " + name + " perhaps misspelled or defined by a module not included in the server configuration"
		case !known:
			return false, "Invalid command '" + name + "', perhaps misspelled or defined by a module not included in the server configuration", ""
		case class&m.Override != 0:
			return true, "", ""
		}
		for _, n := range m.OverrideList {
			if n == strings.TrimPrefix(lname, "<") {
				return true, "", ""
			}
		}
		if m.Override&overrideNonfatalOverride != 0 {
			return false, "", "AH02295: " + apacheName(name) + " in .htaccess forbidden by AllowOverride"
		}
		return false, apacheName(name) + " not allowed here", ""
	}
	lines, long := apconf.ReadLines(file, src, apconf.MaxHtaccessLine)
	if long != nil {
		return nil, long.Error(), nil
	}
	for _, ln := range lines {
		if apconf.IsComment(ln.Text) {
			continue
		}
		cur := &stack[len(stack)-1]
		if strings.HasPrefix(ln.Text, "</") {
			name := strings.TrimSuffix(strings.TrimSpace(ln.Text[2:]), ">")
			if len(stack) == 1 {
				return nil, "</" + name + "> without matching <" + name + "> section", nil
			}
			if !strings.EqualFold(name, cur.name) {
				return nil, file + ":" + strconv.Itoa(ln.Last) + ": Expected </" + cur.name + "> but saw </" + name + ">", nil
			}
			stack = stack[:len(stack)-1]
			continue
		}
		if ln.Text[0] == '<' {
			word, rest := apconf.NextWord(ln.Text)
			name := word[1:]
			if !strings.HasSuffix(rest, ">") && !strings.HasSuffix(word, ">") {
				return nil, "<" + name + "> directive missing closing '>'", nil
			}
			if rest == "" {
				name = strings.TrimSuffix(name, ">")
			} else {
				rest = strings.TrimSpace(strings.TrimSuffix(rest, ">"))
			}
			args := apconf.Words(rest)
			if cur.sec == nil {
				stack = append(stack, frame{name: name, line: ln.First, cond: true})
				continue
			}
			if ok, why, warning := allowed("<" + name); !ok {
				if why != "" {
					return nil, why, nil
				}
				warnings = append(warnings, warning)
				stack = append(stack, frame{name: name, line: ln.First, cond: true})
				continue
			}
			switch k := strings.ToLower(name); k {
			case "ifdirective", "ifsection", "ifdefine":
				// Fail closed: what such a section holds may restrict (a child
				// knows no -D or Define names to evaluate <IfDefine> with).
				return nil, "<" + name + "> is not supported in .htaccess files by this server", nil
			case "ifmodule", "iffile":
				if len(args) == 0 {
					return nil, "<" + name + "> directive requires additional arguments", nil
				}
				arg, not := strings.CutPrefix(args[0], "!")
				holds := k == "ifmodule" && apconf.Loaded(arg)
				if k == "iffile" {
					if !filepath.IsAbs(arg) {
						arg = filepath.Join(root, arg) // ap_server_root_relative
					}
					_, err := os.Stat(arg)
					holds = err == nil
				}
				into := cur.sec
				if holds == not {
					into = nil
				}
				stack = append(stack, frame{sec: into, name: name, line: ln.First, cond: true})
				continue
			}
			switch k := strings.ToLower(name); {
			case len(args) == 0 && !strings.HasPrefix(k, "require") && k != "else":
				return nil, "<" + name + "> directive requires additional arguments", nil
			case len(args) > 1 && (k == "if" || k == "elseif"):
				return nil, "Multiple <" + name + "> arguments not supported.", nil
			}
			n := Section{Kind: name, Pattern: strings.Join(args, " "), File: file, Line: ln.First}
			if k := strings.ToLower(name); k == "files" || k == "filesmatch" {
				n.Regex = k == "filesmatch"
				if len(args) == 2 && args[0] == "~" {
					n.Pattern, n.Regex = args[1], true
				}
			}
			cur.sec.Sections = append(cur.sec.Sections, n)
			stack = append(stack, frame{sec: &cur.sec.Sections[len(cur.sec.Sections)-1], name: name, line: ln.First})
			continue
		}
		if cur.sec == nil {
			continue
		}
		name, rest := apconf.NextWord(ln.Text)
		if ok, why, warning := allowed(name); !ok {
			if why != "" {
				return nil, why, nil
			}
			warnings = append(warnings, warning)
			continue
		}
		d := Directive{Name: name, Args: apconf.Words(rest), File: file, Line: ln.First}
		if strings.EqualFold(name, "options") {
			if why := checkOptionsAllowed(d.Args, m.OverrideOptions); why != "" {
				return nil, why, nil
			}
		}
		if f := strings.ToLower(name); (f == "authuserfile" || f == "authgroupfile") && len(d.Args) == 1 && !filepath.IsAbs(d.Args[0]) {
			// ap_server_root_relative, as the host does for httpd.conf.
			d.Args = []string{filepath.Join(root, d.Args[0])}
		}
		cur.sec.Directives = append(cur.sec.Directives, d)
	}
	if len(stack) > 1 {
		f := stack[len(stack)-1]
		return nil, file + ":" + strconv.Itoa(f.line) + ": <" + f.name + "> was not closed.", nil
	}
	if msg := unregisteredMethod(top); msg != "" {
		return nil, msg, nil
	}
	var errs []error
	sec, err := compileSection(top, &errs)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		var se *Error
		if errors.As(errs[0], &se) {
			return nil, se.Message, nil
		}
		return nil, errs[0].Error(), nil
	}
	return sec, "", warnings
}

// unregisteredMethod is core's refusal of a <Limit> or <LimitExcept> in a
// .htaccess file naming a method the server does not know ("" when none does):
// only the server's configuration registers methods.
func unregisteredMethod(s Section) string {
	for _, n := range s.Sections {
		if authz.IsLimit(n.Kind) {
			kind := "Limit"
			if strings.EqualFold(n.Kind, "limitexcept") {
				kind = "LimitExcept"
			}
			for _, m := range strings.Fields(n.Pattern) {
				if !authz.MethodKnown(m) {
					return "Could not register method '" + m + "' for <" + kind + " from .htaccess configuration"
				}
			}
		}
		if msg := unregisteredMethod(n); msg != "" {
			return msg
		}
	}
	return ""
}

// checkOptionsAllowed is core's check of an Options line in a .htaccess file:
// each option must be among those AllowOverride Options= lets it set.
func checkOptionsAllowed(args []string, allowed Options) string {
	for _, a := range args {
		w := strings.TrimLeft(a, "+-")
		var bit Options
		switch {
		case strings.EqualFold(w, "all"):
			bit = apacheOptAll
		case strings.EqualFold(w, "none"):
			bit = 0
		default:
			bit = optionNames[strings.ToLower(w)]
		}
		if allowed&bit != bit {
			return "Option " + w + " not allowed here"
		}
	}
	return ""
}
