package nss

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixture is a Resolver over testdata/passwd and testdata/group with the
// nsswitch.conf text conf (none: the file is missing).
func fixture(t *testing.T, conf string) *Resolver {
	t.Helper()
	r := &Resolver{NSSwitch: filepath.Join(t.TempDir(), "nsswitch.conf"), Passwd: "testdata/passwd", Group: "testdata/group", UserDB: []string{}}
	if conf != "" {
		if err := os.WriteFile(r.NSSwitch, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func TestPlan(t *testing.T) {
	for _, c := range []struct {
		conf          string
		passwd, group plan
		initgroups    []string // nil: only glibc can tell
	}{
		{"", filesOnly, filesOnly, []string{"files"}}, // no nsswitch.conf: glibc's default
		{"passwd: files\ngroup: files systemd\n", filesOnly, filesThenGetent, []string{"files", "systemd"}},
		{"passwd:files\n#group: ldap\n  # initgroups: ldap\n", filesOnly, filesOnly, []string{"files"}},
		{"passwd: files # systemd\n", viaGetent, filesOnly, []string{"files"}},
		{"passwd: files ldap\ngroup: ldap files\n", filesThenGetent, viaGetent, []string{"ldap", "files"}},
		{"passwd: files [NOTFOUND=return] ldap\ngroup: files [SUCCESS=merge] sss\n", viaGetent, viaGetent, []string{"files", "[SUCCESS=merge]", "sss"}},
		{"passwd: compat\ngroup: files\ninitgroups: files sss\n", viaGetent, filesOnly, []string{"files", "sss"}},
		{"passwd: files\npasswd: ldap\ngroup: files\ngroup: files\n", viaGetent, viaGetent, nil},
		{"PASSWD: ldap\npasswd: files\ngroup:\n", viaGetent, viaGetent, []string{}},
		{"PASSWD: files\n", viaGetent, filesOnly, []string{"files"}},
		{"hosts: files dns\n", filesOnly, filesOnly, []string{"files"}},
		{"passwd: Files\ngroup: files\ninitgroups: files\ninitgroups: files\n", viaGetent, filesOnly, nil},
		// glibc names a database up to ':' or a blank: "passwd ldap" is
		// passwd's line; unclear across versions, so glibc decides.
		{"passwd ldap\ngroup\tfiles\n", viaGetent, viaGetent, nil},
		{"  group:files\n", filesOnly, filesOnly, []string{"files"}},
	} {
		r := fixture(t, c.conf)
		if p := r.plan("passwd"); p != c.passwd {
			t.Errorf("%q: passwd %v, want %v", c.conf, p, c.passwd)
		}
		if p := r.plan("group"); p != c.group {
			t.Errorf("%q: group %v, want %v", c.conf, p, c.group)
		}
		s, ok := r.services("initgroups")
		if ok != (c.initgroups != nil) || !slices.Equal(s, c.initgroups) {
			t.Errorf("%q: initgroups %q %v, want %q", c.conf, s, ok, c.initgroups)
		}
	}
	// An nsswitch.conf that cannot be read: glibc decides.
	r := fixture(t, "")
	r.NSSwitch = t.TempDir()
	if p := r.plan("passwd"); p != viaGetent {
		t.Errorf("unreadable nsswitch.conf: %v", p)
	}
}

// The fixture's lines, looked up as glibc 2.36 answered for them (see
// TestFilesAsGlibc, which asks glibc itself).
func TestFiles(t *testing.T) {
	r := fixture(t, "passwd: files\ngroup: files\n")
	users := map[string]uint32{ // name -> uid; absent: skipped by nss_files
		"root": 0, "spaced": 6001, "short": 6004, "dup": 6008, "trail ": 6010, "plus": 6015,
		"blankid": 6012, "tab": 6017, "oct": 10, "max": 4294967295, "cr": 6014, "1234": 6022,
	}
	for _, name := range []string{"root", "spaced", "  spaced", "comment", "#comment", "indented", " #indented",
		"short", "nogid", "emptyuid", "letters", "dup", "big", "neg", "trail", "trail ", "plus", "blankid",
		"tab", "idtrail", "hex", "oct", "max", "cr", "cr\r", "1234", "nobody", "+plus", "-minus", "+"} {
		u, err := r.LookupUser(name)
		want, ok := users[name]
		switch {
		case ok && (err != nil || u.Uid != want || u.Name != name || !u.fromFiles):
			t.Errorf("user %q: %+v, %v; want uid %d", name, u, err, want)
		case !ok && !errors.Is(err, ErrNotFound):
			t.Errorf("user %q: %+v, %v; want not found", name, u, err)
		}
	}
	if u, err := r.LookupUserID(6009); err != nil || u.Name != "dup" || u.Gid != 6009 {
		t.Errorf("uid 6009: %+v, %v; want the second dup", u, err)
	}
	if u, err := r.LookupUserID(6011); !errors.Is(err, ErrNotFound) {
		t.Errorf("uid 6011 (+plus): %+v, %v; want not found", u, err)
	}
	if u, err := r.LookupUserID(6008); err != nil || u.Name != "dup" || u.Gid != 6008 {
		t.Errorf("uid 6008: %+v, %v; want the first dup", u, err)
	}
	groups := map[string]uint32{"root": 0, "g1": 7001, "g4": 7004, "gsp": 7007, "gp": 7100, "gs": 7102, "gx": 7200, "dupg": 7300}
	for _, name := range []string{"root", "g1", "g4", "gsp", "gc", "#gc", "gp", "gt", "gn", "gm", "gs", "gx", "dupg", "nogroup", "+gplus", "-gminus"} {
		g, err := r.LookupGroup(name)
		want, ok := groups[name]
		switch {
		case ok && (err != nil || g.Gid != want || g.Name != name):
			t.Errorf("group %q: %+v, %v; want gid %d", name, g, err, want)
		case !ok && !errors.Is(err, ErrNotFound):
			t.Errorf("group %q: %+v, %v; want not found", name, g, err)
		}
	}
	if g, err := r.LookupGroupID(7301); err != nil || g.Name != "dupg" {
		t.Errorf("gid 7301: %+v, %v", g, err)
	}
	for name, want := range map[string][]uint32{
		"a":  {1, 7001, 7005, 7006, 7008, 7100, 7301, 7400, 7401},
		"-m": {1, 7401},
		"b":  {1, 7007, 7102, 7201},
		"c":  {1, 7001},
		"e":  {1, 7002},
		"f":  {1, 7003},
		"zz": {1},
	} {
		got, err := r.Groups(User{Name: name}, 1)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("groups of %s: %v, %v; want %v", name, got, err, want)
		}
	}
	// The group initgroups is given comes first, once, even when the
	// user is also a member of it.
	if got, err := r.Groups(User{Name: "a"}, 7005); err != nil || !slices.Equal(got, []uint32{7005, 7001, 7006, 7008, 7100, 7301, 7400, 7401}) {
		t.Errorf("groups of a with 7005: %v, %v", got, err)
	}
}

func TestFilesUnreadable(t *testing.T) {
	r := fixture(t, "passwd: files\ngroup: files\n")
	r.Passwd, r.Group = filepath.Join(t.TempDir(), "none"), filepath.Join(t.TempDir(), "none")
	if _, err := r.LookupUser("root"); err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), r.Passwd) {
		t.Errorf("missing passwd file: %v", err)
	}
	if _, err := r.Groups(User{Name: "root"}, 0); err == nil || !strings.Contains(err.Error(), r.Group) {
		t.Errorf("missing group file: %v", err)
	}
}

func TestParseInitgroups(t *testing.T) {
	for _, c := range []struct {
		line, name string
		want       []uint32
		ok         bool
	}{
		{"root                 ", "root", nil, true},
		{"postgres              103 4000000000", "postgres", []uint32{103, 4000000000}, true},
		{"a-very-long-user-name-here 5", "a-very-long-user-name-here", []uint32{5}, true},
		{"rootx 5", "root", nil, false},
		{"other 5", "root", nil, false},
		{"root 5 x", "root", nil, false},
		{"root -1", "root", nil, false},
	} {
		got, err := parseInitgroups(c.line, c.name)
		if (err == nil) != c.ok || !slices.Equal(got, c.want) {
			t.Errorf("%q: %v, %v; want %v (ok %v)", c.line, got, err, c.want, c.ok)
		}
	}
}

func TestNumeric(t *testing.T) {
	for key, want := range map[string]bool{"0": true, "123": true, " 12": true, "+5": true, "-1": true,
		"": false, "+": false, "a1": false, "1a": false, "www-data": false} {
		if numeric(key) != want {
			t.Errorf("numeric(%q) = %v", key, !want)
		}
	}
}
