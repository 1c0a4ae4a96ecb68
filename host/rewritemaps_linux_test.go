package host

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/site"
)

// asUser runs f on a thread whose file system identity is uid:gid (without
// root's file capabilities), as a process of that user would.
func asUser(t *testing.T, uid, gid int, f func() error) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		unix.Setfsgid(gid)
		unix.Setfsuid(uid)
		if got, _ := unix.SetfsuidRetUid(-1); got != uid {
			errc <- fmt.Errorf("setfsuid(%d): fsuid is %d", uid, got)
			return
		}
		errc <- f()
	}()
	return <-errc
}

// TestMapProgramSocketOwners: as root with children running as another
// user, the sockets' directory stays root's (the children's group may
// only enter it), each socket is the children's user's alone, so that
// the user can neither put a symbolic link where root would make and
// chown a socket (review42's escalation) nor take a name in advance, and
// another user cannot ask.
func TestMapProgramSocketOwners(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	const uid, gid = 65534, 65534
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "prog.sh"), []byte("#!/bin/sh\nwhile read -r k; do echo \"v-$k\"; done\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var log testbin.SyncBuffer
	m := newMapPrograms(dir, errorlog.New(&log, errorlog.Info))
	t.Cleanup(m.close)
	c := &mpm.Core{Credential: &mpm.Credential{Uid: uid, Gid: gid, Groups: []uint32{gid}}, ServerDirectives: []site.Directive{
		{Name: "RewriteEngine", Args: []string{"on"}, Seq: 1},
		{Name: "RewriteMap", Args: []string{"a", "prg:prog.sh"}, Seq: 2},
		{Name: "RewriteMap", Args: []string{"b", "prg:prog.sh"}, Seq: 3},
	}}
	if err := m.assign(c); err != nil {
		t.Fatal(err)
	}
	sock := c.ServerDirectives[1].Args[2]
	sdir := filepath.Dir(sock)
	var st unix.Stat_t
	if err := unix.Lstat(sdir, &st); err != nil {
		t.Fatal(err)
	}
	if st.Uid != 0 || st.Gid != gid || st.Mode&0o7777 != 0o710 {
		t.Errorf("%s: owner %d:%d mode %#o, want 0:%d 0710", sdir, st.Uid, st.Gid, st.Mode&0o7777, gid)
	}
	for _, d := range c.ServerDirectives[1:] {
		if err := unix.Lstat(d.Args[2], &st); err != nil {
			t.Fatal(err)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFSOCK || st.Uid != uid || st.Gid != gid || st.Mode&0o777 != 0o600 {
			t.Errorf("%s: mode %#o owner %d:%d, want a socket 0600 %d:%d", d.Args[2], st.Mode, st.Uid, st.Gid, uid, gid)
		}
	}
	// The children's user asks, but cannot add a name.
	err := asUser(t, uid, gid, func() error {
		if err := os.Symlink("/etc/shadow", filepath.Join(sdir, "2")); !errors.Is(err, os.ErrPermission) {
			return fmt.Errorf("symlink in the directory: %v, want permission denied", err)
		}
		if err := os.Remove(sock); !errors.Is(err, os.ErrPermission) {
			return fmt.Errorf("remove the socket: %v, want permission denied", err)
		}
		conn, err := net.Dial("unix", sock)
		if err != nil {
			return err
		}
		defer conn.Close()
		fmt.Fprintf(conn, "k\n")
		line, err := bufio.NewReader(conn).ReadString('\n')
		if line != "+v-k\n" {
			return fmt.Errorf("answer %q, %v", line, err)
		}
		return nil
	})
	if err != nil {
		t.Errorf("as the children's user: %v", err)
	}
	// Another user cannot even reach it.
	err = asUser(t, 12345, 12345, func() error {
		if conn, err := net.Dial("unix", sock); !errors.Is(err, os.ErrPermission) {
			if conn != nil {
				conn.Close()
			}
			return fmt.Errorf("dial: %v, want permission denied", err)
		}
		return nil
	})
	if err != nil {
		t.Errorf("as another user: %v", err)
	}
	m.close()
	if _, err := os.Lstat(sdir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after close: %s: %v, want it removed", sdir, err)
	}
}
