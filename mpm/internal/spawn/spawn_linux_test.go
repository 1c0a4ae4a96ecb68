package spawn_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
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

// TestPlainlyTrusted: a child program beside the plugin file that no one
// but root or this user can change, with the plugin file's owner and at
// least its execute permissions, may start before Serve checks it; every
// such one passes trust.Trusted and prestart.Check, and a looser one does
// not start.
func TestPlainlyTrusted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(dir, child, self string) error
		ok    bool
	}{
		{"plain", func(dir, child, self string) error { return nil }, true},
		{"writable by others", func(dir, child, self string) error { return os.Chmod(child, 0o757) }, false},
		{"writable by its group", func(dir, child, self string) error {
			if err := os.Chown(child, -1, 33); err != nil {
				return err
			}
			return os.Chmod(child, 0o775)
		}, false},
		{"directory writable by others", func(dir, child, self string) error { return os.Chmod(dir, 0o777) }, false},
		{"sticky directory writable by others", func(dir, child, self string) error { return os.Chmod(dir, os.ModeSticky|0o777) }, true},
		{"fewer execute permissions", func(dir, child, self string) error { return os.Chmod(child, 0o700) }, false},
		{"a symbolic link", func(dir, child, self string) error {
			real := filepath.Join(dir, "real.child")
			if err := os.Rename(child, real); err != nil {
				return err
			}
			return os.Symlink(real, child)
		}, false},
		{"another group than the plugin's", func(dir, child, self string) error { return os.Chown(child, -1, 33) }, false},
		{"missing", func(dir, child, self string) error { return os.Remove(child) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "modules")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			self, child := filepath.Join(dir, "mod_mpm_x.so"), filepath.Join(dir, "mod_mpm_x.child")
			for _, f := range []string{self, child} {
				if err := os.WriteFile(f, []byte("#!/bin/true\n"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(f, 0o755); err != nil { // whatever the umask
					t.Fatal(err)
				}
			}
			if err := tc.setup(dir, child, self); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(dir, 0o755) })
			if got := spawn.PlainlyTrusted(child, self); got != tc.ok {
				t.Fatalf("plainlyTrusted = %v, want %v", got, tc.ok)
			}
			if !tc.ok {
				return
			}
			if _, err := trust.Trusted(child, "a child program"); err != nil {
				t.Errorf("trust.Trusted refuses what plainlyTrusted accepts: %v", err)
			}
			if _, err := prestart.Check(child, self); err != nil {
				t.Errorf("prestart.Check refuses what plainlyTrusted accepts: %v", err)
			}
		})
	}
}
