package static

import (
	"mime"
	"mime/multipart"
	"os"
	"strings"
	"testing"
)

// TestMultipartByteranges: apache2 2.4.71 answers "bytes=0-1,5-6" and "bytes=-2,0-0" on
// "hello, world\n" with these parts, in the order asked.
func TestMultipartByteranges(t *testing.T) {
	root, _ := docroot(t)
	write := func(name, body string) {
		if err := osWriteFile(root+"/"+name, body); err != nil {
			t.Fatal(err)
		}
	}
	write("hw.txt", "hello, world\n")
	addr := serveStatic(t, &Handler{DocumentRoot: root, Types: testTypes()})
	for _, c := range []struct {
		rng   string
		parts [][2]string // content-range, body
	}{
		{"bytes=0-1,5-6", [][2]string{{"bytes 0-1/13", "he"}, {"bytes 5-6/13", ", "}}},
		{"bytes=-2,0-0", [][2]string{{"bytes 11-12/13", "d\n"}, {"bytes 0-0/13", "h"}}},
		{"bytes=5-6,0-1", [][2]string{{"bytes 5-6/13", ", "}, {"bytes 0-1/13", "he"}}},
	} {
		r := do(t, addr, "GET", "/hw.txt", "Range: "+c.rng)
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if r.StatusCode != 206 || err != nil || mt != "multipart/byteranges" || len(params["boundary"]) != 16 {
			t.Fatalf("%s: %d %q", c.rng, r.StatusCode, r.Header.Get("Content-Type"))
		}
		if !strings.HasPrefix(r.body, "\r\n--"+params["boundary"]+"\r\n") || !strings.HasSuffix(r.body, "\r\n--"+params["boundary"]+"--\r\n") {
			t.Errorf("%s: framing %q", c.rng, r.body)
		}
		mr := multipart.NewReader(strings.NewReader(r.body), params["boundary"])
		for i, want := range c.parts {
			p, err := mr.NextPart()
			if err != nil {
				t.Fatalf("%s: part %d: %v", c.rng, i, err)
			}
			var b strings.Builder
			buf := make([]byte, 64)
			for {
				n, err := p.Read(buf)
				b.Write(buf[:n])
				if err != nil {
					break
				}
			}
			if p.Header.Get("Content-Range") != want[0] || p.Header.Get("Content-Type") != "text/plain" || b.String() != want[1] {
				t.Errorf("%s: part %d: %v %q, want %v", c.rng, i, p.Header, b.String(), want)
			}
		}
		if _, err := mr.NextPart(); err == nil {
			t.Errorf("%s: more parts than asked", c.rng)
		}
		h := do(t, addr, "HEAD", "/hw.txt", "Range: "+c.rng)
		if h.StatusCode != 206 || h.Header.Get("Content-Length") != r.Header.Get("Content-Length") || h.body != "" {
			t.Errorf("HEAD %s: %d %q", c.rng, h.StatusCode, h.Header.Get("Content-Length"))
		}
	}
	// Over apache2's MaxRangeOverlaps (20) the Range is ignored.
	many := "bytes=0-0" + strings.Repeat(",0-0", 21)
	if r := do(t, addr, "GET", "/hw.txt", "Range: "+many); r.StatusCode != 200 {
		t.Errorf("22 overlapping ranges: %d, want 200", r.StatusCode)
	}
}

func osWriteFile(name, body string) error { return os.WriteFile(name, []byte(body), 0o644) }
