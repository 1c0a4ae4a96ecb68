package static

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// What apache2 2.4.71 (Debian, event MPM, mod_authz_core, mod_dir, mod_autoindex,
// mod_mime) wrote to its error log for the requests of TestLogError, with the same
// tree and sections as logTree and logConf, at LogLevel warn and info (only the info
// lines, AH00128 and AH00130, are missing at warn); "=" is the DocumentRoot:
//
//	/private/x.txt      [authz_core:error] AH01630: client denied by server configuration: =/private/x.txt
//	/private/           [authz_core:error] AH01630: client denied by server configuration: =/private/
//	/private            [authz_core:error] AH01630: client denied by server configuration: =/private
//	/private/nope       [authz_core:error] AH01630: client denied by server configuration: =/private/nope
//	/private/x.txt/foo  [authz_core:error] AH01630: client denied by server configuration: =/private/x.txt
//	/files/secret.txt   [authz_core:error] AH01630: client denied by server configuration: =/files/secret.txt  (<Files>)
//	/locdeny/y.txt      [authz_core:error] AH01630: client denied by server configuration: =/locdeny/y.txt    (<Location>)
//	/locdeny/nope/x     [authz_core:error] AH01630: client denied by server configuration: =/locdeny/nope
//	/idxdeny/           [authz_core:error] AH01630: client denied by server configuration: =/idxdeny/index.html (the index is denied)
//	/noindex/           [autoindex:error] AH01276: Cannot serve directory =/noindex/: No matching DirectoryIndex (index.html) found, and server-generated directory index forbidden by Options directive
//	/multi/             [autoindex:error] AH01276: Cannot serve directory =/multi/: No matching DirectoryIndex (index.html,index.htm,default.html) found, and server-generated directory index forbidden by Options directive
//	/noindex            (301, nothing)
//	/nolinks/l          [core:error] AH00037: Symbolic link not allowed or link target not accessible: =/nolinks/l
//	/nolinks/ldir/f.txt [core:error] AH00037: Symbolic link not allowed or link target not accessible: =/nolinks/ldir
//	/listing/ (200)     [authz_core:error] AH01630: client denied by server configuration: =/listing/dsub/
//	                    [authz_core:error] AH01630: client denied by server configuration: =/listing/secret.txt
//	                    [core:error] AH00032: Symbolic link not allowed or link target not accessible: =/listing/lnk
//	/missing            [core:info] AH00128: File does not exist: =/missing          (also for HEAD and POST; not OPTIONS, PUT)
//	/missing/           [core:info] AH00128: File does not exist: =/missing/
//	/nodir/missing.txt  [core:info] AH00128: File does not exist: =/nodir/missing.txt
//	/afile/below        [core:info] AH00130: File does not exist: =/afile/below
//	/perm.txt (chmod 0) [core:error] (13)Permission denied: AH00132: file permissions deny server access: =/perm.txt
//	/nosearch/n.txt     [core:error] (13)Permission denied: AH00035: access to /nosearch/n.txt denied (filesystem path '=/nosearch/n.txt') because search permissions are missing on a component of the path
//	/hello.txt, /sub/   (200, nothing)
//
// apache2 follows a symlink out of the document root with FollowSymLinks; httpd-mpm
// refuses it (see the package comment) and logs AH00037 for it.
//
// Each line there reads "[time] [module:level] [pid P:tid T] [client 127.0.0.1:PORT] AH...",
// the errno before the client; the client, the referer and the escaping are the
// caller's (mpm, host/errorlog). apache2 logs the listing's lines in the order of
// readdir; the test sorts.

type logEntry struct {
	level  Level
	module string
	err    error
	msg    string
}

type logRecorder struct {
	mu      sync.Mutex
	entries []logEntry
}

func (l *logRecorder) log(r *http.Request, level Level, module string, err error, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, logEntry{level, module, err, msg})
}

func (l *logRecorder) take() []logEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries
	l.entries = nil
	return e
}

// logConf is the per-path configuration of TestLogError, as a Configurer.
type logConf struct{ root string }

func (c logConf) Configure(r *http.Request, dir, name string) *Options {
	o := &Options{FollowSymLinks: true}
	rel := strings.TrimPrefix(dir, c.root)
	under := func(d string) bool { return rel == d || strings.HasPrefix(rel, d+"/") }
	switch {
	case under("/private"), under("/listing/dsub"), name == "secret.txt",
		rel == "/idxdeny" && name == "index.html", strings.HasPrefix(r.URL.Path, "/locdeny"):
		o.Denied = true
	case under("/nolinks"):
		o.FollowSymLinks = false
	case under("/listing"):
		o.FollowSymLinks, o.Indexes = false, true
	case under("/multi"):
		o.DirectoryIndex = []string{"index.html", "index.htm", "default.html"}
	}
	return o
}

