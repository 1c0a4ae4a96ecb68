package rawsys

import (
	"io"
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

// TestPreadSendfile: Pread reads at an offset without moving the file's
// offset; Sendfile sends from *off and advances it.
func TestPreadSendfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("0123456789abcdef"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := make([]byte, 4)
	if n, e := Pread(f.Fd(), p, 10); e != 0 || string(p[:n]) != "abcd" {
		t.Errorf("Pread at 10: %q, %v; want \"abcd\"", p[:n], e)
	}
	if n, e := Pread(f.Fd(), p, 14); e != 0 || string(p[:n]) != "ef" {
		t.Errorf("Pread at 14: %q, %v; want \"ef\"", p[:n], e)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	off := int64(3)
	n, e := Sendfile(int(w.Fd()), int(f.Fd()), &off, 5)
	w.Close()
	got, _ := io.ReadAll(r)
	if e != 0 || n != 5 || off != 8 || string(got) != "34567" {
		t.Errorf("Sendfile from 3: %d, %v, off %d, sent %q; want 5, off 8, \"34567\"", n, e, off, got)
	}
	if pos, _ := f.Seek(0, io.SeekCurrent); pos != 0 {
		t.Errorf("the file's offset moved to %d", pos)
	}
}
