package host

import "testing"

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
