package static

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

var mtime = time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC)

// docroot builds a document root inside a temp dir, with an "outside" directory next
// to it for escape attempts, and returns (root, outside).
func docroot(t *testing.T) (string, string) {
	t.Helper()
	base := t.TempDir()
	root := filepath.Join(base, "www")
	out := filepath.Join(base, "outside")
	files := map[string]string{
		"www/hello.txt":          "hello\n",
		"www/page.html":          "<p>page</p>\n",
		"www/noext":              "x\n",
		"www/file.unknownext":    "x\n",
		"www/archive.tar.gz":     "gz",
		"www/Upper.HTML":         "<p>upper</p>",
		"www/sub/index.html":     "<h1>idx</h1>\n",
		"www/sub/deeper/a.txt":   "a\n",
		"www/noindex/other.txt":  "o\n",
		"www/empty.txt":          "",
		"www/sp ace.txt":         "space\n",
		"outside/secret.txt":     "secret\n",
		"outside/dir/secret.txt": "secret\n",
	}
	for name, body := range files {
		p := filepath.Join(base, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"www/link-in.txt":      "hello.txt",                           // relative, inside
		"www/link-abs-in.txt":  filepath.Join(root, "hello.txt"),      // absolute, inside
		"www/link-out.txt":     "../outside/secret.txt",               // relative, escapes
		"www/link-abs-out.txt": filepath.Join(out, "secret.txt"),      // absolute, escapes
		"www/link-dir-out":     filepath.Join(out, "dir"),             // directory, escapes
		"www/sub/link-up.txt":  "../../outside/secret.txt",            // from a subdirectory
		"www/link-loop":        "link-loop",                           // ELOOP
		"www/link-dangling":    filepath.Join(root, "does-not-exist"), // ENOENT
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(base, name)); err != nil {
			t.Fatal(err)
		}
	}
	return root, out
}

func testTypes() map[string]string {
	return map[string]string{"txt": "text/plain", "html": "text/html", "gz": "application/gzip", "tar": "application/x-tar"}
}

