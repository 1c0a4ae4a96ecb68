package e2e_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// TestChildProgramFallback: the event plugin runs its children from its
// child program only when that file is there, trusted, and the plugin's
// checksum is not pinned; otherwise from the plugin file itself, and the
// server serves the same either way.
func TestChildProgramFallback(t *testing.T) {
	_, modules := build(t)
	plugin, err := os.ReadFile(filepath.Join(modules, "mod_mpm_event.so"))
	must(t, err)
	child, err := os.ReadFile(filepath.Join(modules, wire.ChildProgram("event")))
	must(t, err)
	sum := sha256.Sum256(plugin)
	for _, tc := range []struct {
		name      string
		childMode os.FileMode // 0: no child program
		pin       bool
		nobody    bool   // User nobody (as root only)
		want      string // the children's executable
		log       string // a line the error log must have
	}{
		{name: "paired", childMode: 0o755, want: wire.ChildProgram("event")},
		{name: "alone", want: "mod_mpm_event.so"},
		// The plugin's own image (/proc/self/exe), executed after the
		// child's switch to User.
		{name: "alone as nobody", nobody: true, want: "mod_mpm_event.so"},
		{name: "paired as nobody", childMode: 0o755, nobody: true, want: wire.ChildProgram("event")},
		{name: "pinned", childMode: 0o755, pin: true, want: "mod_mpm_event.so"},
		{name: "untrusted", childMode: 0o777, want: "mod_mpm_event.so",
			log: "children run mod_mpm_event.so, not the child program: .* is writable by other users"},
		{name: "owner only", childMode: 0o700, want: "mod_mpm_event.so",
			log: "children run mod_mpm_event.so, not the child program: .* lacks execute permission 0011"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			extra := ""
			if tc.nobody {
				if os.Geteuid() != 0 {
					t.Skip("needs root to change user")
				}
				extra = "User nobody\nGroup #65534\n"
			}
			root := newSite(t, "event", "mpm_event_module", extra)
			if tc.nobody {
				reachableByNobody(t, root)
			}
			dir := filepath.Join(root, "modules")
			must(t, os.Mkdir(dir, 0o755))
			must(t, os.WriteFile(filepath.Join(dir, "mod_mpm_event.so"), plugin, 0o755))
			if tc.childMode != 0 {
				path := filepath.Join(dir, wire.ChildProgram("event"))
				must(t, os.WriteFile(path, child, tc.childMode))
				must(t, os.Chmod(path, tc.childMode))
			}
			conf := filepath.Join(root, "httpd.conf")
			load := "LoadModule mpm_event_module modules/mod_mpm_event.so"
			if tc.pin {
				load += "\nLoadModuleChecksum mpm_event_module sha256:" + hex.EncodeToString(sum[:])
			}
			write(t, conf, regexp.MustCompile(`(?m)^LoadModule mpm_event_module .*$`).ReplaceAllLiteralString(readFile(t, conf), load))

			in := start(t, root)
			if resp, body := in.get("/hello.txt"); resp.StatusCode != 200 || body != "hello, world\n" {
				t.Fatalf("GET /hello.txt = %d %q", resp.StatusCode, body)
			}
			plugin := in.pluginPid()
			kids := executedChildren(plugin, 2)
			if len(kids) != 2 {
				t.Fatalf("the plugin has %d children, want StartServers=2", len(kids))
			}
			for _, kid := range kids {
				if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", kid)); filepath.Base(exe) != tc.want || filepath.Dir(exe) != dir {
					t.Errorf("child %d runs %q, want %s in %s", kid, exe, tc.want, dir)
				}
				// Executed as root, a child drops to User in its first package init.
				if uid := procUID(kid); tc.nobody && uid != 65534 && !eventually(10*time.Second, func() bool { uid = procUID(kid); return uid == 65534 }) {
					t.Errorf("child %d runs as uid %d, want nobody (65534)", kid, uid)
				}
				// The host's messages to the plugin are not passed on.
				env, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", kid))
				for _, kv := range strings.Split(string(env), "\x00") {
					if strings.HasPrefix(kv, "PLUGIN_") || strings.HasPrefix(kv, "HTTPD_MPM_PINNED=") || strings.HasPrefix(kv, "HTTPD_MPM_EARLY_CHILD=") {
						t.Errorf("child %d has %s in its environment", kid, kv)
					}
				}
			}
			if tc.log != "" && !regexp.MustCompile(tc.log).MatchString(in.srv.ErrorLog()) {
				t.Errorf("error log has no line matching %q:\n%s", tc.log, in.srv.ErrorLog())
			}
			if tc.log == "" && strings.Contains(in.srv.ErrorLog(), "child program") {
				t.Errorf("error log speaks of the child program:\n%s", in.srv.ErrorLog())
			}
		})
	}
}

