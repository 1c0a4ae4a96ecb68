package static

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// openPlain opens only paths without a symlink; for them it reports what
// the open itself says.
func TestOpenPlain(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.txt")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	f, ok, err := openPlain(file, os.O_RDONLY|syscall.O_NONBLOCK)
	if !ok {
		t.Skip("openat2 unavailable here: the long way is always taken")
	}
	if err != nil {
		t.Fatalf("openPlain(%s): %v", file, err)
	}
	f.Close()
	if f, ok, err := openPlain(filepath.Join(dir, "link", "f.txt"), os.O_RDONLY); ok {
		if f != nil {
			f.Close()
		}
		t.Errorf("a path through a symlink opened the short way (err %v)", err)
	}
	if _, ok, err := openPlain(filepath.Join(dir, "missing"), os.O_RDONLY); !ok || !os.IsNotExist(err) || errStatus(err) != 404 {
		t.Errorf("a missing file: ok %v, err %v; want a not-exist error (404)", ok, err)
	}
	if _, ok, err := openPlain(filepath.Join(file, "below"), os.O_RDONLY); !ok || errStatus(err) != 404 {
		t.Errorf("a path through a file: ok %v, err %v; want 404", ok, err)
	}
}
