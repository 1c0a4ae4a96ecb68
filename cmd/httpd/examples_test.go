package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/host"
	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// TestExamplesDumpIdentically runs `httpd -t -D DUMP_CONFIG` on
// examples/httpd.conf and examples/httpd.hcl, with the real event MPM, and
// wants the same output.
func TestExamplesDumpIdentically(t *testing.T) {
	_, modules := testbin.Build(t)
	root := t.TempDir()
	for name, target := range map[string]string{
		"modules":  modules,
		"examples": filepath.Join(testbin.RepoRoot(), "examples"),
	} {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	dump := func(file string) []byte {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := host.Main([]string{"-d", root, "-f", file, "-t", "-D", "DUMP_CONFIG"}, &stdout, &stderr); code != 0 {
			t.Fatalf("httpd -f %s: exit %d\n%s", file, code, stderr.Bytes())
		}
		if stderr.Len() > 0 {
			t.Errorf("httpd -f %s: stderr %s", file, stderr.Bytes())
		}
		return stdout.Bytes()
	}
	conf, hcl := dump("examples/httpd.conf"), dump("examples/httpd.hcl")
	if !bytes.Equal(conf, hcl) {
		t.Fatalf("the examples dump differently:\n--- httpd.conf\n%s--- httpd.hcl\n%s", conf, hcl)
	}
	for _, want := range []string{"LoadModule mpm_event_module " + root + "/modules/mod_mpm_event.so\n", "\nListen 127.0.0.1:8080\n", "\nThreadsPerChild 25\n"} {
		if !bytes.Contains(conf, []byte(want)) {
			t.Errorf("dump lacks %q:\n%s", want, conf)
		}
	}
}
