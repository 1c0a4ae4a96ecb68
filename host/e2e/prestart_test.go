package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/internal/testserver"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// The plugin's first child starts from its init (package mpm/internal/prestart),
// before the plugin's heavy packages are initialised: the plugin says so in
// an info line of the error log, naming the child.
var prestartedLine = regexp.MustCompile(`\[mpm_prefork:info\] \[pid (\d+)\] child (\d+), started before the plugin's packages were initialised, is its first early child`)

// prestarted waits for the error log line of the child started ahead of the
// plugin's initialisation and returns the plugin's and the child's pids (0, 0
// without one).
func prestarted(errorLog func() string) (plugin, child int) {
	var m []string
	testbin.Eventually(10*time.Second, func() bool { m = prestartedLine.FindStringSubmatch(errorLog()); return m != nil })
	if m == nil {
		return 0, 0
	}
	plugin, _ = strconv.Atoi(m[1])
	child, _ = strconv.Atoi(m[2])
	return plugin, child
}

// prestartSite is a prefork site on a copy of the built prefork plugin in
// ROOT/modules, beside child (its child program, nil for none) of mode
// childMode, with one child, so that what is served is served by it.
func prestartSite(t *testing.T, module string, child []byte, childMode os.FileMode) (root, childPath string) {
	t.Helper()
	_, modules := build(t)
	plugin, err := os.ReadFile(filepath.Join(modules, "mod_mpm_prefork.so"))
	must(t, err)
	root = newSite(t, "prefork", module, "StartServers 1\nMinSpareServers 1\nMaxSpareServers 1\nMaxRequestWorkers 1\n")
	dir := filepath.Join(root, "modules")
	must(t, os.Mkdir(dir, 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "mod_mpm_prefork.so"), plugin, 0o755))
	childPath = filepath.Join(dir, wire.ChildProgram("prefork"))
	if child != nil {
		must(t, os.WriteFile(childPath, child, childMode))
		must(t, os.Chmod(childPath, childMode))
	}
	conf := filepath.Join(root, "httpd.conf")
	write(t, conf, regexp.MustCompile(`(?m)^LoadModule .*$`).ReplaceAllLiteralString(readFile(t, conf), "LoadModule "+module+" modules/mod_mpm_prefork.so"))
	return root, childPath
}

// TestPrestartedChildServes: the prefork plugin's first child is the one its
// init started from mod_mpm_prefork.child, before the plugin's packages were
// initialised, and it serves.
func TestPrestartedChildServes(t *testing.T) {
	_, modules := build(t)
	child, err := os.ReadFile(filepath.Join(modules, wire.ChildProgram("prefork")))
	must(t, err)
	root, childPath := prestartSite(t, "mpm_prefork_module", child, 0o755)
	in := start(t, root)
	if resp, body := in.get("/hello.txt"); resp.StatusCode != 200 || body != "hello, world\n" {
		t.Fatalf("GET /hello.txt = %d %q", resp.StatusCode, body)
	}
	plugin, pre := prestarted(in.srv.ErrorLog)
	if pre == 0 {
		t.Fatalf("no child started ahead of the plugin's initialisation:\n%s", in.srv.ErrorLog())
	}
	if plugin != in.pluginPid() {
		t.Errorf("the line is of process %d, want the plugin %d", plugin, in.pluginPid())
	}
	kids := executedChildren(plugin, 1)
	if len(kids) != 1 || kids[0] != pre {
		t.Fatalf("the plugin's children are %v, want the prestarted %d alone (MaxRequestWorkers 1)", kids, pre)
	}
	if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pre)); exe != childPath {
		t.Errorf("the prestarted child runs %q, want %s", exe, childPath)
	}
}

