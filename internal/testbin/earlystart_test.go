package testbin

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The built-in plugins' first child starts from the init of package
// mpm/earlystart (mpm/internal/spawn): Go initialises it before the heavy
// packages (protobuf's descriptors, gRPC, go-plugin, net/http, encoding/gob,
// crypto/tls), the bulk of a plugin's start, which the child's own start
// then overlaps. It stays so only while it imports nothing initialised late
// (what package os needs, strconv, a few small packages of this module):
// GODEBUG=inittrace=1 lists the inits in their order.
func TestEarlystartInitialisedEarly(t *testing.T) {
	_, modules := Build(t)
	const earlystart = "github.com/httpd-mpm/httpd-mpm/mpm/earlystart"
	heavy := []string{"google.golang.org/protobuf/reflect/protodesc", "google.golang.org/protobuf/types/descriptorpb",
		"google.golang.org/grpc", "github.com/hashicorp/go-plugin", "net/http", "encoding/gob", "crypto/tls"}
	for _, m := range MPMs {
		cmd := exec.Command(filepath.Join(modules, "mod_mpm_"+m.Name+".so"))
		cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
		out, _ := cmd.CombinedOutput() // not started by a host: it says so and exits 1
		var order []string
		for line := range strings.Lines(string(out)) {
			if f := strings.Fields(line); len(f) > 1 && f[0] == "init" {
				order = append(order, f[1])
			}
		}
		at := slices.Index(order, earlystart)
		if at < 0 {
			t.Errorf("%s: no init of %s in:\n%s", m.Name, earlystart, out)
			continue
		}
		for _, pkg := range order[:at] {
			if slices.Contains(heavy, pkg) {
				t.Errorf("%s: %s is initialised after %s (%d packages before it): it should come before %v", m.Name, earlystart, pkg, at, heavy)
			}
		}
	}
}
