package static

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// TestDocumentRootRestored: a handler whose DocumentRoot is missing at its
// first request answers 404, and serves again once the directory is back.
func TestDocumentRootRestored(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "htdocs")
	h := &Handler{DocumentRoot: root}
	get := func() int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/a.txt", nil))
		return rec.Code
	}
	if code := get(); code != http.StatusNotFound {
		t.Fatalf("missing root: %d", code)
	}
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := get(); code != http.StatusOK {
		t.Fatalf("after restoring the root: %d, want 200", code)
	}
}
