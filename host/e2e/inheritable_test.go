//go:build linux

package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/internal/testserver"
)

// TestParentCapabilitiesInheritable: httpd started as root with
// inheritable capabilities (setpriv --inh-caps +setuid,+setgid,+kill, or
// a service manager's CapabilityInheritable) still serves, under a built-in
// MPM and the example, which is built with cgo (a child whose runtime uses
// cgo cannot change the capabilities of all its threads, so it must have
// nothing left to drop). The MPM parent holds no inheritable capability,
// nor do its children, as User nobody; a piped logger, the host's own
// child, keeps the host's inheritable set as before.
func TestParentCapabilitiesInheritable(t *testing.T) {
	needsRoot(t, "to start httpd as root, with inheritable capabilities")
	const inheritable = 1<<unix.CAP_KILL | 1<<unix.CAP_SETGID | 1<<unix.CAP_SETUID | 1<<unix.CAP_NET_BIND_SERVICE
	for _, m := range []struct{ Name, Module string }{{"event", "mpm_event_module"}, {"percore", testbin.ExampleModule}} {
		t.Run(m.Name, func(t *testing.T) {
			caps := filepath.Join(t.TempDir(), "caps")
			extra := "User nobody\nGroup #65534\n" +
				fmt.Sprintf("CustomLog \"|/bin/sh -c 'grep ^Cap /proc/self/status >%s.tmp && mv %s.tmp %s; exec cat >/dev/null'\" common\n", caps, caps, caps)
			if m.Name == "percore" {
				extra += exampleExtra
			}
			root := newSite(t, m.Name, m.Module, extra)
			reachableByNobody(t, root)
			httpd, _ := build(t)
			in := withInheritable(t, inheritable, func() *instance { return startCmd(t, root, testserver.Command(httpd, root)) })
			if resp, _ := in.get("/hello.txt", "Connection", "close"); resp.StatusCode != 200 {
				t.Fatalf("GET /hello.txt: %d", resp.StatusCode)
			}
			plugin := 0 // the host's child that is not the piped logger
			eventually(10*time.Second, func() bool {
				for _, k := range children(in.cmd.Process.Pid) {
					if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", k)); strings.HasSuffix(exe, ".so") {
						plugin = k
					}
				}
				return plugin != 0
			})
			if plugin == 0 {
				t.Fatal("no MPM plugin process")
			}
			if st := procStatus(plugin); strings.Trim(st["CapInh"], "0") != "" {
				t.Errorf("MPM parent CapInh = %s, want none", st["CapInh"])
			}
			kids := children(plugin)
			if len(kids) == 0 {
				t.Fatal("no child")
			}
			for _, k := range kids {
				droppedToNobody(t, k)
			}
			var logger string
			eventually(10*time.Second, func() bool { b, _ := os.ReadFile(caps); logger = string(b); return logger != "" })
			if want := fmt.Sprintf("CapInh:\t%016x\n", inheritable); !strings.Contains(logger, want) {
				t.Errorf("piped logger's capabilities:\n%s\nwant %q, the host's", logger, want)
			}
		})
	}
}

// withInheritable runs start (which starts httpd) on a thread whose
// inheritable set is inh, which httpd's process inherits; the thread gets
// its own set back after.
func withInheritable(t *testing.T, inh uint64, start func() *instance) *instance {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data, old [2]unix.CapUserData
	must(t, unix.Capget(&hdr, &data[0]))
	old = data
	data[0].Inheritable, data[1].Inheritable = uint32(inh), uint32(inh>>32)
	must(t, unix.Capset(&hdr, &data[0]))
	defer func() {
		if err := unix.Capset(&hdr, &old[0]); err != nil {
			panic(fmt.Sprintf("restore this thread's capabilities: %v", err))
		}
	}()
	return start()
}