// serveStatic runs the handler behind the http1 engine on loopback.
func serveStatic(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := &http1.Server{
		Handler:              h,
		KeepAlive:            true,
		MaxKeepAliveRequests: 100,
		ServerName:           "www.example.com",
		Software:             "Apache/2.4.71 (Unix) httpd-mpm",
		ServerSignature:      http1.SignatureOn,
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				c := srv.NewConn(nc)
				for {
					if keep, _ := c.ServeRequest(); !keep {
						break
					}
				}
				c.Close()
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

type result struct {
	*http.Response
	body string
}

// do sends one raw request and reads the response with net/http's parser.
func do(t *testing.T, addr, method, target string, hdr ...string) result {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	raw := method + " " + target + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n"
	for _, h := range hdr {
		raw += h + "\r\n"
	}
	if _, err := io.WriteString(nc, raw+"\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(nc), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: body: %v", method, target, err)
	}
	return result{resp, string(b)}
}

func TestServe(t *testing.T) {
	root, _ := docroot(t)
	addr := serveStatic(t, &Handler{DocumentRoot: root, DirectoryIndex: []string{"missing.html", "index.html"}, Types: testTypes()})
	etag := func(size int) string {
		return `"` + strconv.FormatInt(int64(size), 16) + "-" + strconv.FormatInt(mtime.UnixMicro(), 16) + `"`
	}
	lastMod := mtime.Format(http.TimeFormat)

	cases := []struct {
		name, method, target string
		hdr                  []string
		status               int
		body                 string            // exact, or "~substring"
		want                 map[string]string // header -> value ("" = must be absent)
	}{
		{name: "file", method: "GET", target: "/hello.txt", status: 200, body: "hello\n",
			want: map[string]string{"Content-Type": "text/plain", "Content-Length": "6", "Accept-Ranges": "bytes",
				"ETag": etag(6), "Last-Modified": lastMod}},
		{name: "HEAD keeps the headers", method: "HEAD", target: "/hello.txt", status: 200, body: "",
			want: map[string]string{"Content-Type": "text/plain", "Content-Length": "6", "ETag": etag(6)}},
		{name: "POST serves the file as apache2's default handler", method: "POST", target: "/hello.txt", status: 200, body: "hello\n"},
		{name: "query string is ignored", method: "GET", target: "/hello.txt?x=1", status: 200, body: "hello\n"},
		{name: "percent-encoded name", method: "GET", target: "/sp%20ace.txt", status: 200, body: "space\n"},
		{name: "empty file", method: "GET", target: "/empty.txt", status: 200, body: "", want: map[string]string{"Content-Length": "0"}},
		{name: "html type", method: "GET", target: "/page.html", status: 200, want: map[string]string{"Content-Type": "text/html"}},
		{name: "extension case-insensitive", method: "GET", target: "/Upper.HTML", status: 200, want: map[string]string{"Content-Type": "text/html"}},
		{name: "last known extension wins", method: "GET", target: "/archive.tar.gz", status: 200, want: map[string]string{"Content-Type": "application/gzip"}},
		{name: "no extension: no Content-Type", method: "GET", target: "/noext", status: 200, body: "x\n", want: map[string]string{"Content-Type": ""}},
		{name: "unknown extension: no Content-Type", method: "GET", target: "/file.unknownext", status: 200, want: map[string]string{"Content-Type": ""}},
		{name: "missing", method: "GET", target: "/nope", status: 404, body: "~<p>The requested URL was not found on this server.</p>",
			want: map[string]string{"Content-Type": "text/html; charset=iso-8859-1"}},
		{name: "file used as directory", method: "GET", target: "/hello.txt/x", status: 404},
		{name: "file with trailing slash", method: "GET", target: "/hello.txt/", status: 404},
		{name: "directory index", method: "GET", target: "/sub/", status: 200, body: "<h1>idx</h1>\n",
			want: map[string]string{"Content-Type": "text/html", "ETag": etag(13)}},
		{name: "directory without slash redirects", method: "GET", target: "/sub", status: 301,
			body: "~<p>The document has moved <a href=\"http://h/sub/\">here</a>.</p>",
			want: map[string]string{"Location": "http://h/sub/"}},
		{name: "redirect keeps the query", method: "GET", target: "/sub?a=b", status: 301, want: map[string]string{"Location": "http://h/sub/?a=b"}},
		{name: "redirect for any method", method: "DELETE", target: "/sub", status: 301},
		{name: "directory without index is 403", method: "GET", target: "/noindex/", status: 403,
			body: "~<p>You don't have permission to access this resource.</p>"},
		{name: "root without index is 403", method: "GET", target: "/", status: 403},
		{name: "dot segments inside the root", method: "GET", target: "/sub/../hello.txt", status: 200, body: "hello\n"},
		{name: "encoded dot segments inside the root", method: "GET", target: "/sub/%2e%2e/hello.txt", status: 200, body: "hello\n"},
		{name: "merged slashes", method: "GET", target: "//hello.txt", status: 200, body: "hello\n"},
		{name: "traversal", method: "GET", target: "/../etc/passwd", status: 400},
		{name: "encoded traversal", method: "GET", target: "/%2e%2e/etc/passwd", status: 400},
		{name: "encoded traversal to the outside dir", method: "GET", target: "/%2E%2E/outside/secret.txt", status: 400},
		{name: "deep traversal", method: "GET", target: "/sub/../../outside/secret.txt", status: 400},
		{name: "encoded slash", method: "GET", target: "/..%2foutside/secret.txt", status: 404},
		{name: "encoded slash in a name", method: "GET", target: "/sub%2Findex.html", status: 404},
		{name: "NUL", method: "GET", target: "/hello.txt%00.html", status: 404},
		{name: "symlink inside the root", method: "GET", target: "/link-in.txt", status: 200, body: "hello\n"},
		{name: "absolute symlink inside the root", method: "GET", target: "/link-abs-in.txt", status: 200, body: "hello\n"},
		{name: "symlink out of the root", method: "GET", target: "/link-out.txt", status: 403},
		{name: "absolute symlink out of the root", method: "GET", target: "/link-abs-out.txt", status: 403},
		{name: "directory symlink out of the root", method: "GET", target: "/link-dir-out/secret.txt", status: 403},
		{name: "directory symlink out of the root, listing", method: "GET", target: "/link-dir-out/", status: 403},
		{name: "symlink from a subdirectory out", method: "GET", target: "/sub/link-up.txt", status: 403},
		{name: "symlink loop", method: "GET", target: "/link-loop", status: 403},
		{name: "dangling symlink", method: "GET", target: "/link-dangling", status: 404},
		{name: "DELETE is 405", method: "DELETE", target: "/hello.txt", status: 405,
			body: "~<p>The requested method DELETE is not allowed for this URL.</p>", want: map[string]string{"Allow": Allow}},
		{name: "405 before 404", method: "PUT", target: "/nope", status: 405, want: map[string]string{"Allow": Allow}},
		{name: "TRACE is 405", method: "TRACE", target: "/hello.txt", status: 405},
		{name: "unknown method is 501", method: "FOO", target: "/hello.txt", status: 501,
			body: "~<p>FOO not supported for current URL.<br />\n</p>", want: map[string]string{"Allow": Allow}},
		{name: "OPTIONS", method: "OPTIONS", target: "/hello.txt", status: 200, body: "",
			want: map[string]string{"Allow": Allow, "Content-Length": "0", "Content-Type": "text/plain"}},
		{name: "OPTIONS on a missing file", method: "OPTIONS", target: "/nope", status: 200, want: map[string]string{"Allow": Allow}},
		{name: "OPTIONS *", method: "OPTIONS", target: "*", status: 200, want: map[string]string{"Allow": "", "Content-Length": "0"}},
		{name: "If-Modified-Since equal", method: "GET", target: "/hello.txt", hdr: []string{"If-Modified-Since: " + lastMod}, status: 304, body: "",
			want: map[string]string{"ETag": etag(6), "Last-Modified": lastMod, "Content-Type": "", "Content-Length": ""}},
		{name: "If-Modified-Since older", method: "GET", target: "/hello.txt", hdr: []string{"If-Modified-Since: " + mtime.Add(-time.Hour).Format(http.TimeFormat)}, status: 200},
		{name: "If-Modified-Since in the future is ignored", method: "GET", target: "/hello.txt", hdr: []string{"If-Modified-Since: " + time.Now().Add(48*time.Hour).UTC().Format(http.TimeFormat)}, status: 200},
		{name: "If-None-Match", method: "GET", target: "/hello.txt", hdr: []string{"If-None-Match: " + etag(6)}, status: 304},
		{name: "If-None-Match weak", method: "GET", target: "/hello.txt", hdr: []string{"If-None-Match: \"x\", W/" + etag(6)}, status: 304},
		{name: "If-None-Match star", method: "HEAD", target: "/hello.txt", hdr: []string{"If-None-Match: *"}, status: 304},
		{name: "If-None-Match mismatch beats If-Modified-Since", method: "GET", target: "/hello.txt", hdr: []string{"If-None-Match: \"x\"", "If-Modified-Since: " + lastMod}, status: 200},
		{name: "If-None-Match on POST is 412", method: "POST", target: "/hello.txt", hdr: []string{"If-None-Match: *"}, status: 412},
		{name: "If-Match mismatch is 412", method: "GET", target: "/hello.txt", hdr: []string{"If-Match: \"x\""}, status: 412, body: "",
			want: map[string]string{"Content-Length": "0"}},
		{name: "If-Match match", method: "GET", target: "/hello.txt", hdr: []string{"If-Match: " + etag(6)}, status: 200},
		{name: "If-Unmodified-Since older is 412", method: "GET", target: "/hello.txt", hdr: []string{"If-Unmodified-Since: " + mtime.Add(-time.Hour).Format(http.TimeFormat)}, status: 412},
		{name: "Range", method: "GET", target: "/hello.txt", hdr: []string{"Range: bytes=1-3"}, status: 206, body: "ell",
			want: map[string]string{"Content-Range": "bytes 1-3/6", "Content-Length": "3"}},
		{name: "suffix Range", method: "GET", target: "/hello.txt", hdr: []string{"Range: bytes=-2"}, status: 206, body: "o\n"},
		{name: "open Range past the end", method: "GET", target: "/hello.txt", hdr: []string{"Range: bytes=4-100"}, status: 206, body: "o\n",
			want: map[string]string{"Content-Range": "bytes 4-5/6"}},
		{name: "unsatisfiable Range", method: "GET", target: "/hello.txt", hdr: []string{"Range: bytes=6-"}, status: 416,
			body: "~None of the range-specifier values", want: map[string]string{"Content-Range": "bytes */6", "ETag": ""}},
		{name: "malformed Range is ignored", method: "GET", target: "/hello.txt", hdr: []string{"Range: bytes=x"}, status: 200, body: "hello\n"},
		// Checked against apache2 2.4.71: overlapping or adjacent ranges merge with the
		// one before, unsatisfiable ones are dropped, "-0", "1-0" and a blank after "="
		// make the header ignored.
		{name: "overlapping ranges merge", method: "GET", target: "/hello.txt", hdr: []string{"Range: bytes=0-1,1-3"}, status: 206, body: "hell",
			want: map[string]string{"Content-Range": "bytes 0-3/6"}},
		{name: "adjacent ranges merge", method: "GET", target: "/hello.txt", hdr: []string{"Range: bytes=0-1,2-3"}, status: 206, body: "hell"},
		{name: "unsatisfiable range dropped", method: "GET", target: "/hello.txt", hdr: []string{"Range: bytes=0-1,100-200"}, status: 206, body: "he",
			want: map[string]string{"Content-Range": "bytes 0-1/6"}},
		{name: "all unsatisfiable", method: "GET", target: "/hello.txt", hdr: []string{"Range: bytes=100-200,300-400"}, status: 416},
		{name: "suffix zero is ignored", method: "GET", target: "/hello.txt", hdr: []string{"Range: bytes=-0"}, status: 200, body: "hello\n"},
		{name: "reversed is ignored", method: "GET", target: "/hello.txt", hdr: []string{"Range: bytes=1-0"}, status: 200, body: "hello\n"},
		{name: "blank after = is ignored", method: "GET", target: "/hello.txt", hdr: []string{"Range: bytes= 0-1"}, status: 200, body: "hello\n"},
		{name: "unit is case-insensitive", method: "GET", target: "/hello.txt", hdr: []string{"Range: Bytes=0-1"}, status: 206, body: "he"},
		{name: "one bad range spoils all", method: "GET", target: "/hello.txt", hdr: []string{"Range: bytes=0-1,x"}, status: 200, body: "hello\n"},
		{name: "If-Range mismatch sends everything", method: "GET", target: "/hello.txt", hdr: []string{"Range: bytes=0-1", "If-Range: \"x\""}, status: 200, body: "hello\n"},
		{name: "If-Range match", method: "GET", target: "/hello.txt", hdr: []string{"Range: bytes=0-1", "If-Range: " + etag(6)}, status: 206, body: "he"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, addr, tc.method, tc.target, tc.hdr...)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (body %q)", r.StatusCode, tc.status, r.body)
			}
			switch {
			case strings.HasPrefix(tc.body, "~"):
				if !strings.Contains(r.body, tc.body[1:]) {
					t.Errorf("body %q does not contain %q", r.body, tc.body[1:])
				}
			case tc.body != "" || tc.method == "HEAD" || tc.status == 304:
				if r.body != tc.body {
					t.Errorf("body %q, want %q", r.body, tc.body)
				}
			}
			for k, v := range tc.want {
				got, ok := r.Header[http.CanonicalHeaderKey(k)]
				if v == "" && ok {
					t.Errorf("%s: %q, want none", k, got)
				} else if v != "" && (!ok || got[0] != v) {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestWeakETagForFreshFile(t *testing.T) {
	root, _ := docroot(t)
	p := filepath.Join(root, "fresh.txt")
	if err := os.WriteFile(p, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(p, future, future); err != nil {
		t.Fatal(err)
	}
	addr := serveStatic(t, &Handler{DocumentRoot: root, Types: testTypes()})
	r := do(t, addr, "GET", "/fresh.txt")
	if et := r.Header.Get("ETag"); !strings.HasPrefix(et, `W/"3-`) {
		t.Errorf("ETag %q, want a weak tag for a file modified less than a second ago", et)
	}
	lm, err := http.ParseTime(r.Header.Get("Last-Modified"))
	if err != nil || lm.After(future.Add(-30*time.Minute)) {
		t.Errorf("Last-Modified %q must not be in the future", r.Header.Get("Last-Modified"))
	}
}

func TestUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every file")
	}
	root, _ := docroot(t)
	p := filepath.Join(root, "hello.txt")
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	addr := serveStatic(t, &Handler{DocumentRoot: root, Types: testTypes()})
	if r := do(t, addr, "GET", "/hello.txt"); r.StatusCode != 403 {
		t.Errorf("status %d, want 403", r.StatusCode)
	}
}

func TestFIFOIsForbidden(t *testing.T) {
	root, _ := docroot(t)
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Skip("no mkfifo:", err)
	}
	addr := serveStatic(t, &Handler{DocumentRoot: root, Types: testTypes()})
	if r := do(t, addr, "GET", "/fifo"); r.StatusCode != 403 {
		t.Errorf("status %d, want 403", r.StatusCode)
	}
}

func TestDocumentRootThroughSymlink(t *testing.T) {
	root, _ := docroot(t)
	alias := filepath.Join(t.TempDir(), "alias")
	if err := os.Symlink(root, alias); err != nil {
		t.Fatal(err)
	}
	addr := serveStatic(t, &Handler{DocumentRoot: alias, Types: testTypes()})
	if r := do(t, addr, "GET", "/hello.txt"); r.StatusCode != 200 || r.body != "hello\n" {
		t.Errorf("status %d body %q, want the file through a symlinked DocumentRoot", r.StatusCode, r.body)
	}
	if r := do(t, addr, "GET", "/link-out.txt"); r.StatusCode != 403 {
		t.Errorf("status %d, want 403", r.StatusCode)
	}
}

// TestLargeFile checks the sendfile path (loopback TCP, declared length > buffer).
func TestLargeFile(t *testing.T) {
	root, _ := docroot(t)
	big := strings.Repeat("0123456789abcdef", 64<<10) // 1 MiB
	if err := os.WriteFile(filepath.Join(root, "big.bin"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := serveStatic(t, &Handler{DocumentRoot: root, Types: testTypes()})
	r := do(t, addr, "GET", "/big.bin")
	if r.StatusCode != 200 || r.body != big {
		t.Fatalf("status %d, %d bytes, want the whole 1 MiB file", r.StatusCode, len(r.body))
	}
	r = do(t, addr, "GET", "/big.bin", "Range: bytes=100000-")
	if r.StatusCode != 206 || r.body != big[100000:] {
		t.Fatalf("status %d, %d bytes, want the tail from 100000", r.StatusCode, len(r.body))
	}
}

func TestMimeTypes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mime.types")
	content := "# comment line text/x-comment cmt\n" +
		"text/html\t\t\t\thtml htm\n" +
		"application/x-empty\n" +
		"image/png png # trailing comment pngc\n" +
		"\n" +
		"text/plain TXT\r\n" +
		"text/css  css\t\n" +
		"application/x-a AMR\n" +
		"application/x-b amr\n" + // later, lower case: wins
		"application/x-c xyz\n" +
		"application/x-d XyZ\n" + // later, upper case: wins
		"audio/AMR-WB awb AWB\n" +
		"image/x-tight tgt#comment\n" +
		"text/x-override html" // no newline at the end
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := ReadMimeTypes(p)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"html": "text/x-override", "HTML": "text/x-override", "htm": "text/html", "png": "image/png",
		"txt": "text/plain", "Txt": "text/plain", "css": "text/css", "amr": "application/x-b", "AMR": "application/x-b",
		"xyz": "application/x-d", "awb": "audio/AMR-WB", "tgt": "image/x-tight"}
	for range 2 { // scanned, then remembered
		for ext, typ := range want {
			if got, ok := m.Lookup(ext); !ok || got != typ {
				t.Errorf("%s: %q %v, want %q", ext, got, ok, typ)
			}
		}
		for _, ext := range []string{"cmt", "pngc", "x-empty", "", "ht", "htmlx", "text/html", "tgt#comment", "comment", "a b", "AMR-WB", "x-d"} {
			if got, ok := m.Lookup(ext); ok {
				t.Errorf("%q: %q, want none", ext, got)
			}
		}
	}
	if _, err := ReadMimeTypes(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing file: no error")
	}
	var none *MimeTypes
	if got, ok := none.Lookup("html"); ok {
		t.Errorf("nil MimeTypes: %q", got)
	}
}

// TestMimeTypesBounded: past maxKnown remembered answers, lookups are
// still right and no more are kept.
func TestMimeTypesBounded(t *testing.T) {
	m := ParseMimeTypes("text/plain txt\nimage/png png\n")
	for i := range maxKnown + 1000 {
		if typ, ok := m.Lookup(fmt.Sprintf("x%d", i)); ok {
			t.Fatalf("x%d: %q", i, typ)
		}
		if typ, ok := m.Lookup("png"); !ok || typ != "image/png" {
			t.Fatalf("png after %d others: %q %v", i, typ, ok)
		}
	}
	if typ, ok := m.Lookup("TXT"); !ok || typ != "text/plain" {
		t.Errorf("TXT past the bound: %q %v", typ, ok)
	}
	n := 0
	m.known.Range(func(any, any) bool { n++; return true })
	if n != maxKnown || int(m.count.Load()) != n {
		t.Errorf("%d answers kept (count %d), want %d", n, m.count.Load(), maxKnown)
	}
}

// TestMimeTypesSystem checks every extension of the system's mime.types
// (Debian's media-types, which .ci/deps.sh installs) against a table built
// the plain way: fields split at white space, later lines winning.
func TestMimeTypesSystem(t *testing.T) {
	const path = "/etc/mime.types"
	if runtime.GOOS != "linux" {
		t.Skip("Debian's media-types: Linux")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (Debian package media-types)", err)
	}
	table := map[string]string{}
	for line := range strings.Lines(string(data)) {
		line, _, _ = strings.Cut(line, "#")
		if f := strings.Fields(line); len(f) > 1 {
			for _, ext := range f[1:] {
				table[strings.ToLower(ext)] = f[0]
			}
		}
	}
	if len(table) < 100 || table["html"] != "text/html" {
		t.Fatalf("%s: %d extensions, html=%q: not a mime.types file", path, len(table), table["html"])
	}
	m, err := ReadMimeTypes(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 { // concurrent first lookups (-race)
		wg.Go(func() {
			for ext, typ := range table {
				if got, ok := m.Lookup(ext); !ok || got != typ {
					t.Errorf("%s: %q %v, want %q", ext, got, ok, typ)
				}
			}
		})
	}
	wg.Wait()
	if got, ok := m.Lookup("no-such-extension"); ok {
		t.Errorf("no-such-extension: %q", got)
	}
}

func TestCleanPath(t *testing.T) {
	cases := []struct {
		path, raw, want string
		status          int
	}{
		{"/", "", "/", 0},
		{"", "", "/", 0},
		{"/a/b", "", "/a/b", 0},
		{"/a/b/", "", "/a/b/", 0},
		{"/a/./b", "", "/a/b", 0},
		{"/a/../b", "", "/b", 0},
		{"/a/..", "", "/", 0},
		{"/a/b/..", "", "/a/", 0},
		{"/a/.", "", "/a/", 0},
		{"/a//b///c", "", "/a/b/c", 0},
		{"/..", "", "/", 400}, // the rest cleaned, for the access log
		{"/a/../..", "", "/", 400},
		{"/a/../../b", "", "/b", 400},
		{"/a/b", "/a%2Fb", "", 404},
		{"/a\x00b", "/a%00b", "", 404},
		{"/a%zz", "/a%zz", "", 400}, // kept as sent by the engine: a bad escape
		{"/a%2", "/a%2", "", 400},
		{"a", "", "", 400},
	}
	for _, c := range cases {
		got, st := CleanPath(&url.URL{Path: c.path, RawPath: c.raw})
		if got != c.want || st != c.status {
			t.Errorf("CleanPath(%q) = %q, %d; want %q, %d", c.path, got, st, c.want, c.status)
		}
	}
}

// TestPostBodyDiscarded: as apache2's default handler, a POST to a file reads the body
// first, so a client waiting for "100 Continue" gets it, and the connection stays
// usable.
func TestPostBodyDiscarded(t *testing.T) {
	root, _ := docroot(t)
	addr := serveStatic(t, &Handler{DocumentRoot: root, Types: testTypes()})
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(nc)
	io.WriteString(nc, "POST /hello.txt HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
	line, err := br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("got %q %v, want 100 Continue", line, err)
	}
	if blank, _ := br.ReadString('\n'); blank != "\r\n" {
		t.Fatalf("100 Continue followed by %q", blank)
	}
	io.WriteString(nc, "abcdeGET /page.html HTTP/1.1\r\nHost: h\r\n\r\n")
	for _, want := range []string{"hello\n", "<p>page</p>\n"} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(b) != want || resp.Close {
			t.Errorf("status %d body %q close %v, want 200 %q kept alive", resp.StatusCode, b, resp.Close, want)
		}
	}
}

// TestIndexTakesOverURI: as mod_dir's fast internal redirect does, serving a
// directory's index gives the request the index's URI, which the access log's %U
// shows ("/sub/index.html" for "GET /sub/", as apache2 2.4.71 logs it).
func TestIndexTakesOverURI(t *testing.T) {
	root, _ := docroot(t)
	h := &Handler{DocumentRoot: root, DirectoryIndex: []string{"index.html"}, Types: testTypes()}
	for target, want := range map[string]string{"/sub/": "/sub/index.html", "/hello.txt": "/hello.txt", "/noindex/": "/noindex/"} {
		r := httptest.NewRequest("GET", target, nil)
		h.ServeHTTP(httptest.NewRecorder(), r)
		if r.URL.Path != want {
			t.Errorf("GET %s: URL.Path %q after serving, want %q", target, r.URL.Path, want)
		}
	}
}

// TestWithCharset is ap_make_content_type's rule, as apache2 2.4.71 answers
// (host/e2e TestAddDefaultCharset): "text/plain" or "text/html" anywhere in
// the type, case ignored, and no "charset=" anywhere.
func TestWithCharset(t *testing.T) {
	for _, tc := range []struct{ ct, want string }{
		{"text/plain", "text/plain; charset=utf-8"},
		{"TEXT/HTML", "TEXT/HTML; charset=utf-8"},
		{"text/html-sandboxed", "text/html-sandboxed; charset=utf-8"},
		{"text/plain; format=flowed", "text/plain; format=flowed; charset=utf-8"},
		{"text/html; charset=koi8-r", "text/html; charset=koi8-r"},
		{"text/html;CHARSET=x", "text/html;CHARSET=x"},
		{"text/css", "text/css"},
		{"application/json", "application/json"},
		{"", ""},
	} {
		if got := withCharset(tc.ct, "utf-8"); got != tc.want {
			t.Errorf("withCharset(%q) = %q, want %q", tc.ct, got, tc.want)
		}
	}
}

// TestExtensionMetadata: mod_mime's per-extension metadata besides the
// type, as apache2 applies Debian's mime.conf (host/e2e TestDebianTree
// compares the answers with apache2's).
func TestExtensionMetadata(t *testing.T) {
	h := &Handler{
		Types:     map[string]string{"es": "", "h": "text/html; charset=latin1; level=1"},
		MimeTypes: ParseMimeTypes("text/html html\napplication/ecmascript es\ntext/plain txt\n"),
		Charsets:  map[string]string{"utf8": "utf-8", "koi8-r": "koi8-r"},
		Languages: map[string]string{"en": "en", "fr": "fr", "es": "es"},
	}
	for _, tt := range []struct{ rel, ct, lang string }{
		{"/a.html", "text/html", ""},
		{"/a.html.es", "text/html", "es"}, // RemoveType es: not TypesConfig's ecmascript
		{"/a.es", "", "es"},
		{"/a.txt.utf8", "text/plain; charset=utf-8", ""},
		{"/a.utf8", "", ""}, // a charset needs a type
		{"/a.en.txt.KOI8-R", "text/plain; charset=koi8-r", "en"},
		{"/a.html.en.fr", "text/html", "en, fr"},
		{"/a.h.utf8", "text/html; level=1; charset=utf-8", ""},
	} {
		if ct := h.mimeType(tt.rel, &Options{}); ct != tt.ct {
			t.Errorf("%s: type %q, want %q", tt.rel, ct, tt.ct)
		}
		if lang := h.languages(tt.rel, &Options{}); lang != tt.lang {
			t.Errorf("%s: languages %q, want %q", tt.rel, lang, tt.lang)
		}
	}
}
