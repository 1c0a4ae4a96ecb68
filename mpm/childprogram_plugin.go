//go:build !mpmchild

package mpm

import (
	"debug/buildinfo"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"syscall"

	"github.com/hashicorp/go-hclog"

	"github.com/httpd-mpm/httpd-mpm/internal/trust"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// useChildProgram makes StartChild execute the child program name (in the
// directory of this executable) if it may and can (see WithChildProgram),
// and logs why not otherwise. An empty name keeps this binary.
func useChildProgram(name string, log hclog.Logger) {
	if name == "" {
		return
	}
	if name != filepath.Base(name) || name == ".." {
		log.Warn(fmt.Sprintf("children run the plugin binary, not the child program: %q is not a file name", name))
		return
	}
	exe, err := os.Executable()
	if err != nil {
		log.Warn(fmt.Sprintf("children run the plugin binary, not the child program: find own executable: %v", err))
		return
	}
	childProgram = pickChildProgram(filepath.Join(filepath.Dir(exe), name), exe, log)
}

// pickChildProgram returns the real path of the child program at path if
// children may execute it instead of self, the binary they would run
// otherwise; if not, it logs why and returns "".
func pickChildProgram(path, self string, log hclog.Logger) string {
	real, err := usableChildProgram(path, self)
	switch {
	case errors.Is(err, errPinned) || errors.Is(err, fs.ErrNotExist):
		log.Debug(fmt.Sprintf("children run %s, not the child program %s: %v", filepath.Base(self), path, err))
	case err != nil:
		log.Warn(fmt.Sprintf("children run %s, not the child program: %v", filepath.Base(self), err))
	}
	return real
}

var errPinned = errors.New("LoadModuleChecksum pins the plugin file")

// usableChildProgram returns the real path of the child program at path,
// or why it may not be used instead of the plugin file plugin.
func usableChildProgram(path, plugin string) (string, error) {
	if os.Getenv(wire.PinnedEnv) != "" {
		return "", errPinned
	}
	real, err := trust.Trusted(path, "an MPM's child program")
	if err != nil {
		return "", err
	}
	if err := executableAsPlugin(real, plugin); err != nil {
		return "", fmt.Errorf("%s: %w", real, err)
	}
	if err := builtTogether(real); err != nil {
		return "", fmt.Errorf("%s: %w", real, err)
	}
	return real, nil
}

// executableAsPlugin reports an error unless whoever may execute the
// plugin file may execute the child program too: children run as User and
// Group, which could execute the plugin file.
func executableAsPlugin(child, plugin string) error {
	c, err := os.Stat(child)
	if err != nil {
		return err
	}
	p, err := os.Stat(plugin)
	if err != nil {
		return err
	}
	cs, ok1 := c.Sys().(*syscall.Stat_t)
	ps, ok2 := p.Sys().(*syscall.Stat_t)
	if ok1 && ok2 && (cs.Uid != ps.Uid || cs.Gid != ps.Gid) {
		return fmt.Errorf("owned by %d:%d, the plugin file by %d:%d: children may not be allowed to execute it", cs.Uid, cs.Gid, ps.Uid, ps.Gid)
	}
	if missing := p.Mode().Perm() & 0o111 &^ c.Mode().Perm(); missing != 0 {
		return fmt.Errorf("mode %04o lacks execute permission %04o that the plugin file (mode %04o) has", uint32(c.Mode().Perm()), uint32(missing), uint32(p.Mode().Perm()))
	}
	return nil
}

// builtTogether reports an error unless the program at path was built
// from what this binary was: the same Go version, main module, VCS state
// and versions of the modules both use. A plugin updated without its child
// program would otherwise hand its spec to older code. Two builds from a
// checkout with uncommitted changes (vcs.modified) at one revision look
// alike whatever the changes: `make build` builds both files together.
func builtTogether(path string) error {
	theirs, err := buildinfo.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read its build information: %w", err)
	}
	ours, ok := debug.ReadBuildInfo()
	if !ok {
		return errors.New("this binary has no build information")
	}
	differ := func(what, a, b string) error {
		return fmt.Errorf("built from another %s (%s) than the plugin (%s)", what, a, b)
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
