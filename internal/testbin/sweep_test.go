package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestSweep: a directory of a test process that is gone is removed, one
// of a live process (this one, and another) is kept.
func TestSweep(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	alive := exec.Command("sleep", "30")
	if err := alive.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { alive.Process.Kill(); alive.Wait() }()
	mk := func(pid int) string {
		d := filepath.Join(tmp, fmt.Sprintf("httpd-testplugins-%d-123", pid))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	dead, live, self := mk(gone.Process.Pid), mk(alive.Process.Pid), mk(os.Getpid())
	other := filepath.Join(tmp, "httpd-testplugins-notapid-1")
	os.Mkdir(other, 0o755)
	dir, err := tempDir("httpd-testplugins")
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("new directory %s: %v, %v", dir, fi, err)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("the directory of a process that is gone is still there (%v)", err)
	}
	for _, d := range []string{live, self, other} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s was removed: %v", d, err)
		}
	}
}
