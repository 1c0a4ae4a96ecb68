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
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// childProgram is the file StartChild executes when Serve found the MPM's
// child program usable (see WithChildProgram); empty, it executes this
// binary. Serve sets it before it starts any child and it does not change
// afterwards.
var childProgram string

// childExecutable is the program a child of this process runs.
func childExecutable() (string, error) {
	if childProgram != "" {
		return childProgram, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find own executable: %w", err)
	}
	return exe, nil
}

// useChildProgram makes StartChild execute the child program name (in the
// directory of this executable) if it may and can (see WithChildProgram),
// and logs why not otherwise. An empty name keeps this binary.
func useChildProgram(name string, log hclog.Logger) {
	if name == "" {
		return
	}
	exe, err := os.Executable()
	path := filepath.Join(filepath.Dir(exe), name)
	if err == nil {
		childProgram, err = usableChildProgram(path)
	} else {
		err = fmt.Errorf("find own executable: %w", err)
	}
	switch {
	case errors.Is(err, errPinned) || errors.Is(err, fs.ErrNotExist):
		log.Debug(fmt.Sprintf("children run the plugin binary, not the child program %s: %v", path, err))
	case err != nil:
		log.Warn(fmt.Sprintf("children run the plugin binary, not the child program: %v", err))
	}
}

var errPinned = errors.New("LoadModuleChecksum pins the plugin file")

// usableChildProgram returns the real path of the child program at path,
// or why it may not be used.
func usableChildProgram(path string) (string, error) {
	if os.Getenv(wire.PinnedEnv) != "" {
		return "", errPinned
	}
	real, err := trust.Trusted(path, "an MPM's child program")
	if err != nil {
		return "", err
	}
	if err := builtTogether(real); err != nil {
		return "", fmt.Errorf("%s: %w", real, err)
	}
	return real, nil
}

// builtTogether reports an error unless the program at path was built
// from what this binary was: the same Go version, main module, VCS state
// and versions of the modules both use. A plugin updated without its child
// program would otherwise hand its spec to older code.
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

// ChildMain is the main of an MPM's child program (see WithChildProgram):
// it serves impl's child side as StartChild asked (RunChild) and exits
// with its status. Run by a person, it explains what the program is and
// exits 1. It does not return.
func ChildMain(impl MPM) {
	if status, ok := RunChild(impl); ok {
		os.Exit(status)
	}
	d := impl.Describe()
	fmt.Fprintf(os.Stderr, "%s: this is the child program of the %s MPM of httpd-mpm (module %s).\n", filepath.Base(os.Args[0]), d.Name, d.Module)
	fmt.Fprintf(os.Stderr, "The MPM's plugin starts it for its child processes; it is not run by hand.\n")
	os.Exit(1)
}
