package static

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestLogErrorPermissions: as apache2, a file the server may not read is AH00132 and a
// path through a directory it may not search AH00035, both with the system error. The
// requests run on a thread whose filesystem uid is nobody's, so that root too is
// refused.
func TestLogErrorPermissions(t *testing.T) {
	root := logTree(t)
	for d := filepath.Dir(root); d != filepath.Dir(d) && strings.HasPrefix(d, os.TempDir()+"/"); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(root, "perm.txt"), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(root, "nosearch"), 0); err != nil {
		t.Fatal(err)
	}
	rec := &logRecorder{}
	h := &Handler{DocumentRoot: root, DirectoryIndex: []string{"index.html"}, LogError: rec.log}
	srv := siteLike(h, logConf{root})
	codes := map[string]int{}
	done := make(chan error)
	go func() {
		// The thread ends with this goroutine, never to serve another with nobody's fsuid.
		runtime.LockOSThread()
		if os.Geteuid() == 0 {
			syscall.Setfsuid(65534)
			if _, err := os.ReadFile(filepath.Join(root, "perm.txt")); err == nil {
				done <- os.ErrPermission // setfsuid had no effect
				return
			}
		}
		for _, p := range []string{"/perm.txt", "/nosearch/n.txt", "/hello.txt"} {
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, request("GET", p))
			codes[p] = w.Code
		}
		done <- nil
	}()
	if err := <-done; err != nil {
		t.Fatal("cannot drop the filesystem uid:", err)
	}
	if codes["/perm.txt"] != 403 || codes["/nosearch/n.txt"] != 403 || codes["/hello.txt"] != 200 {
		t.Errorf("statuses %v", codes)
	}
	var got []string
	for _, e := range rec.take() {
		got = append(got, fmt.Sprint(e.module, " ", e.err, " ", strings.ReplaceAll(e.msg, root, "=")))
	}
	want := []string{
		"core permission denied AH00132: file permissions deny server access: =/perm.txt",
		"core permission denied AH00035: access to /nosearch/n.txt denied (filesystem path '=/nosearch/n.txt') because search permissions are missing on a component of the path",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
