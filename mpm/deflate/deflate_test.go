package deflate

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAcceptsGzip(t *testing.T) {
	for _, c := range []struct {
		v    string
		want bool
	}{
		{"gzip", true},
		{"GZIP", true},
		{"deflate, gzip", true},
		{"deflate, GZIP ;q=0.5", true},
		{"gzip;q=0", false},
		{"gzip; q=0", false},
		{"gzip;q=0.0", false},
		{"gzip;q=0.000", false},
		{"gzip;q=0.0000", true}, // apache2 compares with "q=0.000" only
		{"gzip;Q=0", true},
		{"gzip;q=0.001", true},
		{"br;q=1, gzip;q=0.5", true},
		{"x-gzip", false},
		{"*", false},
		{"identity", false},
		{"", false},
		{`foo;bar="a,gzip", gzip`, true},
	} {
		h := http.Header{"Accept-Encoding": {c.v}}
		if got := acceptsGzip(h); got != c.want {
			t.Errorf("Accept-Encoding %q: %t, want %t", c.v, got, c.want)
		}
	}
	if acceptsGzip(http.Header{}) {
		t.Error("no Accept-Encoding accepted gzip")
	}
}

func TestFields(t *testing.T) {
	h := http.Header{"Vary": {"Cookie, accept-encoding", "User-Agent"}}
	addVary(h)
	if got := h["Vary"]; len(got) != 1 || got[0] != "Cookie,accept-encoding,User-Agent" {
		t.Errorf("Vary %q", got)
	}
	h = http.Header{}
	addVary(h)
	if got := h.Get("Vary"); got != "Accept-Encoding" {
		t.Errorf("Vary %q", got)
	}
	for _, c := range []struct {
		etag string
		mode ETagMode
		want string
	}{
		{`"abc"`, AddSuffix, `"abc-gzip"`},
		{`W/"abc"`, AddSuffix, `W/"abc-gzip"`},
		{`""`, AddSuffix, `""`},
		{`"abc"`, NoChange, `"abc"`},
		{`"abc"`, Remove, ``},
	} {
		h := http.Header{"ETag": {c.etag}}
		alterETag(h, c.mode)
		if got := strings.Join(h["ETag"], ""); got != c.want {
			t.Errorf("ETag %s mode %d: %q, want %q", c.etag, c.mode, got, c.want)
		}
	}
	for v, want := range map[string]bool{"identity": false, "identity, 8bit": false, "br": true, "identity, gzip": true} {
		if got := encoded(http.Header{"Content-Encoding": {v}}); got != want {
			t.Errorf("Content-Encoding %q encoded: %t", v, got)
		}
	}
}

func TestDirMerge(t *testing.T) {
	var top, sub, files Dir
	must := func(d *Dir, name string, args ...string) {
		t.Helper()
		if err := d.Set(name, args); err != nil {
			t.Fatal(err)
		}
	}
	must(&top, "AddOutputFilterByType", "DEFLATE", "text/html")
	must(&top, "AddOutputFilterByType", "DEFLATE", "text/plain")
	must(&top, "AddOutputFilter", "DEFLATE", ".dat", "LOG")
	must(&sub, "AddOutputFilterByType", "DEFLATE", "text/css")
	must(&sub, "RemoveOutputFilter", "dat")
	must(&files, "SetOutputFilter", "INCLUDES")

	f := top.Filter(nil)
	if !f.byType("text/html; charset=utf-8") || !f.byType("text/plain") || f.byType("text/css") || f.byType("Text/html") {
		t.Errorf("top level types %q", f.types)
	}
	if !f.byName("a.dat") || !f.byName("a.log.x") || f.byName("dat") {
		t.Errorf("top level extensions %v", f.exts)
	}
	m := top.Merge(&sub)
	f = m.Filter(nil)
	if f.byType("text/html") || !f.byType("text/css") || f.byName("a.dat") || !f.byName("a.LOG") {
		t.Errorf("merged: types %q extensions %v", f.types, f.exts)
	}
	var none Dir
	must(&none, "SetOutputFilter", "INCLUDES")
	if none.Filter(nil) != nil || none.Enables() {
		t.Error("SetOutputFilter INCLUDES puts DEFLATE on answers")
	}
	m = m.Merge(&files)
	if f := m.Filter(nil); f == nil || f.all {
		t.Error("SetOutputFilter without DEFLATE turned everything on, or dropped the types")
	}
}