// TestPrestartedChildOfAnotherBuild: a child program of another build (a
// script) is started ahead of the plugin's initialisation, as the plugin
// cannot read its build before its packages are; the plugin then finds the
// builds differ and ends it without a spec (it reads nothing on its socket
// before the end), and its children run the plugin's own file.
func TestPrestartedChildOfAnotherBuild(t *testing.T) {
	dir := t.TempDir()
	ran, got := filepath.Join(dir, "ran"), filepath.Join(dir, "got")
	script := fmt.Sprintf("#!/bin/sh\necho $$ > %s\ncat <&4 > %s.part\nmv %s.part %s\n", ran, got, got, got)
	root, _ := prestartSite(t, "mpm_prefork_module", []byte(script), 0o755)
	in := start(t, root)
	if resp, _ := in.get("/hello.txt"); resp.StatusCode != 200 {
		t.Fatalf("GET /hello.txt = %d", resp.StatusCode)
	}
	_, pre := prestarted(in.srv.ErrorLog)
	if pre == 0 {
		t.Fatalf("no child started ahead of the plugin's initialisation:\n%s", in.srv.ErrorLog())
	}
	var spec string
	if !eventually(10*time.Second, func() bool { b, err := os.ReadFile(got); spec = string(b); return err == nil }) {
		t.Fatalf("the script's socket was not closed")
	}
	if spec != "" {
		t.Errorf("the child program of another build got %d bytes of spec", len(spec))
	}
	if b, _ := os.ReadFile(ran); strings.TrimSpace(string(b)) != strconv.Itoa(pre) {
		t.Errorf("the script ran as %q, want the prestarted child %d", strings.TrimSpace(string(b)), pre)
	}
	if !eventually(10*time.Second, func() bool { return ppid(pre) < 0 }) {
		t.Errorf("the prestarted child %d of another build is still there (parent %d)", pre, ppid(pre))
	}
	for _, kid := range executedChildren(in.pluginPid(), 1) {
		if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", kid)); filepath.Base(exe) != "mod_mpm_prefork.so" {
			t.Errorf("child %d runs %q, want the plugin's file", kid, exe)
		}
	}
	if want := "children run mod_mpm_prefork.so, not the child program: "; !strings.Contains(in.srv.ErrorLog(), want) {
		t.Errorf("no warning %q in the error log:\n%s", want, in.srv.ErrorLog())
	}
}

// TestPrestartNeverRunsUntrusted: a child program others may write is never
// executed, not even ahead of the plugin's initialisation, and the plugin
// warns why its children run its own file.
func TestPrestartNeverRunsUntrusted(t *testing.T) {
	ran := filepath.Join(t.TempDir(), "ran")
	root, _ := prestartSite(t, "mpm_prefork_module", []byte("#!/bin/sh\necho $$ > "+ran+"\n"), 0o777)
	in := start(t, root)
	if resp, _ := in.get("/hello.txt"); resp.StatusCode != 200 {
		t.Fatalf("GET /hello.txt = %d", resp.StatusCode)
	}
	if _, err := os.Stat(ran); err == nil {
		t.Errorf("the untrusted child program was executed")
	}
	if want := regexp.MustCompile("children run mod_mpm_prefork.so, not the child program: .* is writable by other users"); !want.MatchString(in.srv.ErrorLog()) {
		t.Errorf("no warning matching %q in the error log:\n%s", want, in.srv.ErrorLog())
	}
}

// TestPrestartedChildConfigRefused: when the host refuses the configuration
// after the plugin started (a LoadModule name that is not the plugin's
// module), the child started ahead of the plugin's initialisation ends with
// it: httpd exits 1 and leaves no such child behind.
func TestPrestartedChildConfigRefused(t *testing.T) {
	httpd, modules := build(t)
	child, err := os.ReadFile(filepath.Join(modules, wire.ChildProgram("prefork")))
	must(t, err)
	root, _ := prestartSite(t, "mpm_worker_module", child, 0o755)
	cmd := testserver.Command(httpd, root)
	var stderr testbin.SyncBuffer
	cmd.Stderr = &stderr
	srv := exitsWith1(t, cmd, root)
	if want := "Can't locate API module structure `mpm_worker_module'"; !strings.Contains(stderr.String()+srv.ErrorLog(), want) {
		t.Errorf("no %q in the output:\n%s%s", want, stderr.String(), srv.ErrorLog())
	}
	_, pre := prestarted(srv.ErrorLog)
	if pre == 0 {
		t.Fatalf("no child started ahead of the plugin's initialisation:\n%s", srv.ErrorLog())
	}
	if !eventually(10*time.Second, func() bool { return ppid(pre) < 0 }) {
		t.Errorf("the prestarted child %d is still there (parent %d) after httpd exited", pre, ppid(pre))
	}
}
