package site

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// nullWriter is a ResponseWriter that keeps nothing, so that allocation counts are the
// handler's own.
type nullWriter struct{ h http.Header }

func (w *nullWriter) Header() http.Header         { return w.h }
func (w *nullWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nullWriter) WriteHeader(int)             {}

// TestNoAllocsOverStatic: with sections that apply (a Debian-like <Directory> set and
// a <Location> that does not match, AllowOverride None), serving a file allocates nothing more than the
// static handler alone does.
func TestNoAllocsOverStatic(t *testing.T) {
	root := t.TempDir()
	docs := filepath.Join(root, "www")
	if err := os.MkdirAll(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(docs, "1k.txt"), make([]byte, 1024), 0o644); err != nil {
		t.Fatal(err)
	}
	st := &static.Handler{DocumentRoot: docs, DirectoryIndex: []string{"index.html"}, Types: map[string]string{"txt": "text/plain"}}
	cfg, err := Compile([]Directive{d("Options", "FollowSymLinks"), d("Redirect", "/old", "http://x/")}, []Section{
		{Kind: "Directory", Pattern: "/", Directives: []Directive{d("Require", "all", "denied"), d("AllowOverride", "None")}},
		{Kind: "Directory", Pattern: docs, Directives: []Directive{d("Require", "all", "granted"), d("Options", "Indexes", "FollowSymLinks")}},
		{Kind: "Location", Pattern: "/server-status", Directives: []Directive{d("Require", "all", "denied")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	site := &Handler{Static: st, Config: cfg}
	u, _ := url.ParseRequestURI("/1k.txt")
	r := &http.Request{Method: "GET", URL: u, Header: http.Header{}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	w := &nullWriter{h: http.Header{}}
	count := func(h http.Handler) float64 {
		h.ServeHTTP(w, r) // warm caches
		return testing.AllocsPerRun(200, func() {
			clear(w.h)
			h.ServeHTTP(w, r)
		})
	}
	base, withSite := count(st), count(site)
	t.Logf("allocs per request: static %v, site %v", base, withSite)
	if withSite > base {
		t.Errorf("site handler: %v allocs per request, static alone %v", withSite, base)
	}
}
