package static

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// TestIfModifiedSinceRequestTime: If-Modified-Since is compared with the
// request's time, as apache2's ap_condition_if_modified_since (ims <=
// r->request_time): a date after the request's second is no 304, also when
// the file is served in that later second.
func TestIfModifiedSinceRequestTime(t *testing.T) {
	root := t.TempDir()
	name := filepath.Join(root, "a.txt")
	os.WriteFile(name, []byte("hello\n"), 0o644)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(name, old, old)
	files := &Handler{DocumentRoot: root, Types: testTypes()}
	addr := serveStatic(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := http1.ConnFromRequest(r).RequestStart()
		next := start.Truncate(time.Second).Add(time.Second)
		r.Header.Set("If-Modified-Since", next.UTC().Format(http.TimeFormat))
		time.Sleep(time.Until(next.Add(50 * time.Millisecond)))
		files.ServeHTTP(w, r)
	}))
	res := do(t, addr, "GET", "/a.txt")
	if res.StatusCode != http.StatusOK || res.body != "hello\n" {
		t.Errorf("If-Modified-Since after the request's time: %d %q; want 200 and the file", res.StatusCode, res.body)
	}
}
