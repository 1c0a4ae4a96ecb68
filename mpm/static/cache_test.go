package static

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// cached returns the cache entry of a file below the handler's root, or nil.
func cached(h *Handler, rel string) *cachedFile {
	h.files.mu.Lock()
	defer h.files.mu.Unlock()
	return h.files.m[h.realRoot+rel]
}

// age makes the cache entry of rel look opened long enough ago to be revalidated.
func age(t *testing.T, h *Handler, rel string) {
	t.Helper()
	e := cached(h, rel)
	if e == nil {
		t.Fatalf("%s is not in the open-file cache", rel)
	}
	h.files.mu.Lock()
	e.opened = e.opened.Add(-cacheValid)
	h.files.mu.Unlock()
}

// TestCachedFileChangedInPlace: a file written in place is served new at once, body
// and headers, although its descriptor stays cached.
func TestCachedFileChangedInPlace(t *testing.T) {
	root, _ := docroot(t)
	h := &Handler{DocumentRoot: root, Types: testTypes()}
	addr := serveStatic(t, h)
	p := filepath.Join(root, "hello.txt")
	r1 := do(t, addr, "GET", "/hello.txt")
	if r1.StatusCode != 200 || r1.body != "hello\n" {
		t.Fatalf("status %d body %q", r1.StatusCode, r1.body)
	}
	if cached(h, "/hello.txt") == nil {
		t.Fatal("a regular file served is not kept in the open-file cache")
	}
	for i, body := range []string{"changed, longer\n", "HELLO\n", ""} {
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		later := mtime.Add(time.Duration(i+1) * time.Hour)
		if err := os.Chtimes(p, later, later); err != nil {
			t.Fatal(err)
		}
		r := do(t, addr, "GET", "/hello.txt")
		if r.StatusCode != 200 || r.body != body {
			t.Errorf("after writing %q in place: status %d body %q", body, r.StatusCode, r.body)
		}
		if cl := r.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) {
			t.Errorf("after writing %q in place: Content-Length %s", body, cl)
		}
		if lm := r.Header.Get("Last-Modified"); lm != later.UTC().Format(http.TimeFormat) {
			t.Errorf("after writing %q in place: Last-Modified %s, want %s", body, lm, later)
		}
		if r.Header.Get("ETag") == r1.Header.Get("ETag") {
			t.Errorf("after writing %q in place: ETag %s unchanged", body, r.Header.Get("ETag"))
		}
	}
}

