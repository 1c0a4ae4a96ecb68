package trust

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// accounts writes a passwd and a group file: root's primary group is 5001
// (a private group), bob's is 100; group 5000 lists bob.
func accounts(t *testing.T) owners {
	t.Helper()
	dir := t.TempDir()
	passwd := filepath.Join(dir, "passwd")
	group := filepath.Join(dir, "group")
	write(t, passwd, "root:x:0:5001::/root:/bin/sh\nbob:x:1000:100::/home/bob:/bin/sh\n", 0o644)
	write(t, group, "# comment\nrootpriv:x:5001:\nshared:x:5000:bob\nusers:x:100:\n", 0o644)
	return owners{euid: 0, passwd: passwd, group: group}
}

func write(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func TestTrusted(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give files other owners and groups")
	}
	tests := []struct {
		name     string
		mode     os.FileMode
		uid, gid int
		dirMode  os.FileMode // of the plugin's directory; 0 = 0755
		want     string      // substring of the error; "" = trusted
	}{
		{name: "root 0755", mode: 0o755, uid: 0, gid: 0},
		{name: "other owner", mode: 0o755, uid: 1000, gid: 100, want: "is owned by "},
		{name: "world-writable", mode: 0o757, uid: 0, gid: 0, want: "is writable by other users (mode 0757)"},
		{name: "group-writable by root's group", mode: 0o775, uid: 0, gid: 0},
		{name: "group-writable by the owner's private group", mode: 0o775, uid: 0, gid: 5001},
		{name: "group-writable by a shared group", mode: 0o775, uid: 0, gid: 5000, want: "which has other members than its owner (mode 0775)"},
		{name: "group-writable by bob's primary group", mode: 0o775, uid: 0, gid: 100, want: "which has other members than its owner"},
		{name: "world-writable directory", mode: 0o755, uid: 0, gid: 0, dirMode: 0o777, want: "dir is writable by other users (mode 0777)"},
		{name: "sticky world-writable directory", mode: 0o755, uid: 0, gid: 0, dirMode: 0o777 | os.ModeSticky},
	}
	o := accounts(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "dir")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "mod_mpm_x.so")
			write(t, file, "#!/bin/true\n", tt.mode)
			if err := os.Chown(file, tt.uid, tt.gid); err != nil {
				t.Fatal(err)
			}
			if tt.dirMode != 0 {
				if err := os.Chmod(dir, tt.dirMode); err != nil {
					t.Fatal(err)
				}
			}
			real, err := o.trusted(file)
			if tt.want == "" {
				if err != nil || real != file {
					t.Fatalf("trusted = %q, %v; want %q, nil", real, err, file)
				}
				return
			}
			var te *TrustError
			if !errors.As(err, &te) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("trusted: %v; want a TrustError containing %q", err, tt.want)
			}
		})
	}
}

// TestTrustedFollowsSymlinks checks the real file, and returns it for
// exec: a link in a directory anyone can write does not matter, the file
// it points to does.
func TestTrustedFollowsSymlinks(t *testing.T) {
	o := owners{euid: uint32(os.Geteuid())}
	dir := t.TempDir()
	real := filepath.Join(dir, "real.so")
	write(t, real, "x", 0o755)
	link := filepath.Join(dir, "link.so")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	got, err := o.trusted(link)
	if err != nil || got != real {
		t.Fatalf("trusted(link) = %q, %v; want %q", got, err, real)
	}
	if err := os.Chmod(real, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := o.trusted(link); err == nil || !strings.Contains(err.Error(), real+" is writable by other users") {
		t.Fatalf("trusted(link to a world-writable file) = %v", err)
	}
}
