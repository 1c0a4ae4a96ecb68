package rawstat

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestFstat: Fstat of an open file says what os.File.Stat says (size,
// inode, mode, modification time), and a closed descriptor's EBADF.
func TestFstat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("twelve bytes"), 0o640); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2021, 3, 4, 5, 6, 7, 890123456, time.UTC)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if e := Fstat(f.Fd(), &st); e != 0 {
		t.Fatalf("Fstat: %v", e)
	}
	want := fi.Sys().(*syscall.Stat_t)
	sec, nsec := st.Mtim.Unix()
	if st.Size != 12 || st.Ino != want.Ino || st.Mode != want.Mode || !time.Unix(sec, nsec).Equal(mtime) {
		t.Errorf("Fstat: size %d ino %d mode %o mtime %v; want 12, %d, %o, %v", st.Size, st.Ino, st.Mode, time.Unix(sec, nsec), want.Ino, want.Mode, mtime)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	fd := r.Fd()
	r.Close()
	w.Close()
	if e := Fstat(fd, &st); e != syscall.EBADF {
		t.Errorf("Fstat of a closed descriptor: %v, want EBADF", e)
	}
}