// logTree makes TestLogError's document root.
func logTree(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "www")
	for _, f := range []string{"hello.txt", "afile", "private/x.txt", "files/secret.txt", "files/ok.txt",
		"locdeny/y.txt", "idxdeny/index.html", "noindex/other.txt", "multi/x", "realdir/f.txt",
		"listing/a.txt", "listing/secret.txt", "listing/dsub/d", "sub/index.html", "perm.txt", "nosearch/n.txt"} {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{"nolinks/l": "../afile", "nolinks/ldir": "../realdir", "listing/lnk": "a.txt", "out": "../outside"}
	if err := os.MkdirAll(filepath.Join(root, "../outside"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, target := range links {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// siteLike serves as package site does: CleanPath, then Serve with the Configurer.
func siteLike(h *Handler, conf Configurer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rel, status := CleanPath(r.URL)
		if status != 0 {
			w.WriteHeader(status)
			return
		}
		h.Serve(w, r, h.DocumentRoot, rel, conf)
	})
}

func request(method, target string) *http.Request {
	u, _ := url.ParseRequestURI(target)
	return &http.Request{Method: method, URL: u, RequestURI: target, Header: http.Header{}, Proto: "HTTP/1.1",
		ProtoMajor: 1, ProtoMinor: 1, RemoteAddr: "127.0.0.1:54321", Body: http.NoBody}
}

func TestLogError(t *testing.T) {
	root := logTree(t)
	const (
		denied  = "authz_core error AH01630: client denied by server configuration: ="
		symlink = "core error AH00037: Symbolic link not allowed or link target not accessible: ="
		noIndex = "autoindex error AH01276: Cannot serve directory =%s: No matching DirectoryIndex (%s) found, and server-generated directory index forbidden by Options directive"
		missing = "core info AH00128: File does not exist: ="
	)
	cases := []struct {
		method, path string
		status       int
		want         []string // at LogLevel info; the info lines are left out at warn
	}{
		{"GET", "/private/x.txt", 403, []string{denied + "/private/x.txt"}},
		{"GET", "/private/", 403, []string{denied + "/private/"}},
		{"GET", "/private", 403, []string{denied + "/private"}},
		{"GET", "/private/nope", 403, []string{denied + "/private/nope"}},
		{"GET", "/private/x.txt/foo", 403, []string{denied + "/private/x.txt"}},
		{"GET", "/files/secret.txt", 403, []string{denied + "/files/secret.txt"}},
		{"GET", "/locdeny/y.txt", 403, []string{denied + "/locdeny/y.txt"}},
		{"GET", "/locdeny/nope/x", 403, []string{denied + "/locdeny/nope"}},
		{"GET", "/idxdeny/", 403, []string{denied + "/idxdeny/index.html"}},
		{"GET", "/noindex/", 403, []string{strings.Replace(strings.Replace(noIndex, "%s", "/noindex/", 1), "%s", "index.html", 1)}},
		{"GET", "/multi/", 403, []string{strings.Replace(strings.Replace(noIndex, "%s", "/multi/", 1), "%s", "index.html,index.htm,default.html", 1)}},
		{"GET", "/noindex", 301, nil},
		{"GET", "/nolinks/l", 403, []string{symlink + "/nolinks/l"}},
		{"GET", "/nolinks/ldir/f.txt", 403, []string{symlink + "/nolinks/ldir"}},
		{"GET", "/listing/", 200, []string{
			denied + "/listing/dsub/", denied + "/listing/secret.txt",
			"core error AH00032: Symbolic link not allowed or link target not accessible: =/listing/lnk"}},
		{"GET", "/missing", 404, []string{missing + "/missing"}},
		{"HEAD", "/missing", 404, []string{missing + "/missing"}},
		{"POST", "/missing", 404, []string{missing + "/missing"}},
		{"OPTIONS", "/missing", 200, nil},
		{"PUT", "/missing", 405, nil},
		{"GET", "/missing/", 404, []string{missing + "/missing/"}},
		{"GET", "/nodir/missing.txt", 404, []string{missing + "/nodir/missing.txt"}},
		{"GET", "/afile/below", 404, []string{"core info AH00130: File does not exist: =/afile/below"}},
		{"GET", "/hello.txt", 200, nil},
		{"GET", "/sub/", 200, nil},
		// Ours only: a symlink out of the root is refused whatever the Options.
		{"GET", "/out/", 403, []string{symlink + "/out/"}},
	}
	for _, level := range []Level{0, LevelInfo} {
		rec := &logRecorder{}
		h := &Handler{DocumentRoot: root, DirectoryIndex: []string{"index.html"}, LogError: rec.log, LogLevel: level}
		srv := siteLike(h, logConf{root})
		for _, c := range cases {
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, request(c.method, c.path))
			if w.Code != c.status {
				t.Errorf("%s %s: status %d, want %d", c.method, c.path, w.Code, c.status)
			}
			var got, want []string
			for _, e := range rec.take() {
				if e.err != nil {
					t.Errorf("%s %s: error %v", c.method, c.path, e.err)
				}
				got = append(got, e.module+" "+[...]string{3: "error", 4: "warn", 6: "info"}[e.level]+" "+strings.ReplaceAll(e.msg, root, "="))
			}
			for _, l := range c.want {
				if level == LevelInfo || !strings.Contains(l, " info ") {
					want = append(want, l)
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("LogLevel %d, %s %s:\ngot  %q\nwant %q", level, c.method, c.path, got, want)
			}
		}
	}
}

// TestLogErrorCostsNothingUnwanted: with LogError set at apache2's default level, a
// served file and a missing one (an info line, not wanted) allocate no more than
// without it: the message is not even built.
func TestLogErrorCostsNothingUnwanted(t *testing.T) {
	root := logTree(t)
	called := false
	quiet := &Handler{DocumentRoot: root, LogError: func(*http.Request, Level, string, error, string) { called = true }}
	plain := &Handler{DocumentRoot: root}
	w := &nullWriter{h: http.Header{}}
	for _, p := range []string{"/hello.txt", "/missing"} {
		r := request("GET", p)
		count := func(h *Handler) float64 {
			h.ServeHTTP(w, r) // warm the caches
			return testing.AllocsPerRun(100, func() {
				clear(w.h)
				h.ServeHTTP(w, r)
			})
		}
		if with, without := count(quiet), count(plain); with > without {
			t.Errorf("%s: %v allocations with LogError, %v without", p, with, without)
		}
	}
	if called {
		t.Error("LogError called at LogLevel warn for a served or a missing file")
	}
}

// nullWriter is a ResponseWriter that keeps nothing.
type nullWriter struct{ h http.Header }

func (w *nullWriter) Header() http.Header         { return w.h }
func (w *nullWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nullWriter) WriteHeader(int)             {}

// TestDeniedUnloggedLooksForNothing: a Handler that logs nothing does not look for
// the path apache2 would log for a denied request (one stat per directory on it):
// a denied missing file four directories deep costs what one a directory deep does.
func TestDeniedUnloggedLooksForNothing(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "a/b/c/d"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, h := range []*Handler{{DocumentRoot: root}, {DocumentRoot: root, LogError: func(*http.Request, Level, string, error, string) {}, LogLevel: 2}} {
		allocs := func(rel string) float64 {
			r, err := http.NewRequest("GET", rel, nil)
			if err != nil {
				t.Fatal(err)
			}
			w := &discard{h: make(http.Header)}
			return testing.AllocsPerRun(50, func() {
				h.Serve(w, r, root, rel, denyAll{})
				clear(w.h)
			})
		}
		if deep, shallow := allocs("/a/b/c/d/missing.txt"), allocs("/a/missing.txt"); deep != shallow {
			t.Errorf("LogError set %v: a denied path four directories deep allocates %v times, one a directory deep %v", h.LogError != nil, deep, shallow)
		}
	}
}

// TestMissingPathWalkBounded: finding where apache2's walk stops in a path
// that does not exist costs what the names that exist cost, not one stat
// per segment of the rest: a missing name followed by 2000 more costs what
// it does followed by 1000 (both longer than any buffer on the stack),
// and so does one in a directory four deep.
func TestMissingPathWalkBounded(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "a/b/c/d"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := &Handler{DocumentRoot: root}
	allocs := func(rel string) float64 {
		r, err := http.NewRequest("GET", rel, nil)
		if err != nil {
			t.Fatal(err)
		}
		w := &discard{h: make(http.Header)}
		return testing.AllocsPerRun(20, func() {
			h.Serve(w, r, root, rel, nil)
			clear(w.h)
		})
	}
	for _, prefix := range []string{"/q", "/a/b/c/d/q"} {
		if long, short := allocs(prefix+strings.Repeat("/q", 2000)), allocs(prefix+strings.Repeat("/q", 1000)); long != short {
			t.Errorf("%s and 2000 more names allocates %v times, and 1000 more %v", prefix, long, short)
		}
	}
}
