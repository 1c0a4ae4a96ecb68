package main

import (
	"os/exec"
	"strings"
	"testing"
)

const (
	sdkModule = "github.com/httpd-mpm/httpd-mpm"
	sdk       = sdkModule + "/mpm"
)

// TestImportsOnlyTheSDK keeps this MPM honest as a third-party one: every
// package of httpd-mpm it imports, in code or tests, is the public SDK
// (mpm and below), never host/, proto/ or internal/. Those may still be
// built in, because the SDK uses them; what matters is what the MPM
// itself relies on. And the plugin binary links no host code: mpmtest,
// which drives the plugin the way httpd does, stays in the tests.
func TestImportsOnlyTheSDK(t *testing.T) {
	out, err := exec.Command("go", "list", "-f",
		`{{.ImportPath}}:{{join .Imports " "}} {{join .TestImports " "}} {{join .XTestImports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	used := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ":")
		for _, imp := range strings.Fields(imports) {
			if imp != sdkModule && !strings.HasPrefix(imp, sdkModule+"/") {
				continue
			}
			used++
			if imp != sdk && !strings.HasPrefix(imp, sdk+"/") {
				t.Errorf("%s imports %s, which is not the public SDK (%s/...)", pkg, imp, sdk)
			}
		}
	}
	if used == 0 {
		t.Fatalf("found no import of %s at all; is go list reading this module?", sdk)
	}

	out, err = exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, sdkModule+"/host/") {
			t.Errorf("the plugin binary links %s", dep)
		}
	}
}