// TestLinkedChildProgramFallback: with the event MPM linked into httpd,
// children run httpd's own running image, named httpd, when the child
// program beside it is missing or untrusted (with a warning for the
// latter), in every generation: after httpd's file was replaced too (an
// upgrade), the new generation's children still run the code of the host
// that hands them their spec.
func TestLinkedChildProgramFallback(t *testing.T) {
	built := testbin.Static(t, "event")
	httpdBytes, err := os.ReadFile(built)
	must(t, err)
	child, err := os.ReadFile(filepath.Join(filepath.Dir(built), wire.ChildProgram("event")))
	must(t, err)
	for _, tc := range []struct {
		name      string
		childMode os.FileMode // 0: no child program
		log       string
	}{
		{name: "alone"},
		{name: "untrusted", childMode: 0o777, log: "children run httpd, not the child program: .* is writable by other users"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			must(t, os.Chmod(dir, 0o755))
			httpd := filepath.Join(dir, "httpd")
			must(t, os.WriteFile(httpd, httpdBytes, 0o755))
			if tc.childMode != 0 {
				path := filepath.Join(dir, wire.ChildProgram("event"))
				must(t, os.WriteFile(path, child, tc.childMode))
				must(t, os.Chmod(path, tc.childMode))
			}
			root := newSite(t, "event", "mpm_event_module", "")
			linkedSite(t, root)
			in := startCmd(t, root, exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-D", "FOREGROUND"))
			check := func(when, want string) {
				t.Helper()
				if resp, body := in.get("/hello.txt"); resp.StatusCode != 200 || body != "hello, world\n" {
					t.Fatalf("%s: GET /hello.txt = %d %q", when, resp.StatusCode, body)
				}
				kids := children(in.cmd.Process.Pid)
				if len(kids) == 0 {
					t.Fatalf("%s: the host has no children", when)
				}
				for _, kid := range kids {
					if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", kid)); exe != want {
						t.Errorf("%s: child %d runs %q, want %s", when, kid, exe, want)
					}
					// Renamed from "exe" by its package initialisation: a
					// child that is still starting has not got there yet.
					var comm string
					eventually(10*time.Second, func() bool {
						b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", kid))
						comm = strings.TrimSpace(string(b))
						return err != nil || comm == "httpd"
					})
					if alive(kid) && comm != "httpd" {
						t.Errorf("%s: child %d is named %q, want httpd", when, kid, comm)
					}
				}
			}
			check("at start", httpd)
			// An upgrade: another file takes httpd's name.
			must(t, os.WriteFile(httpd+".new", httpdBytes, 0o755))
			must(t, os.Rename(httpd+".new", httpd))
			first := children(in.cmd.Process.Pid)
			in.signal(syscall.SIGUSR1)
			eventually(20*time.Second, func() bool {
				return !slices.ContainsFunc(children(in.cmd.Process.Pid), func(pid int) bool { return slices.Contains(first, pid) })
			})
			check("after httpd was replaced and a graceful restart", httpd+" (deleted)")
			if tc.log != "" && !regexp.MustCompile(tc.log).MatchString(in.srv.ErrorLog()) {
				t.Errorf("error log has no line matching %q:\n%s", tc.log, in.srv.ErrorLog())
			}
		})
	}
}

// noDropSite is a ServerRoot whose event plugin's child program is
// testdata/nodrop, which never drops to User (nobody) and records a spec it
// gets in got-spec, in dir, the plugin's directory.
func noDropSite(t *testing.T) (root, dir string) {
	t.Helper()
	_, modules := build(t)
	plugin, err := os.ReadFile(filepath.Join(modules, "mod_mpm_event.so"))
	must(t, err)
	child, err := os.ReadFile(testbin.Program(t, "./internal/testbin/testdata/nodrop"))
	must(t, err)
	root = newSite(t, "event", "mpm_event_module", "User nobody\nGroup #65534\n")
	reachableByNobody(t, root)
	dir = filepath.Join(root, "modules")
	must(t, os.Mkdir(dir, 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "mod_mpm_event.so"), plugin, 0o755))
	must(t, os.WriteFile(filepath.Join(dir, wire.ChildProgram("event")), child, 0o755))
	conf := filepath.Join(root, "httpd.conf")
	write(t, conf, regexp.MustCompile(`(?m)^LoadModule mpm_event_module .*$`).ReplaceAllLiteralString(readFile(t, conf),
		"LoadModule mpm_event_module modules/mod_mpm_event.so"))
	return root, dir
}

// noDropRefused waits, for a started noDropSite (root, dir), until its
// child program got its spec or the error log says why the MPM parent
// ended it, and fails t unless the child got nothing and the log says
// why; where (as "under hidepid, ") begins the message of a spec got. It
// returns the path got-spec, which the child writes a spec it gets to.
func noDropRefused(t *testing.T, root, dir, where string) (got string) {
	t.Helper()
	got = filepath.Join(dir, "got-spec")
	logged := eventually(20*time.Second, func() bool {
		_, err := os.Stat(got)
		return err == nil || strings.Contains(errorLog(t, root), "not as the children's user 65534:65534")
	})
	if b, err := os.ReadFile(got); err == nil {
		t.Fatalf("%sthe child program that did not drop to User got its spec: %s", where, b)
	}
	if !logged {
		t.Fatalf("no line says why the child was ended:\n%s", errorLog(t, root))
	}
	return got
}

// TestChildProgramNoDrop: a child program that does not drop to User
// (nodrop, internal/testbin/testdata: built from this checkout, so it passes
// the build check, but without the SDK, whose init drops) is never handed
// the spec and descriptors while it runs as root: the MPM parent ends it
// and logs why.
func TestChildProgramNoDrop(t *testing.T) {
	needsRoot(t, "to change user")
	root, dir := noDropSite(t)
	in := start(t, root)
	got := noDropRefused(t, root, dir, "")
	in.signal(syscall.SIGTERM)
	in.wait()
	if b, err := os.ReadFile(got); err == nil {
		t.Errorf("the child program that did not drop to User got its spec: %s", b)
	}
}
