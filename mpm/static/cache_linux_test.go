package static

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMappedFileTruncated: a mapped file truncated after its fstat, so that the copy
// faults (SIGBUS), ends the read short instead of crashing the process.
func TestMappedFileTruncated(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(strings.Repeat("x", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	var c FileCache
	e := c.put(p, f, time.Now())
	m := e.view(1000)
	if m == nil {
		t.Fatal("not mapped")
	}
	if err := os.Truncate(p, 0); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1000)
	if n, err := m.ReadAt(buf, 0); n != 0 || err != io.EOF {
		t.Errorf("ReadAt of a truncated mapping: %d, %v; want 0, EOF", n, err)
	}
	c.mu.Lock()
	c.removeLocked(e)
	c.mu.Unlock()
	c.release(e) // unmaps and closes
	if err := f.Close(); err == nil {
		t.Error("the file was left open")
	}
}
