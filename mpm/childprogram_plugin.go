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

	"github.com/hashicorp/go-hclog"

	"github.com/httpd-mpm/httpd-mpm/internal/trust"
	"github.com/httpd-mpm/httpd-mpm/mpm/internal/prestart"
)

// useChildProgram makes StartChild execute the child program name (in the
// directory of this executable) if it may and can (see WithChildProgram),
// and logs why not otherwise. An empty name keeps this binary. It checks
// all but the build (builtTogether): Serve calls checkBuild once the early
// children have started, from the program (see childProgramAt).
func useChildProgram(name string, log hclog.Logger) (checkBuild func()) {
	if name == "" {
		return func() {}
	}
	if name != filepath.Base(name) || name == ".." {
		log.Warn(fmt.Sprintf("children run the plugin binary, not the child program: %q is not a file name", name))
		return func() {}
	}
	exe, err := os.Executable()
	if err != nil {
		log.Warn(fmt.Sprintf("children run the plugin binary, not the child program: find own executable: %v", err))
		return func() {}
	}
	return childProgramAt(filepath.Join(filepath.Dir(exe), name), exe, log)
}

// childProgramAt makes the child program at path childProgram if children
// may execute it instead of self, but for the check that it was built with
// this binary, which checkBuild makes: if that fails, checkBuild warns, sets
// childProgram back to nil and ends the early children, which have not got
// a spec yet. The check takes a fraction of a millisecond, which the first
// child's start then overlaps instead of following.
func childProgramAt(path, self string, log hclog.Logger) (checkBuild func()) {
	prog, err := checkedChildProgram(path, self)
	if err != nil {
		childProgramRefused(path, self, err, log)
		return func() {}
	}
	childProgram = prog
	return func() {
		if err := builtTogether(prog.path, filepath.Base(self)); err != nil {
			childProgram = nil
			discardEarly()
			childProgramRefused(path, self, fmt.Errorf("%s: %w", prog.path, err), log)
		}
	}
}

// pickChildProgram returns the child program at path if children may
// execute it instead of self, the binary they would run otherwise; if not,
// it logs why (childProgramRefused) and returns nil.
func pickChildProgram(path, self string, log hclog.Logger) *program {
	prog, err := usableChildProgram(path, self)
	if err != nil {
		childProgramRefused(path, self, err, log)
	}
	return prog
}

// childProgramRefused logs why children run self, not the child program
// at path: err. A file that is missing or a pinned plugin is not worth a
// warning, nor a child program the trust rules refuse when self breaks
// them too (httpd run by root from a user's checkout, say).
func childProgramRefused(path, self string, err error, log hclog.Logger) {
	quiet := errors.Is(err, prestart.ErrPinned) || errors.Is(err, fs.ErrNotExist)
	var te *trust.TrustError
	if errors.As(err, &te) {
		_, selfErr := trust.Trusted(self, "")
		quiet = selfErr != nil
	}
	if quiet {
		log.Debug(fmt.Sprintf("children run %s, not the child program %s: %v", filepath.Base(self), path, err))
	} else {
		log.Warn(fmt.Sprintf("children run %s, not the child program: %v", filepath.Base(self), err))
	}
}

// usableChildProgram returns the child program at path as checked, or why
// it may not be used instead of the binary self.
func usableChildProgram(path, self string) (*program, error) {
	p, err := checkedChildProgram(path, self)
	if err != nil {
		return nil, err
	}
	if err := builtTogether(p.path, filepath.Base(self)); err != nil {
		return nil, fmt.Errorf("%s: %w", p.path, err)
	}
	return p, nil
}

// checkedChildProgram is usableChildProgram but for builtTogether
// (prestart.Check).
func checkedChildProgram(path, self string) (*program, error) {
	p, err := prestart.Check(path, self)
	if err != nil {
		return nil, err
	}
	return &program{path: p.Path, checked: p.Checked}, nil
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
