package host

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/host/config"
)

// builtinModule is a module compiled into the host (`httpd -l`).
type builtinModule struct{ name, source string }

// builtinModules are what the host itself implements. Naming one of them in
// LoadModule is harmless (stock configs do), as the file is never loaded.
var builtinModules = []builtinModule{
	{"core_module", "core.c"},
	{"so_module", "mod_so.c"},
	{"http_module", "http_core.c"},
	{"mime_module", "mod_mime.c"},
	{"dir_module", "mod_dir.c"},
	{"status_module", "mod_status.c"},
	{"unixd_module", "mod_unixd.c"},
}

func builtinNames() []string {
	var names []string
	for _, m := range builtinModules {
		names = append(names, m.name, m.source)
	}
	return names
}

func isBuiltin(name string) bool {
	for _, m := range builtinModules {
		if m.name == name {
			return true
		}
	}
	return false
}

// errNoMPM and errManyMPMs are Apache's AH00534 reasons.
var (
	errNoMPM    = errors.New("No MPM loaded.")
	errManyMPMs = errors.New("More than one MPM loaded.")
)

// mpmError is AH00534 with the positions of the LoadModule lines involved.
type mpmError struct {
	reason  error
	modules []config.Module
}

func (e *mpmError) Error() string { return e.reason.Error() }

// selectMPM finds the one LoadModule that is not a built-in module: the
// MPM plugin. Zero or several are AH00534. The file must exist.
func selectMPM(cfg *config.Config) (config.Module, error) {
	var mods []config.Module
	seen := map[string]bool{}
	for _, m := range cfg.Modules {
		if isBuiltin(m.Name) || seen[m.Name] {
			continue // Apache: "module %s is already loaded, skipping"
		}
		seen[m.Name] = true
		mods = append(mods, m)
	}
	switch len(mods) {
	case 0:
		return config.Module{}, &mpmError{reason: errNoMPM}
	case 1:
	default:
		return config.Module{}, &mpmError{reason: errManyMPMs, modules: mods}
	}
	m := mods[0]
	if _, err := os.Stat(m.AbsPath); err != nil {
		return m, fmt.Errorf("Syntax error on line %d of %s: Cannot load %s into server: %s: cannot open shared object file: No such file or directory", m.Line, m.File, m.Path, m.AbsPath)
	}
	return m, nil
}

// printMPMError writes AH00534 as Apache does, then (better than Apache)
// where each MPM was loaded.
func printMPMError(w interface{ Write([]byte) (int, error) }, name string, err *mpmError) {
	fmt.Fprintf(w, "AH00534: %s: Configuration error: %s\n", name, err.reason)
	for _, m := range err.modules {
		fmt.Fprintf(w, "  %s loaded on line %d of %s\n", m.Name, m.Line, m.File)
	}
}

// moduleSourceName is what <IfModule> and -L call a module's source file.
func moduleSourceName(name string) string {
	return "mod_" + strings.TrimSuffix(name, "_module") + ".c"
}
