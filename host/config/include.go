package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// Apache's limits (AP_MAX_INCLUDE_DEPTH, AP_MAX_INCLUDE_DIR_DEPTH).
const (
	maxIncludeDepth    = 128
	maxIncludeDirDepth = 128
)

var (
	errNotDir  = errors.New("not a directory")
	errBadFile = syscall.EBADF // Apache's answer for a config "file" that is not a regular file
)

// fileSystem is what reading needs from the file system; tests and the fuzz
// target substitute a sandbox.
type fileSystem interface {
	ReadFile(name string) ([]byte, error)
	Stat(name string) (fs.FileInfo, error)
	ReadDir(name string) ([]fs.DirEntry, error)
}

type osFS struct{}

func (osFS) ReadFile(name string) ([]byte, error)       { return os.ReadFile(name) }
func (osFS) Stat(name string) (fs.FileInfo, error)      { return os.Stat(name) }
func (osFS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }

// readConfigFile reads a configuration file. Like Apache, it refuses
// anything but a regular file, except /dev/null. The error is a sysError.
func readConfigFile(fsys fileSystem, name string) ([]byte, error) {
	fi, err := fsys.Stat(name)
	if err != nil {
		return nil, sysError{err}
	}
	if !fi.Mode().IsRegular() && name != "/dev/null" {
		return nil, sysError{errBadFile}
	}
	b, err := fsys.ReadFile(name)
	if err != nil {
		return nil, sysError{err}
	}
	return b, nil
}

// includeRun is one Include or IncludeOptional directive being carried out.
type includeRun struct {
	p        *parser
	from     *unit // the unit with the Include line; errors go there
	line     int   // the Include line
	optional bool  // IncludeOptional
	out      *[]*Directive
}

// include carries out Include or IncludeOptional of pattern from a line of u.
// A relative pattern is resolved against the ServerRoot. A directory is read
// whole, recursively, in name order. Wildcards (*, ? and [...]) may appear in
// any path component; each matches in name order and never matches a leading
// '.' implicitly.
func (p *parser) include(u *unit, ln logicalLine, pattern string, optional bool, out *[]*Directive) {
	if u.depth >= maxIncludeDepth {
		p.readErr(u, ln.last, fmt.Sprintf("Exceeded maximum include depth of %d, There appears to be a recursion.", maxIncludeDepth))
		p.aborted = true
		return
	}
	r := &includeRun{p: p, from: u, line: ln.last, optional: optional, out: out}
	abs := p.rel(pattern)
	if !hasWildcard(abs) {
		r.path(abs)
		return
	}
	base, pat, rest := splitWildcard(abs)
	r.glob(base, pat, rest)
}

func (r *includeRun) fail(msg string) { r.p.readErr(r.from, r.line, msg) }

// path includes a file, or a directory recursively.
func (r *includeRun) path(name string) {
	fi, err := r.p.fsys.Stat(name)
	if err != nil {
		if r.optional && errors.Is(err, fs.ErrNotExist) {
			return
		}
		r.fail(fmt.Sprintf("Could not open configuration file %s: %s", name, strerror(err)))
		return
	}
	if fi.IsDir() {
		r.dir(name, 0)
		return
	}
	r.file(name)
}

// dir includes every file under a directory, hidden ones too, in name order.
func (r *includeRun) dir(name string, level int) {
	if level > maxIncludeDirDepth {
		r.fail(fmt.Sprintf("Directory %s exceeds the maximum include directory nesting level of %d. You have probably a recursion somewhere.", name, maxIncludeDirDepth))
		r.p.aborted = true
		return
	}
	entries, err := r.p.fsys.ReadDir(name)
	if err != nil {
		r.fail(fmt.Sprintf("Could not open config directory %s: %s", name, strerror(err)))
		return
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, n := range names {
		if r.p.aborted {
			return
		}
		full := filepath.Join(name, n)
		fi, err := r.p.fsys.Stat(full)
		switch {
		case err != nil:
			r.fail(fmt.Sprintf("Could not open configuration file %s: %s", full, strerror(err)))
		case fi.IsDir():
			r.dir(full, level+1)
		default:
			r.file(full)
		}
	}
}

// file reads one included file as a unit of its own.
func (r *includeRun) file(name string) {
	src, err := readConfigFile(r.p.fsys, name)
	if err != nil {
		r.fail(fmt.Sprintf("Could not open configuration file %s: %s", name, err))
		return
	}
	from := r.from
	includes := make([]Position, 0, len(from.includes)+1)
	includes = append(includes, from.includes...)
	includes = append(includes, Position{from.file, r.line})
	r.p.included = append(r.p.included, Included{File: name, Line: r.line, Depth: from.depth + 1})
	r.p.parseFile(&unit{file: name, includes: includes, depth: from.depth + 1}, src, r.out)
}

// glob includes what matches pat in directory base, then rest below each
// match (only directories qualify when rest is not empty).
func (r *includeRun) glob(base, pat, rest string) {
	entries, err := r.p.fsys.ReadDir(base)
	if err != nil {
		if !r.optional {
			r.fail(fmt.Sprintf("Include/IncludeOptional: Could not open directory %s: %s", base, strerror(err)))
		}
		return
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !fnmatch(pat, n) {
			continue
		}
		if rest != "" {
			fi, err := r.p.fsys.Stat(filepath.Join(base, n))
			if err != nil || !fi.IsDir() {
				continue
			}
		}
		names = append(names, n)
	}
	if len(names) == 0 {
		if !r.optional {
			r.fail(fmt.Sprintf("Include/IncludeOptional: No matches for the wildcard '%s' in '%s', failing", pat, base))
		}
		return
	}
	sort.Strings(names)
	for _, n := range names {
		if r.p.aborted {
			return
		}
		full := filepath.Join(base, n)
		switch {
		case rest == "":
			r.path(full)
		case hasWildcard(rest):
			b, p, rr := splitWildcard(filepath.Join(full, rest))
			r.glob(b, p, rr)
		default:
			r.path(filepath.Join(full, rest))
		}
	}
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?[") }

// splitWildcard splits an absolute path at its first component with a
// wildcard: the directory before it, the component, and what follows.
func splitWildcard(p string) (base, pat, rest string) {
	parts := strings.Split(p, "/")
	i := 0
	for i < len(parts) && !hasWildcard(parts[i]) {
		i++
	}
	base = strings.Join(parts[:i], "/")
	if base == "" {
		base = "/"
	}
	if i < len(parts) {
		pat = parts[i]
		rest = strings.Join(parts[i+1:], "/")
	}
	return base, pat, rest
}

// fnmatch matches a name against a shell pattern the way Apache's
// apr_fnmatch does with APR_FNM_PERIOD: a leading '.' must be matched by a
// '.' in the pattern. A malformed pattern matches nothing.
func fnmatch(pat, name string) bool {
	if strings.HasPrefix(name, ".") && !strings.HasPrefix(pat, ".") {
		return false
	}
	ok, err := path.Match(pat, name)
	return err == nil && ok
}
