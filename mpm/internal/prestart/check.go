//go:build !mpmchild

package prestart

import (
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
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
// Plugin checked path already (the program of the child spawn.First
// started), Check returns what it found.
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

// BuiltWith is BuiltTogether for a program Check passed. For the one
// spawn.First started a child from, it waits for the comparison Plugin
// began in the background, instead of making it again.
func BuiltWith(path, self string) error {
	if result.build != nil && result.Program != nil && result.Program.Path == path {
		return result.build()
	}
	return BuiltTogether(path, self)
}

// BuiltTogether reports an error unless the program at path was built
// from what this binary (named self in messages) was: the same Go version, main module, VCS state
// and versions of the modules both use. A plugin updated without its child
// program would otherwise hand its spec to older code. Two builds from a
// checkout with uncommitted changes (vcs.modified) at one revision look
// alike whatever the changes: `make build` builds both files together.
func BuiltTogether(path, self string) error {
	theirs, err := buildinfo.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read its build information: %w", err)
	}
	ours, ok := debug.ReadBuildInfo()
	if !ok {
		return errors.New("this binary has no build information")
	}
	differ := func(what, a, b string) error {
		return fmt.Errorf("built from another %s (%s) than %s (%s)", what, a, self, b)
	}
	if ours.GoVersion != theirs.GoVersion {
		return differ("Go version", theirs.GoVersion, ours.GoVersion)
	}
	if ours.Main.Path != theirs.Main.Path || ours.Main.Version != theirs.Main.Version || ours.Main.Sum != theirs.Main.Sum {
		return differ("main module", theirs.Main.Path+"@"+theirs.Main.Version, ours.Main.Path+"@"+ours.Main.Version)
	}
	for _, key := range []string{"vcs.revision", "vcs.time", "vcs.modified"} {
		if a, b := setting(theirs, key), setting(ours, key); a != b {
			return differ(key, a, b)
		}
	}
	for _, d := range theirs.Deps {
		i := slices.IndexFunc(ours.Deps, func(o *debug.Module) bool { return o.Path == d.Path })
		if i >= 0 && version(ours.Deps[i]) != version(d) {
			return differ("version of "+d.Path, version(d), version(ours.Deps[i]))
		}
	}
	return nil
}

func setting(bi *debug.BuildInfo, key string) string {
	for _, s := range bi.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

// version is a module's version as the build used it, after replacements.
func version(m *debug.Module) string {
	if m.Replace != nil {
		return m.Replace.Path + "@" + m.Replace.Version + " " + m.Replace.Sum
	}
	return m.Version + " " + m.Sum
}
