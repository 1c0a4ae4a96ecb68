package privdir

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

// TestMake: the directory is new, 0700 and this user's; RemoveAll removes
// it with the sockets made in it.
func TestMake(t *testing.T) {
	base := t.TempDir()
	path, fd, err := Make(base, "x-")
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(path)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 || filepath.Dir(path) != base {
		t.Fatalf("Make made %s: %v, %v", path, fi.Mode(), err)
	}
	ln, err := net.Listen("unix", filepath.Join(path, "sock"))
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	RemoveAll(fd, path)
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Errorf("after RemoveAll: %v", err)
	}
}

// TestOpenOwnRefuses: what a user who could write the parent might put in
// the directory's place between its making and its opening is refused: a
// symbolic link to a directory (even one of this user's, 0700), and a
// directory others may enter or write.
func TestOpenOwnRefuses(t *testing.T) {
	base := t.TempDir()
	own := filepath.Join(base, "own")
	if err := os.Mkdir(own, 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(own, link); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(base, "open")
	if err := os.Mkdir(open, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o733); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{link, open} {
		if fd, err := openOwn(p); err == nil {
			RemoveAll(fd, p)
			t.Errorf("openOwn(%s) accepted it", p)
		}
	}
	fd, err := openOwn(own)
	if err != nil {
		t.Fatalf("openOwn(own 0700 directory): %v", err)
	}
	RemoveAll(fd, own)
}