// serve runs handler through a Filter on the settings given and returns
// the recorded answer.
func serve(t *testing.T, f *Filter, method, name, accept string, handler func(w http.ResponseWriter)) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "/"+name, nil)
	if accept != "" {
		r.Header.Set("Accept-Encoding", accept)
	}
	rec := httptest.NewRecorder()
	w, done := f.Wrap(rec, r, name)
	handler(w)
	done()
	return rec
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestWriter(t *testing.T) {
	var d Dir
	d.Set("AddOutputFilterByType", []string{"DEFLATE", "text/plain"})
	f := d.Filter(&Server{})
	text := strings.Repeat("compress me, ", 200)
	file := func(ct, body string) func(w http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", ct)
			w.Header().Set("ETag", `"e"`)
			w.Header().Set("Content-Length", itoa(len(body)))
			w.WriteHeader(http.StatusOK)
			io.Copy(w, strings.NewReader(body))
		}
	}

	rec := serve(t, f, "GET", "a.txt", "gzip", file("text/plain", text))
	if rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Vary") != "Accept-Encoding" ||
		rec.Header().Get("ETag") != `"e-gzip"` || rec.Header().Get("Content-Length") != itoa(rec.Body.Len()) {
		t.Errorf("compressed answer's fields: %v", rec.Header())
	}
	if got := gunzip(t, rec.Body.Bytes()); got != text {
		t.Errorf("gunzipped %d bytes, want %d", len(got), len(text))
	}
	if b := rec.Body.Bytes(); b[9] != 3 {
		t.Errorf("gzip header OS %d, want 3 (Unix, as zlib)", b[9])
	}

	rec = serve(t, f, "GET", "a.txt", "", file("text/plain", text))
	if rec.Header().Get("Content-Encoding") != "" || rec.Header().Get("Vary") != "Accept-Encoding" || rec.Body.String() != text {
		t.Errorf("not asked for gzip: %v", rec.Header())
	}

	rec = serve(t, f, "GET", "a.bin", "gzip", file("application/octet-stream", text))
	if rec.Header().Get("Content-Encoding") != "" || rec.Header().Get("Vary") != "" || rec.Body.String() != text {
		t.Errorf("another type: %v", rec.Header())
	}

	tiny := strings.Repeat("x", 68)
	rec = serve(t, f, "GET", "t.txt", "gzip", file("text/plain", tiny))
	if rec.Header().Get("Content-Encoding") != "" || rec.Header().Get("Vary") != "" || rec.Body.String() != tiny {
		t.Errorf("tiny body: %v %q", rec.Header(), rec.Body)
	}
	// Without a declared length, the writer holds the first bytes to know.
	rec = serve(t, f, "GET", "t.txt", "gzip", func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, tiny[:30])
		io.WriteString(w, tiny[30:])
	})
	if rec.Header().Get("Content-Encoding") != "" || rec.Body.String() != tiny {
		t.Errorf("tiny body in pieces: %v %q", rec.Header(), rec.Body)
	}
	rec = serve(t, f, "GET", "t.txt", "gzip", func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, tiny)
		io.WriteString(w, tiny)
	})
	if rec.Header().Get("Content-Encoding") != "gzip" || gunzip(t, rec.Body.Bytes()) != tiny+tiny {
		t.Errorf("body in pieces: %v", rec.Header())
	}

	rec = serve(t, f, "GET", "a.txt", "gzip", func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Encoding", "br")
		io.WriteString(w, text)
	})
	if rec.Header().Get("Content-Encoding") != "br" || rec.Header().Get("Vary") != "" || rec.Body.String() != text {
		t.Errorf("already encoded: %v", rec.Header())
	}

	rec = serve(t, f, "GET", "a.txt", "gzip", func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusNotModified)
	})
	if rec.Code != http.StatusNotModified || rec.Header().Get("Vary") != "" || rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("304: %d %v", rec.Code, rec.Header())
	}
	rec = serve(t, f, "GET", "a.txt", "gzip", func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, text)
	})
	if rec.Code != http.StatusNotFound || rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("AddOutputFilterByType on a 404: %d %v", rec.Code, rec.Header())
	}

	// A long body past what is held goes out without a length.
	var noisy strings.Builder
	x := uint32(7)
	for noisy.Len() < 200<<10 {
		x = x*1664525 + 1013904223
		noisy.WriteByte(byte('!' + x>>26))
	}
	rec = serve(t, f, "GET", "big.txt", "gzip", file("text/plain", noisy.String()))
	if rec.Header().Get("Content-Length") != "" || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("long body: %v", rec.Header())
	}
	if got := gunzip(t, rec.Body.Bytes()); got != noisy.String() {
		t.Errorf("long body gunzipped to %d bytes, want %d", len(got), noisy.Len())
	}

	// HEAD: the length of what GET would send.
	get := serve(t, f, "GET", "a.txt", "gzip", file("text/plain", text))
	head := serve(t, f, "HEAD", "a.txt", "gzip", file("text/plain", text))
	if head.Header().Get("Content-Length") != get.Header().Get("Content-Length") {
		t.Errorf("HEAD Content-Length %q, GET's %q", head.Header().Get("Content-Length"), get.Header().Get("Content-Length"))
	}
}

