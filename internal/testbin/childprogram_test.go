package testbin

import (
	"debug/buildinfo"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// The built-in MPMs' child programs are built with the tag mpmchild and
// link neither go-plugin nor gRPC nor protobuf, whose package
// initialisation is most of a plugin binary's start; their plugins do.
func TestChildProgramsAreLean(t *testing.T) {
	_, modules := Build(t)
	heavy := []string{"github.com/hashicorp/go-plugin", "google.golang.org/grpc", "google.golang.org/protobuf"}
	for _, m := range MPMs {
		for _, file := range []string{"mod_mpm_" + m.Name + ".so", wire.ChildProgram(m.Name)} {
			bi, err := buildinfo.ReadFile(filepath.Join(modules, file))
			if err != nil {
				t.Fatal(err)
			}
			var linked []string
			for _, d := range bi.Deps {
				if slices.Contains(heavy, d.Path) {
					linked = append(linked, d.Path)
				}
			}
			child := strings.HasSuffix(file, ".child")
			tags := ""
			for _, s := range bi.Settings {
				if s.Key == "-tags" {
					tags = s.Value
				}
			}
			switch {
			case child && (len(linked) > 0 || tags != "mpmchild"):
				t.Errorf("%s links %v (build tags %q); want none of %v, built with -tags mpmchild", file, linked, tags, heavy)
			case !child && len(linked) != len(heavy):
				t.Errorf("%s links only %v of %v: is it the plugin?", file, linked, heavy)
			}
		}
	}
}

// The child programs carry no profiler: runtime/pprof comes only with the
// tag mpmprofile (mpm.ProfileEnv, make profile).
func TestChildProgramsHaveNoProfiler(t *testing.T) {
	for _, m := range MPMs {
		for _, tags := range []string{"mpmchild", "mpmchild,mpmprofile"} {
			cmd := exec.Command("go", "list", "-deps", "-tags", tags, "./plugins/"+m.Name+"/child")
			cmd.Dir = RepoRoot()
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			has := slices.Contains(strings.Fields(string(out)), "runtime/pprof")
			if has != strings.Contains(tags, "mpmprofile") {
				t.Errorf("%s child program built with -tags %s: runtime/pprof linked %v", m.Name, tags, has)
			}
		}
	}
}

// httpd and the plugins are built with wire.BuildTags (the Makefile's
// GOTAGS): grpcnotrace leaves golang.org/x/net/trace out of gRPC.
func TestBuildTags(t *testing.T) {
	httpd, modules := Build(t)
	files := []string{httpd, filepath.Join(modules, ExampleFile)}
	for _, m := range MPMs {
		files = append(files, filepath.Join(modules, "mod_mpm_"+m.Name+".so"))
	}
	for _, file := range files {
		bi, err := buildinfo.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		tags := ""
		for _, s := range bi.Settings {
			if s.Key == "-tags" {
				tags = s.Value
			}
		}
		if !slices.Contains(strings.Split(tags, ","), wire.BuildTags) {
			t.Errorf("%s built with -tags %q, want %s among them", filepath.Base(file), tags, wire.BuildTags)
		}
	}
}
