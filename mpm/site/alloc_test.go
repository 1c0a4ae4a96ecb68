package site

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

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

// TestFilterAllocs: the header filter of a section with only SetEnv
// allocates nothing (no field order to keep), and with Expires on at most
// one allocation more than mod_expires' own (the field order, holding its
// names).
func TestFilterAllocs(t *testing.T) {
	u, _ := url.ParseRequestURI("/1k.txt")
	r := &http.Request{Method: "GET", URL: u, Header: http.Header{}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	h := http.Header{"Content-Type": {"text/plain"}}

	var env Dir
	if err := env.Env.Add("SetEnv", []string{"A", "b"}); err != nil {
		t.Fatal(err)
	}
	p := newResponse(&env)
	if p == nil {
		t.Fatal("no response for SetEnv")
	}
	if n := testing.AllocsPerRun(200, func() { p.filter(r, 200, h, false, time.Time{}) }); n != 0 {
		t.Errorf("SetEnv only: %v allocs per response, want 0", n)
	}

	var exp Dir
	for _, l := range [][]string{{"ExpiresActive", "On"}, {"ExpiresDefault", "access plus 1 hour"}} {
		if err := exp.Expires.Set(l[0], l[1:]); err != nil {
			t.Fatal(err)
		}
	}
	p = newResponse(&exp)
	now, mtime := time.Now(), time.Now()
	own := testing.AllocsPerRun(200, func() {
		clear(h)
		h["Content-Type"] = []string{"text/plain"}
		exp.Expires.Apply(h, 200, now, mtime)
	})
	n := testing.AllocsPerRun(200, func() {
		clear(h)
		h["Content-Type"] = []string{"text/plain"}
		p.filter(r, 200, h, false, mtime)
	})
	if h.Get("Expires") == "" || h.Get("Cache-Control") == "" {
		t.Fatalf("Expires not applied: %v", h)
	}
	t.Logf("Expires: filter %v allocs, mod_expires' own %v", n, own)
	if n > own+1 {
		t.Errorf("Expires: filter %v allocs per response, mod_expires' own %v: want at most one more", n, own)
	}
}

func BenchmarkFilterSetEnv(b *testing.B) {
	u, _ := url.ParseRequestURI("/1k.txt")
	r := &http.Request{Method: "GET", URL: u, Header: http.Header{}}
	h := http.Header{"Content-Type": {"text/plain"}}
	var env Dir
	if err := env.Env.Add("SetEnv", []string{"A", "b"}); err != nil {
		b.Fatal(err)
	}
	p := newResponse(&env)
	b.ReportAllocs()
	for b.Loop() {
		p.filter(r, 200, h, false, time.Time{})
	}
}
