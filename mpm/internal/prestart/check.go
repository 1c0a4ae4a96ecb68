//go:build !mpmchild

package prestart

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/internal/trust"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// Program is a child program as it was checked: its real path and what the
// file was then.
type Program struct {
	Path    string
	Checked os.FileInfo
}

// Check returns the child program at path as checked, or why it may not be
// executed instead of the binary self: the host pinned the plugin file
// (ErrPinned), the file breaks the trust rules (trust.Trusted), or whoever
// may execute self may not execute it (other owner or group, fewer execute
// permissions). It does not compare their builds: that needs the file's
// build information, which mpm reads once children started from it. If
// the init checked path already, Check returns what it found.
func Check(path, self string) (*Program, error) {
	if result.Path != "" && result.Path == path {
		return result.Program, result.ProgramErr
	}
	return check(path, self)
}

func check(path, self string) (*Program, error) {
	if os.Getenv(wire.PinnedEnv) != "" {
		return nil, ErrPinned
	}
	real, err := trust.Trusted(path, "an MPM's child program")
	if err != nil {
		return nil, err
	}
	fi, err := executableAs(real, self)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", real, err)
	}
	return &Program{Path: real, Checked: fi}, nil
}

// executableAs returns the child program's file information, or an error
// unless whoever may execute self may execute the child program too:
// children run as User and Group, which could execute self.
func executableAs(child, self string) (os.FileInfo, error) {
	c, err := os.Stat(child)
	if err != nil {
		return nil, err
	}
	p, err := os.Stat(self)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(self)
	cs, ok1 := c.Sys().(*syscall.Stat_t)
	ps, ok2 := p.Sys().(*syscall.Stat_t)
	if ok1 && ok2 && (cs.Uid != ps.Uid || cs.Gid != ps.Gid) {
		return nil, fmt.Errorf("owned by %d:%d, %s by %d:%d: children may not be allowed to execute it", cs.Uid, cs.Gid, name, ps.Uid, ps.Gid)
	}
	if missing := p.Mode().Perm() & 0o111 &^ c.Mode().Perm(); missing != 0 {
		return nil, fmt.Errorf("mode %04o lacks execute permission %04o that %s (mode %04o) has", uint32(c.Mode().Perm()), uint32(missing), name, uint32(p.Mode().Perm()))
	}
	return c, nil
}
