package testbin

import (
	"debug/buildinfo"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The built-in MPMs' child programs are built with the tag mpmchild and
// link neither go-plugin nor gRPC nor protobuf, whose package
// initialisation is most of a plugin binary's start; their plugins do.
func TestChildProgramsAreLean(t *testing.T) {
	_, modules := Build(t)
	heavy := []string{"github.com/hashicorp/go-plugin", "google.golang.org/grpc", "google.golang.org/protobuf"}
	for _, m := range MPMs {
		for _, file := range []string{"mod_mpm_" + m.Name + ".so", ChildProgram(m.Name)} {
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
