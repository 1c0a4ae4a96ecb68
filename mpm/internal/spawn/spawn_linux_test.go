package spawn_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/internal/capability"
	"github.com/httpd-mpm/httpd-mpm/internal/trust"
	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/internal/prestart"
	"github.com/httpd-mpm/httpd-mpm/mpm/internal/spawn"
)

// TestParseCredential: what the host writes in wire.EarlyChildEnv (an
// mpm.Credential in JSON) reads as encoding/json reads it; anything else
// is refused, for Serve to decode.
func TestParseCredential(t *testing.T) {
	for _, c := range []*mpm.Credential{nil, {}, {Uid: 33, Gid: 33, Groups: []uint32{}}, {Uid: 33, Gid: 34, Groups: []uint32{33, 44, 100000}}, {Uid: 4294967295, Gid: 1, Groups: []uint32{0}}} {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var want *syscall.Credential
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		got, ok := spawn.ParseCredential(string(b))
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v, %v; want %+v", b, got, ok, want)
		}
	}
	for _, bad := range []string{"", "{}", `{"Uid":1}`, `{"Uid":1,"Gid":2,"Groups":[1,]}`, `{"Uid":01,"Gid":2,"Groups":null}`,
		`{"Uid":1,"Gid":2,"Groups":null,"NoSetGroups":false}`, `{"Uid": 1,"Gid":2,"Groups":null}`, `{"Uid":4294967296,"Gid":2,"Groups":null}`,
		`{"Uid":1,"Gid":2,"Groups":[1 2]}`, `{"Uid":1,"Gid":2,"Groups":null} `, `{"Uid":-1,"Gid":2,"Groups":null}`} {
		if c, ok := spawn.ParseCredential(bad); ok {
			t.Errorf("%q read as %+v", bad, c)
		}
	}
}

// TestParentCapabilities: what First requires a plugin to hold at most is
// what capability.LimitThread leaves it.
func TestParentCapabilities(t *testing.T) {
	if m := capability.Mask(capability.Parent); m != spawn.ParentCapabilities {
		t.Fatalf("spawn keeps %#x, capability.Parent is %#x", spawn.ParentCapabilities, m)
	}
}

// TestCapabilitiesKept: First starts nothing in a plugin that holds a
// capability beyond an MPM parent's (Serve then limits them and executes
// the plugin again, which would orphan a child started before): what
// capabilitiesKept says of this process is what its CapPrm says.
func TestCapabilitiesKept(t *testing.T) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	var prm uint64
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "CapPrm:"); ok {
			if prm, err = strconv.ParseUint(strings.TrimSpace(v), 16, 64); err != nil {
				t.Fatal(err)
			}
		}
	}
	if want := prm&^spawn.ParentCapabilities == 0; spawn.CapabilitiesKept() != want {
		t.Fatalf("capabilitiesKept = %v with CapPrm %#x, want %v", !want, prm, want)
	}
}

// TestPlainlyTrusted: a child program beside the plugin file that no one
// but root or this user can change, with the plugin file's owner and group
// and at least its execute permissions, may start before Serve checks it;
// every such one passes trust.Trusted and prestart.Check, and a looser one
// does not start. The cases that change owners need root (CI runs as
// root).
func TestPlainlyTrusted(t *testing.T) {
	type files struct{ top, dir, child, self string } // top: a directory above dir
	chown := func(uid, gid int, paths ...string) error {
		for _, p := range paths {
			if err := os.Chown(p, uid, gid); err != nil {
				return err
			}
		}
		return nil
	}
	type trustCase struct {
		name  string
		setup func(f files) error
		ok    bool
	}
	cases := []trustCase{
		{"plain", func(f files) error { return nil }, true},
		{"writable by others", func(f files) error { return os.Chmod(f.child, 0o757) }, false},
		{"directory writable by others", func(f files) error { return os.Chmod(f.dir, 0o777) }, false},
		{"directory above writable by others", func(f files) error { return os.Chmod(f.top, 0o777) }, false},
		{"sticky directory writable by others", func(f files) error { return os.Chmod(f.dir, os.ModeSticky|0o777) }, true},
		{"fewer execute permissions", func(f files) error { return os.Chmod(f.child, 0o700) }, false},
		{"a symbolic link", func(f files) error {
			real := filepath.Join(f.dir, "real.child")
			if err := os.Rename(f.child, real); err != nil {
				return err
			}
			return os.Symlink(real, f.child)
		}, false},
		{"missing", func(f files) error { return os.Remove(f.child) }, false},
	}
	if os.Geteuid() == 0 {
		cases = append(cases,
			trustCase{"another group than the plugin's", func(f files) error { return chown(-1, 33, f.child) }, false},
			trustCase{"both owned by another user", func(f files) error { return chown(33, 33, f.child, f.self) }, false},
			trustCase{"writable by a group not root's", func(f files) error {
				if err := chown(0, 33, f.child, f.self); err != nil {
					return err
				}
				return os.Chmod(f.child, 0o775)
			}, false},
			trustCase{"writable by root's group", func(f files) error {
				if err := chown(0, 0, f.child, f.self); err != nil {
					return err
				}
				return os.Chmod(f.child, 0o775)
			}, true},
		)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			top := filepath.Join(t.TempDir(), "top")
			dir := filepath.Join(top, "modules")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			f := files{top: top, dir: dir, self: filepath.Join(dir, "mod_mpm_x.so"), child: filepath.Join(dir, "mod_mpm_x.child")}
			for _, p := range []string{f.self, f.child} {
				if err := os.WriteFile(p, []byte("#!/bin/true\n"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(p, 0o755); err != nil { // whatever the umask
					t.Fatal(err)
				}
			}
			if err := tc.setup(f); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(top, 0o755); os.Chmod(dir, 0o755) })
			if got := spawn.PlainlyTrusted(f.child, f.self); got != tc.ok {
				t.Fatalf("plainlyTrusted = %v, want %v", got, tc.ok)
			}
			if !tc.ok {
				return
			}
			if _, err := trust.Trusted(f.child, "a child program"); err != nil {
				t.Errorf("trust.Trusted refuses what plainlyTrusted accepts: %v", err)
			}
			if _, err := prestart.Check(f.child, f.self); err != nil {
				t.Errorf("prestart.Check refuses what plainlyTrusted accepts: %v", err)
			}
		})
	}
}