// TestCachedFileReplaced: a file renamed over, or removed, is seen once its entry is
// older than cacheValid; meanwhile the old descriptor is served whole.
func TestCachedFileReplaced(t *testing.T) {
	root, _ := docroot(t)
	h := &Handler{DocumentRoot: root, Types: testTypes()}
	addr := serveStatic(t, h)
	p := filepath.Join(root, "page.html")
	if r := do(t, addr, "GET", "/page.html"); r.body != "<p>page</p>\n" {
		t.Fatalf("body %q", r.body)
	}
	old := cached(h, "/page.html")
	tmp := filepath.Join(root, "page.html.new")
	if err := os.WriteFile(tmp, []byte("<p>new page</p>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	// Within cacheValid the old file may still be served, but whole and consistent.
	if r := do(t, addr, "GET", "/page.html"); r.body != "<p>page</p>\n" && r.body != "<p>new page</p>\n" {
		t.Errorf("body %q, want the old or the new file whole", r.body)
	}
	age(t, h, "/page.html")
	if r := do(t, addr, "GET", "/page.html"); r.StatusCode != 200 || r.body != "<p>new page</p>\n" {
		t.Errorf("after revalidation: status %d body %q, want the new file", r.StatusCode, r.body)
	}
	if err := old.f.Close(); err == nil {
		t.Error("the replaced file's descriptor was left open")
	}

	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	age(t, h, "/page.html")
	if r := do(t, addr, "GET", "/page.html"); r.StatusCode != 404 {
		t.Errorf("removed file after revalidation: status %d, want 404", r.StatusCode)
	}
	if cached(h, "/page.html") != nil {
		t.Error("a removed file stays in the open-file cache")
	}
}

// TestCacheExpireClosesIdle: an idle server does not keep expired files open.
func TestCacheExpireClosesIdle(t *testing.T) {
	root, _ := docroot(t)
	h := &Handler{DocumentRoot: root, Types: testTypes()}
	addr := serveStatic(t, h)
	do(t, addr, "GET", "/hello.txt")
	e := cached(h, "/hello.txt")
	if e == nil {
		t.Fatal("not cached")
	}
	age(t, h, "/hello.txt")
	h.files.expire() // what the timer runs
	if cached(h, "/hello.txt") != nil {
		t.Error("expired entry still in the cache")
	}
	if err := e.f.Close(); err == nil {
		t.Error("expired entry's descriptor still open")
	}
}

// TestCachedFileShared: concurrent requests, whole and ranged, small and sent with
// sendfile, read one shared descriptor without disturbing each other.
func TestCachedFileShared(t *testing.T) {
	root, _ := docroot(t)
	big := strings.Repeat("0123456789abcdefghijklmnopqrstu\n", 8<<10) // 256 KiB
	if err := os.WriteFile(filepath.Join(root, "big.bin"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	h := &Handler{DocumentRoot: root, Types: testTypes()}
	addr := serveStatic(t, h)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 20 * time.Second}
	get := func(rng string) (string, error) {
		req, err := http.NewRequest("GET", "http://"+addr+"/big.bin", nil)
		if err != nil {
			return "", err
		}
		if rng != "" {
			req.Header.Set("Range", "bytes="+rng)
		}
		resp, err := client.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 8 {
				start := (i*8 + j) * 1999 % (len(big) - 100)
				var rng, want string
				switch j % 3 {
				case 0:
					want = big
				case 1:
					rng, want = strconv.Itoa(start)+"-", big[start:]
				default:
					rng, want = strconv.Itoa(start)+"-"+strconv.Itoa(start+99), big[start:start+100]
				}
				body, err := get(rng)
				if err != nil || body != want {
					t.Errorf("request %d/%d (range %q): %d bytes, %v; want %d bytes", i, j, rng, len(body), err, len(want))
				}
			}
		}()
	}
	wg.Wait()
	if cached(h, "/big.bin") == nil {
		t.Error("big.bin not cached")
	}
}

// TestFileCacheShared: Handlers sharing a FileCache (the virtual hosts of one server)
// keep at most cacheMax files open together, not cacheMax each, and still serve every
// file.
func TestFileCacheShared(t *testing.T) {
	defer func(n int) { cacheMax = n }(cacheMax)
	cacheMax = 3
	shared := new(FileCache)
	var addrs []string
	for range 2 {
		root := t.TempDir()
		for i := range 4 {
			if err := os.WriteFile(filepath.Join(root, strconv.Itoa(i)+".txt"), []byte(root+strconv.Itoa(i)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		addrs = append(addrs, serveStatic(t, &Handler{DocumentRoot: root, Files: shared}))
	}
	for _, addr := range addrs {
		for i := range 4 {
			if r := do(t, addr, "GET", "/"+strconv.Itoa(i)+".txt"); r.StatusCode != 200 || !strings.HasSuffix(r.body, strconv.Itoa(i)) {
				t.Errorf("%s /%d.txt: status %d body %q", addr, i, r.StatusCode, r.body)
			}
		}
	}
	shared.mu.Lock()
	n := len(shared.m)
	shared.mu.Unlock()
	if n != cacheMax {
		t.Errorf("the shared cache holds %d files after 8 served by two handlers, want its bound %d", n, cacheMax)
	}
}

// indexesConf lists directories without an index file.
type indexesConf struct{}

func (indexesConf) Configure(*http.Request, string, string) *Options {
	return &Options{FollowSymLinks: true, Indexes: true}
}

// TestCachedDirectory: a directory's descriptor is kept, as a file's, so that a
// request for "/dir/" answered by its index opens nothing but the index; a listing
// reads a descriptor of its own, so that every listing is whole whatever the shared
// one's offset, and a file added is listed while the entry is still valid.
func TestCachedDirectory(t *testing.T) {
	root, _ := docroot(t)
	h := &Handler{DocumentRoot: root, Types: testTypes(), DirectoryIndex: []string{"index.html"}}
	srv := siteLike(h, indexesConf{})
	get := func(target string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, request("GET", target))
		return w
	}
	if w := get("/sub/"); w.Code != 200 || w.Body.String() != "<h1>idx</h1>\n" {
		t.Fatalf("/sub/: %d %q", w.Code, w.Body.String())
	}
	dir := cached(h, "/sub/")
	if dir == nil {
		t.Fatal("a directory served by its index is not kept in the open-file cache")
	}
	if w := get("/sub/"); w.Code != 200 || cached(h, "/sub/") != dir {
		t.Fatalf("/sub/ again: %d, entry %p, was %p", w.Code, cached(h, "/sub/"), dir)
	}
	for i, want := range []string{"other.txt", "other.txt", "added.txt"} {
		if want == "added.txt" {
			if err := os.WriteFile(filepath.Join(root, "noindex", want), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		w := get("/noindex/")
		if w.Code != 200 || !strings.Contains(w.Body.String(), `href="`+want+`"`) {
			t.Errorf("listing %d: %d, %s missing from %q", i, w.Code, want, w.Body.String())
		}
		if i == 0 && cached(h, "/noindex/") == nil {
			t.Fatal("a listed directory is not kept in the open-file cache")
		}
	}
}

// TestSmallFileMapped: a small cached file is read from a mapping of it (no pread per
// request), which shows a change in place at once, as a read does; a file that grows
// past the mapping, and a larger one, are read from the file, whole.
func TestSmallFileMapped(t *testing.T) {
	root, _ := docroot(t)
	h := &Handler{DocumentRoot: root, Types: testTypes()}
	addr := serveStatic(t, h)
	p := filepath.Join(root, "hello.txt")
	if r := do(t, addr, "GET", "/hello.txt"); r.StatusCode != 200 || r.body != "hello\n" {
		t.Fatalf("status %d body %q", r.StatusCode, r.body)
	}
	e := cached(h, "/hello.txt")
	if e == nil {
		t.Fatal("not cached")
	}
	if m := e.mapping.Load(); runtime.GOOS == "linux" && (m == nil || m.b == nil) {
		t.Fatal("a small cached file is not mapped")
	}
	same := mtime.Add(time.Hour)
	for _, body := range []string{"HELLO\n", "hellO\n", strings.Repeat("y", mapMax), strings.Repeat("z", mapMax+1), strings.Repeat("w", 3*mapMax)} {
		// Written in place, with the same length and date where it can: only the
		// bytes tell the versions apart.
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt([]byte(body), 0); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if err := os.Chtimes(p, same, same); err != nil {
			t.Fatal(err)
		}
		r := do(t, addr, "GET", "/hello.txt")
		if r.StatusCode != 200 || r.body != body {
			t.Errorf("after writing %d bytes in place: status %d, body of %d bytes %.10q..., want %.10q...", len(body), r.StatusCode, len(r.body), r.body, body)
		}
		if cached(h, "/hello.txt") != e {
			t.Fatal("the entry was replaced: the test would not read through the mapping")
		}
	}
	big := strings.Repeat("b", mapMax+1)
	if err := os.WriteFile(filepath.Join(root, "big.txt"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if r := do(t, addr, "GET", "/big.txt"); r.StatusCode != 200 || r.body != big {
			t.Errorf("file over mapMax: status %d, body of %d bytes", r.StatusCode, len(r.body))
		}
	}
	if e := cached(h, "/big.txt"); e == nil || e.mapping.Load() != nil {
		t.Error("a file over mapMax was mapped, or not cached")
	}
}
