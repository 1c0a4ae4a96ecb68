package host

import (
	"os"
	"path/filepath"
	"testing"
)

// TestBuiltinModules: each module the host provides is listed once (the
// branches that add modules each add their line), under the name and
// source file Apache gives it, and so is never refused by LoadModule.
func TestBuiltinModules(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range builtinModules {
		if seen[m.Name] {
			t.Errorf("%s is listed twice in builtinModules", m.Name)
		}
		seen[m.Name] = true
		if src, ok := apacheModules[m.Name]; !ok || src != m.Source {
			t.Errorf("%s (%s): Apache's table has %q, %v", m.Name, m.Source, src, ok)
		}
		if why := unavailable(m.Name); why != "" {
			t.Errorf("%s is refused: %s", m.Name, why)
		}
	}
	for _, name := range mpmPlugins {
		if _, ok := apacheModules[name]; !ok || unavailable(name) != "" {
			t.Errorf("MPM %s: in Apache's table %v, refused %q", name, ok, unavailable(name))
		}
	}
	if unavailable("mpm_percore_module") != "" || unavailable("info_module") == "" {
		t.Error("a third-party name must pass and info_module be refused")
	}
}

// TestSharedObject: isApacheModule's look at the ELF header alone tells a
// shared object (Debian's apache2 modules, and C libraries) from a Go
// program such as a plugin, or from a file that is not ELF.
func TestSharedObject(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	libs, _ := filepath.Glob("/usr/lib/x86_64-linux-gnu/libc.so.*")
	libs = append(libs, "/usr/lib/apache2/modules/mod_mpm_event.so")
	var found bool
	for _, lib := range libs {
		if _, err := os.Stat(lib); err != nil {
			continue
		}
		found = true
		if !sharedObject(lib) {
			t.Errorf("sharedObject(%s) = false, want true", lib)
		}
	}
	if !found {
		t.Fatalf("no shared object among %v to check", libs)
	}
	text := filepath.Join(t.TempDir(), "text")
	if err := os.WriteFile(text, []byte("LoadModule x y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{self, text, filepath.Join(t.TempDir(), "missing")} {
		if sharedObject(p) {
			t.Errorf("sharedObject(%s) = true, want false", p)
		}
	}
}
