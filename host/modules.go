package host

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/mpm"
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
	{"authz_core_module", "mod_authz_core.c"},
	{"authz_host_module", "mod_authz_host.c"},
	{"access_compat_module", "mod_access_compat.c"},
	{"headers_module", "mod_headers.c"},
	{"expires_module", "mod_expires.c"},
	{"status_module", "mod_status.c"},
	{"unixd_module", "mod_unixd.c"},
}

// compiledIn is what -l and -M list: the built-in modules and, in a static
// build, the MPM linked in, after http_core.c as Apache's modules.c has it.
func compiledIn() []builtinModule {
	d := staticMPM()
	if d == nil {
		return builtinModules
	}
	i := slices.IndexFunc(builtinModules, func(m builtinModule) bool { return m.name == "http_module" }) + 1
	return slices.Insert(slices.Clone(builtinModules), i, builtinModule{d.Module, d.Source})
}

// staticMPM describes the MPM linked into this binary, or is nil.
func staticMPM() *mpm.Description {
	if StaticMPM == nil {
		return nil
	}
	d := StaticMPM().Describe()
	return &d
}

// builtinNames are the names <IfModule> sees from the start: every
// compiled-in module's name and source name, and for the MPM linked in
// also the name its plugin would have ("mod_mpm_event.c").
func builtinNames() []string {
	var names []string
	for _, m := range compiledIn() {
		names = append(names, m.name, m.source)
	}
	if d := staticMPM(); d != nil {
		names = append(names, moduleSourceName(d.Module))
	}
	return names
}

// linkedNames is the MPM linked in, for config.Options.Linked.
func linkedNames() []string {
	if d := staticMPM(); d != nil {
		return []string{d.Module}
	}
	return nil
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

// selectMPM finds the MPM: the one linked into this binary, or else the
// one LoadModule that is not a built-in module (a plugin, whose file must
// exist). None, or a LoadModule'd MPM beside another one or the one linked
// in, is AH00534.
func selectMPM(cfg *config.Config) (config.Module, error) {
	var mods []config.Module
	if d := staticMPM(); d != nil {
		mods = append(mods, config.Module{Name: d.Module, Path: d.Source}) // Line 0: compiled in
	}
	seen := map[string]bool{}
	for _, m := range cfg.Modules {
		if isBuiltin(m.Name) || seen[m.Name] {
			continue // the parser warned: "module %s is already loaded, skipping"
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
	if m.Line == 0 {
		return m, nil
	}
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
		if m.Line == 0 {
			fmt.Fprintf(w, "  %s compiled in (%s)\n", m.Name, m.Path)
			continue
		}
		fmt.Fprintf(w, "  %s loaded on line %d of %s\n", m.Name, m.Line, m.File)
	}
}

// moduleSourceName is what <IfModule> and -L call a module's source file.
func moduleSourceName(name string) string {
	return "mod_" + strings.TrimSuffix(name, "_module") + ".c"
}