func TestWriterRange(t *testing.T) {
	var d Dir
	d.Set("SetOutputFilter", []string{"DEFLATE"})
	f := d.Filter(nil)
	text := strings.Repeat("range me ", 300)
	r := httptest.NewRequest("GET", "/a.txt", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	r.Header.Set("Range", "bytes=0-9")
	rec := httptest.NewRecorder()
	w, done := f.Wrap(rec, r, "a.txt")
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, text)
	done()
	if rec.Code != http.StatusPartialContent || rec.Body.Len() != 10 || !strings.HasPrefix(rec.Header().Get("Content-Range"), "bytes 0-9/") {
		t.Fatalf("Range of the compressed bytes: %d %v %d bytes", rec.Code, rec.Header(), rec.Body.Len())
	}
	if want := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3}; !bytes.Equal(rec.Body.Bytes(), want) {
		t.Errorf("first ten bytes % x, want zlib's gzip header % x", rec.Body.Bytes(), want)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestCache: a file older than a second is compressed once per level and
// its bytes served again; a change of the file (size, time) is a new key.
func TestCache(t *testing.T) {
	var d Dir
	d.Set("SetOutputFilter", []string{"DEFLATE"})
	f := d.Filter(&Server{Level: 2})
	path := t.TempDir() + "/c.txt"
	write := func(text string, age time.Duration) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-age)
		if err := os.Chtimes(path, old, old); err != nil {
			t.Fatal(err)
		}
	}
	get := func() (string, fileKey) {
		t.Helper()
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		fi, _ := fh.Stat()
		var key fileKey
		rec := serve(t, f, "GET", "c.txt", "gzip", func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
			w.WriteHeader(http.StatusOK)
			io.Copy(w, io.NewSectionReader(fh, 0, fi.Size()))
			key = w.(*writer).key
		})
		return gunzip(t, rec.Body.Bytes()), key
	}
	one := strings.Repeat("first version ", 100)
	write(one, time.Hour)
	if got, key := get(); got != one || !key.ok {
		t.Fatalf("first answer: key %v, %d bytes", key, len(got))
	} else if _, ok := cache.get(key); !ok {
		t.Fatal("the compressed file was not kept")
	}
	if got, _ := get(); got != one {
		t.Errorf("from the cache: %q", got)
	}
	two := strings.Repeat("second version ", 100)
	write(two, 2*time.Hour)
	if got, _ := get(); got != two {
		t.Errorf("after a change: %q", got)
	}
	// Sent without a length: decided on the first bytes, compressed (the
	// kept bytes are for answers decided before the body).
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	fi, _ := fh.Stat()
	rec := serve(t, f, "GET", "c.txt", "gzip", func(w http.ResponseWriter) {
		io.Copy(w, io.NewSectionReader(fh, 0, fi.Size()))
	})
	if got := gunzip(t, rec.Body.Bytes()); got != two {
		t.Errorf("without a length: %q", got)
	}
	// A file changed within the last second is not kept.
	write(one+"x", 0)
	if _, key := get(); key.ok {
		t.Error("a file just written was keyed")
	}
}
