package host

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
)

// TestWritePidFollowsNoSymlink: symlinks planted in the PID file's
// directory, at the names a temporary file could take and at the PID
// file's own, are never written through: the victim files keep their
// contents, and the PID file is a regular file of mode 0644 holding this
// process's pid, as apache2 writes it, with its AH00098 warning for the
// file that was there.
func TestWritePidFollowsNoSymlink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "httpd.pid")
	for _, name := range []string{"httpd.pid.tmp", "httpd.pid"} {
		if err := os.Symlink(victim, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	var logged bytes.Buffer
	if err := writePid(path, "httpd", true, errorlog.New(&logged, errorlog.Warn)); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
		t.Errorf("the symlinks' target now holds %q", b)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o644 {
		t.Errorf("pid file has mode %v, want a regular file of mode 0644", fi.Mode())
	}
	if b, _ := os.ReadFile(path); string(b) != strconv.Itoa(os.Getpid())+"\n" {
		t.Errorf("pid file holds %q", b)
	}
	if want := "AH00098: pid file " + path + " overwritten"; !bytes.Contains(logged.Bytes(), []byte(want)) {
		t.Errorf("log lacks %q: %s", want, logged.String())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 3 {
		t.Errorf("directory holds %v, want victim, httpd.pid and httpd.pid.tmp", left)
	}
}

// TestWritePidFailure: a PID file that cannot be created is reported with
// apache2's AH00099 (the temporary file's name, with errno) and AH00100.
func TestWritePidFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodir", "httpd.pid")
	var logged bytes.Buffer
	if err := writePid(path, "httpd", true, errorlog.New(&logged, errorlog.Warn)); err == nil {
		t.Fatal("writePid succeeded in a directory that does not exist")
	}
	for _, re := range []string{
		`\[core:error\] \[pid \d+\] \(2\)No such file or directory: AH00099: could not create ` + regexp.QuoteMeta(path) + `\.\d+\n`,
		`\[core:error\] \[pid \d+\] AH00100: httpd: could not log pid to file ` + regexp.QuoteMeta(path) + `\n`,
	} {
		if !regexp.MustCompile(re).Match(logged.Bytes()) {
			t.Errorf("log lacks %s:\n%s", re, logged.String())
		}
	}
}
