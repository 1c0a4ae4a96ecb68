//go:build linux

package launch

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// TestSocketInPrivateDir starts a real MPM plugin and checks where its gRPC
// socket is: in a directory of mode 0700 that only this user can enter,
// named to the plugin in PLUGIN_UNIX_SOCKET_DIR, and gone once the plugin
// is killed.
func TestSocketInPrivateDir(t *testing.T) {
	path := testbin.Plugin(t, "./plugins/prefork")
	p, err := Start(context.Background(), Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	dir := p.sockDir
	fi, err := os.Stat(dir)
	if err != nil {
		p.Kill()
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("socket directory %s has mode %o, want 700", dir, perm)
	}
	socks, _ := filepath.Glob(filepath.Join(dir, "plugin*"))
	if len(socks) != 1 {
		t.Errorf("socket directory holds %v, want the plugin's one socket", socks)
	} else if fi, err := os.Lstat(socks[0]); err != nil || fi.Mode()&os.ModeSocket == 0 {
		t.Errorf("%s is not a socket (%v, %v)", socks[0], fi, err)
	}
	environ, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p.Pid()), "environ"))
	if err != nil {
		t.Error(err)
	} else if !bytes.Contains(append([]byte{0}, environ...), []byte("\x00PLUGIN_UNIX_SOCKET_DIR="+dir+"\x00")) {
		t.Errorf("plugin environment lacks PLUGIN_UNIX_SOCKET_DIR=%s", dir)
	}
	p.Kill()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("socket directory %s still there after Kill (%v)", dir, err)
	}
}

// TestKillFrozen: Kill ends a plugin that froze after its last answer (here
// stopped from outside, SIGSTOP), which never answers go-plugin's shutdown
// request: its process group is killed after killGrace instead of Kill
// waiting for ever.
func TestKillFrozen(t *testing.T) {
	path := testbin.Plugin(t, "./plugins/prefork")
	p, err := Start(context.Background(), Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(p.Pid(), syscall.SIGSTOP); err != nil {
		p.Kill()
		t.Fatal(err)
	}
	killed := make(chan struct{})
	go func() {
		p.Kill()
		close(killed)
	}()
	select {
	case <-killed:
	case <-time.After(killGrace + time.Minute):
		syscall.Kill(-p.Pid(), syscall.SIGKILL)
		t.Fatal("Kill did not return on a frozen plugin")
	}
	select {
	case <-p.Exited():
	case <-time.After(time.Minute):
		t.Fatal("the frozen plugin did not exit after Kill")
	}
}
