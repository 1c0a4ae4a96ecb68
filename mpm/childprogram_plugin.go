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

// pickChildProgram returns the child program at path if children may
// execute it instead of self, the binary they would run otherwise; if not,
// it logs why and returns nil. A file that is missing or a pinned plugin
// is not worth a warning, nor a child program the trust rules refuse when
// self breaks them too (httpd run by root from a user's checkout, say).
func pickChildProgram(path, self string, log hclog.Logger) *program {
	prog, err := usableChildProgram(path, self)
	quiet := errors.Is(err, errPinned) || errors.Is(err, fs.ErrNotExist)
	var te *trust.TrustError
	if errors.As(err, &te) {
		_, selfErr := trust.Trusted(self, "")
		quiet = selfErr != nil
	}
	switch {
	case quiet:
		log.Debug(fmt.Sprintf("children run %s, not the child program %s: %v", filepath.Base(self), path, err))
	case err != nil:
		log.Warn(fmt.Sprintf("children run %s, not the child program: %v", filepath.Base(self), err))
	default:
		go func() {
			if !prog.sameBuild() {
				log.Warn(fmt.Sprintf("children run %s, not the child program: %v", filepath.Base(self), prog.buildErr))
			}
		}()
	}
	return prog
}

var errPinned = errors.New("LoadModuleChecksum pins the plugin file")

// usableChildProgram returns the child program at path as checked, or why
// it may not be used instead of the binary self. Whether it was built with
// self (builtTogether, a fraction of a millisecond that would delay the
// first child) is checked in the background: see program.sameBuild.
func usableChildProgram(path, self string) (*program, error) {
	if os.Getenv(wire.PinnedEnv) != "" {
		return nil, errPinned
	}
	real, err := trust.Trusted(path, "an MPM's child program")
	if err != nil {
		return nil, err
	}
	fi, err := executableAs(real, self)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", real, err)
	}
	p := &program{path: real, checked: fi, built: make(chan struct{})}
	go func() {
		defer close(p.built)
		if err := builtTogether(real, filepath.Base(self)); err != nil {
			p.buildErr = fmt.Errorf("%s: %w", real, err)
		}
	}()
	return p, nil
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

// builtTogether reports an error unless the program at path was built
// from what this binary (named self in messages) was: the same Go version, main module, VCS state
// and versions of the modules both use. A plugin updated without its child
// program would otherwise hand its spec to older code. Two builds from a
// checkout with uncommitted changes (vcs.modified) at one revision look
// alike whatever the changes: `make build` builds both files together.
func builtTogether(path, self string) error {
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
