package testbin

import (
	"debug/elf"
	"path/filepath"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// The host and the plugins are static executables, as the Makefile and
// Build make them (CGO_ENABLED=0): no ELF interpreter (ld.so) and no
// shared library to load before main. A build that slips back to cgo
// (os/user or net with cgo) fails here.
func TestStaticExecutables(t *testing.T) {
	httpd, modules := Build(t)
	bins := []string{httpd, Static(t, "event")}
	for _, m := range MPMs {
		bins = append(bins, filepath.Join(modules, "mod_mpm_"+m.Name+".so"), filepath.Join(modules, wire.ChildProgram(m.Name)))
	}
	for _, bin := range bins {
		f, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("%s: dynamically linked (has an ELF interpreter)", bin)
			}
		}
		if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
			t.Errorf("%s: needs shared libraries %v (%v)", bin, libs, err)
		}
		f.Close()
	}
}
