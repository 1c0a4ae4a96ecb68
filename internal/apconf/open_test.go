package apconf

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestReadFile: a regular file is read; a device, a FIFO (no writer: the
// open must not wait) and a directory are refused by their descriptor, a
// symbolic link to /dev/zero included; a file past max is an error.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok")
	if err := os.WriteFile(ok, []byte("user:x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, fi, err := ReadFile(ok, 100); err != nil || string(data) != "user:x\n" || fi == nil {
		t.Errorf("regular file: %q, %v, %v", data, fi, err)
	}
	if _, _, err := ReadFile(ok, 3); err == nil {
		t.Error("a file longer than max was read")
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, zero, dir} {
		if _, fi, err := ReadFile(p, 1<<20); !errors.Is(err, ErrNotRegular) || fi == nil {
			t.Errorf("%s: %v (info %v), want ErrNotRegular", p, err, fi)
		}
	}
}
