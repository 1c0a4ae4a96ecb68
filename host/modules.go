package host

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/internal/apconf"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// builtinModule is a module compiled into the host (`httpd -l`).
type builtinModule = apconf.Module

// builtinModules are what the host itself implements (apconf.Modules). A
// LoadModule of one of them is accepted in silence and its file never
// opened: Debian's tree loads a dozen of them as shared objects at every
// start, rightly for apache2 (which would refuse a built-in one: "module %s
// is built-in and can't be loaded").
var builtinModules = apconf.Modules

// loadableModules are modules this httpd provides that act only when a
// LoadModule names them, as Debian's a2enmod cgi (or cgid) enables them: its
// serve-cgi-bin.conf maps /cgi-bin/ only <IfModule mod_cgi.c> or
// <IfModule mod_cgid.c>. The file is never opened; -M lists them as shared.
var loadableModules = []builtinModule{
	{Name: "cgi_module", Source: "mod_cgi.c"},
	{Name: "cgid_module", Source: "mod_cgid.c"},
}

// isProvided reports whether the host implements the module name, built in
// or loadable: a LoadModule of it loads no plugin.
func isProvided(name string) bool {
	return isBuiltin(name) || slices.ContainsFunc(loadableModules, func(m builtinModule) bool { return m.Name == name })
}

// compiledIn is what -l and -M list: the built-in modules and, in a static
// build, the MPM linked in, after http_core.c as Apache's modules.c has it.
func compiledIn() []builtinModule {
	d := staticMPM()
	if d == nil {
		return builtinModules
	}
	i := slices.IndexFunc(builtinModules, func(m builtinModule) bool { return m.Name == "http_module" }) + 1
	return slices.Insert(slices.Clone(builtinModules), i, builtinModule{Name: d.Module, Source: d.Source})
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
		names = append(names, m.Name, m.Source)
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
		if m.Name == name {
			return true
		}
	}
	return false
}

// mpmPlugins are Apache's MPMs that this httpd builds as plugins.
var mpmPlugins = []string{"mpm_event_module", "mpm_prefork_module", "mpm_worker_module"}

// unavailable is config.Options.Unavailable: the reason to refuse a
// LoadModule of one of Apache's modules that this httpd does not provide.
// Any other name is a module it provides or may be an MPM plugin.
func unavailable(name string) string {
	source, ok := apacheModules[name]
	if !ok || isProvided(name) || slices.Contains(mpmPlugins, name) {
		return ""
	}
	return fmt.Sprintf("this httpd does not provide %s (%s) and cannot load Apache's C modules "+
		"(httpd -l lists what it provides; remove the line, on Debian: a2dismod %s)",
		name, source, strings.TrimSuffix(name, "_module"))
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
		if isProvided(m.Name) || seen[m.Name] {
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
	if isApacheModule(m.AbsPath, m.Name) {
		return m, fmt.Errorf("Syntax error on line %d of %s: Cannot load %s into server: it is an Apache httpd module (a C shared object defining %s), "+
			"which this httpd cannot run: name the %s plugin built with this httpd (make build puts it in modules/)",
			m.Line, m.File, m.Path, m.Name, filepath.Base(m.Path))
	}
	return m, nil
}

// isApacheModule reports whether the file at path is a C shared object
// (ELF, position independent, without a program interpreter) whose
// dynamic symbols define name: an Apache module such as Debian's
// /usr/lib/apache2/modules/mod_mpm_event.so. A plugin is a program, which
// its ELF header tells, read alone (a start does not parse the plugin's
// sections: 60-80 us).
func isApacheModule(path, name string) bool {
	if !sharedObject(path) {
		return false
	}
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if f.Type != elf.ET_DYN {
		return false
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	syms, err := f.DynamicSymbols()
	if err != nil {
		return false
	}
	return slices.ContainsFunc(syms, func(s elf.Symbol) bool { return s.Name == name && s.Section != elf.SHN_UNDEF })
}

// sharedObject reports whether the file at path starts with the ELF header
// of a shared object (or of a position-independent executable: ET_DYN).
func sharedObject(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var h [18]byte // e_ident and e_type
	if _, err := io.ReadFull(f, h[:]); err != nil || string(h[:4]) != elf.ELFMAG {
		return false
	}
	var order binary.ByteOrder = binary.LittleEndian
	if elf.Data(h[elf.EI_DATA]) == elf.ELFDATA2MSB {
		order = binary.BigEndian
	}
	return elf.Type(order.Uint16(h[16:])) == elf.ET_DYN
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
