package static

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// BenchmarkStatic1K: keep-alive GETs of a 1 KiB file through the http1 engine over a
// loopback TCP socket, one request per op.
func BenchmarkStatic1K(b *testing.B) {
	root := b.TempDir()
	name := filepath.Join(root, "1k.txt")
	if err := os.WriteFile(name, []byte(strings.Repeat("x", 1024)), 0o644); err != nil {
		b.Fatal(err)
	}
	// An old mtime keeps the ETag strong, so every response has the same size.
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(name, old, old); err != nil {
		b.Fatal(err)
	}
	srv := &http1.Server{
		Handler:   &Handler{DocumentRoot: root, DirectoryIndex: []string{"index.html"}, Types: map[string]string{"txt": "text/plain"}},
		KeepAlive: true,
		Software:  "Apache/2.4.71 (Unix) httpd-mpm",
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		c := srv.NewConn(nc)
		for {
			if keep, _ := c.ServeRequest(); !keep {
				break
			}
		}
		c.Close()
	}()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	req := []byte("GET /1k.txt HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	// The response has a constant size (the Date has a fixed width): learn it once, then
	// read exactly that much per request so that the client allocates nothing.
	br := bufio.NewReader(client)
	client.Write(req)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		b.Fatal(resp, err)
	}
	var head strings.Builder
	resp.Header.Write(&head)
	body, _ := io.ReadAll(resp.Body)
	size := len("HTTP/1.1 200 OK\r\n") + head.Len() + 2 + len(body)
	buf := make([]byte, size)
	b.SetBytes(1024)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := client.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(br, buf); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	client.Close()
	<-done
}

// BenchmarkReadMimeTypes: what every child does with Debian's
// /etc/mime.types before its first response: read it and find the type of
// one extension.
func BenchmarkReadMimeTypes(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		m, err := ReadMimeTypes("/etc/mime.types")
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := m.Lookup("html"); !ok {
			b.Fatal("no html")
		}
	}
}

// BenchmarkMimeTypesLookup: an extension already looked up, as for every
// request after the first.
func BenchmarkMimeTypesLookup(b *testing.B) {
	m, err := ReadMimeTypes("/etc/mime.types")
	if err != nil {
		b.Fatal(err)
	}
	m.Lookup("html")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := m.Lookup("html"); !ok {
			b.Fatal("no html")
		}
	}
}

// denyAll is a Configurer that refuses every path (Require all denied),
// with apache2's default Options FollowSymLinks (without it, the walk
// looks at each name on the path for a symlink before the access checks).
type denyAll struct{}

func (denyAll) Configure(*http.Request, string, string) *Options {
	return &Options{Denied: true, FollowSymLinks: true}
}

// discard is a ResponseWriter that keeps nothing.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkDeniedUnlogged: a denied request for a missing file four directories
// deep, by a Handler that logs nothing: the path apache2 would log (one stat per
// directory) must not be looked for.
func BenchmarkDeniedUnlogged(b *testing.B) {
	root := b.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "a/b/c/d"), 0o755); err != nil {
		b.Fatal(err)
	}
	h := &Handler{DocumentRoot: root}
	r, err := http.NewRequest("GET", "/a/b/c/d/missing.txt", nil)
	if err != nil {
		b.Fatal(err)
	}
	w := &discard{h: make(http.Header)}
	b.ReportAllocs()
	for b.Loop() {
		h.Serve(w, r, root, "/a/b/c/d/missing.txt", denyAll{})
		clear(w.h)
	}
}
