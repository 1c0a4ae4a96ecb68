package e2e_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestCurlRangesAndConditionals: curl's own range and conditional requests, under every
// MPM.
func TestCurlRangesAndConditionals(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatalf("curl not installed (make test-deps installs it): %v", err)
	}
	forEachMPM(t, func(t *testing.T, in *instance, _ string) {
		curl := func(args ...string) string {
			t.Helper()
			out, err := exec.Command("curl", append([]string{"-sS", "-i", "--max-time", "10"}, args...)...).Output()
			if err != nil {
				t.Fatalf("curl %v: %v", args, err)
			}
			return strings.ReplaceAll(string(out), "\r\n", "\n")
		}
		// A file changed within a minute has weak date validators for
		// apache2 (If-Range with its date fails): this one is older.
		old := time.Now().Add(-time.Hour)
		must(t, os.Chtimes(filepath.Join(in.root, "htdocs/hello.txt"), old, old))
		url := in.url("/hello.txt")
		if out := curl("-r", "0-4", url); !strings.HasPrefix(out, "HTTP/1.1 206 Partial Content\n") ||
			!strings.Contains(out, "\nContent-Range: bytes 0-4/13\n") || !strings.HasSuffix(out, "\n\nhello") {
			t.Errorf("curl -r 0-4:\n%s", out)
		}
		out := curl("-r", "0-1,7-11", url)
		m := regexp.MustCompile(`Content-Type: multipart/byteranges; boundary=([0-9a-f]{16})\n`).FindStringSubmatch(out)
		if m == nil || !strings.Contains(out, "\n--"+m[1]+"\nContent-type: text/plain\nContent-range: bytes 0-1/13\n\nhe\n--"+m[1]+
			"\nContent-type: text/plain\nContent-range: bytes 7-11/13\n\nworld\n--"+m[1]+"--\n") {
			t.Errorf("curl -r 0-1,7-11:\n%s", out)
		}
		if out := curl("-r", "100-200", url); !strings.HasPrefix(out, "HTTP/1.1 416 ") || !strings.Contains(out, "\nContent-Range: bytes */13\n") {
			t.Errorf("curl -r 100-200:\n%s", out)
		}
		head := curl("-I", url)
		lm := regexp.MustCompile(`\nLast-Modified: ([^\n]+)\n`).FindStringSubmatch(head)
		etag := regexp.MustCompile(`\nETag: ([^\n]+)\n`).FindStringSubmatch(head)
		if lm == nil || etag == nil {
			t.Fatalf("curl -I:\n%s", head)
		}
		// -z sends If-Modified-Since with curl's own date parsing.
		if out := curl("-z", lm[1], url); !strings.HasPrefix(out, "HTTP/1.1 304 Not Modified\n") || strings.Contains(out, "Content-Length") {
			t.Errorf("curl -z Last-Modified:\n%s", out)
		}
		if out := curl("-z", "-"+lm[1], url); !strings.HasPrefix(out, "HTTP/1.1 200 ") {
			t.Errorf("curl -z -Last-Modified (If-Unmodified-Since holds):\n%s", out)
		}
		if out := curl("-z", "-Thu, 01 Jan 1998 00:00:00 GMT", url); !strings.HasPrefix(out, "HTTP/1.1 412 ") {
			t.Errorf("curl -z -1998 (If-Unmodified-Since fails):\n%s", out)
		}
		if out := curl("-H", "If-None-Match: "+etag[1], url); !strings.HasPrefix(out, "HTTP/1.1 304 ") {
			t.Errorf("If-None-Match ETag:\n%s", out)
		}
		if out := curl("-H", "If-Match: \"other\"", url); !strings.HasPrefix(out, "HTTP/1.1 412 ") {
			t.Errorf("If-Match other:\n%s", out)
		}
		if out := curl("-r", "0-4", "-H", "If-Range: \"other\"", url); !strings.HasPrefix(out, "HTTP/1.1 200 ") || !strings.HasSuffix(out, "hello, world\n") {
			t.Errorf("If-Range other:\n%s", out)
		}
		if out := curl("-r", "0-4", "-H", "If-Range: "+lm[1], url); !strings.HasPrefix(out, "HTTP/1.1 206 ") {
			t.Errorf("If-Range Last-Modified:\n%s", out)
		}
	})
}
