package static

import (
	"context"
	"net/http"
	"strings"
)

// Walk is what a subrequest takes of its main request's directory walk, as
// apache2's walk cache: a file in the directory the main request's walk
// ended in (Dir) has the <DirectoryMatch> sections that walk matched,
// against the name it stopped at there (Name, "" for the directory
// itself), not against its own name, while it has the same <Location>
// sections as the main request's URL-path (Path).
type Walk struct{ Dir, Name, Path string }

// WalkConfigurer is a Configurer that knows more of apache2's walk.
type WalkConfigurer interface {
	Configurer
	// ConfigureSub configures the subrequest for the file name in dir in
	// the light of its main request's walk.
	ConfigureSub(r *http.Request, dir, name string, main Walk) *Options
	// ConfigureBare configures the directory dir named without its
	// trailing slash (its name is the walk's file name).
	ConfigureBare(r *http.Request, dir string) *Options
}

type walkKey struct{}

// WalkOf is the walk of the main request an internal redirect of mod_dir
// (FallbackResource's) comes from, nil for none.
func WalkOf(r *http.Request) *Walk {
	w, _ := r.Context().Value(walkKey{}).(*Walk)
	return w
}

// WithWalk is r2, an internal redirect of a request whose walk ended in w
// (a local ErrorDocument, a script's Location, a per-directory rule's
// URL), noting that walk for its settings, as apache2's walk cache is
// handed on to the new request.
func WithWalk(r2 *http.Request, w *Walk) *http.Request { return withWalk(r2, w) }

// withWalk is r noting the walk of its main request.
func withWalk(r *http.Request, w *Walk) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), walkKey{}, w))
}

// walkOf is the walk of r for the file rel below croot: its directory
// and name.
func walkOf(r *http.Request, croot, rel string) Walk {
	i := max(strings.LastIndexByte(rel, '/'), 0)
	return Walk{Dir: croot + rel[:i], Name: strings.TrimPrefix(rel[i:], "/"), Path: r.URL.Path}
}
