package nss

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// withConf is a Resolver over the system's passwd and group files with
// the nsswitch.conf text conf.
func withConf(t *testing.T, conf string) *Resolver {
	t.Helper()
	r := &Resolver{NSSwitch: filepath.Join(t.TempDir(), "nsswitch.conf")}
	if err := os.WriteFile(r.NSSwitch, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return r
}

// systemUsers are the users of /etc/passwd.
func systemUsers(t *testing.T) []User {
	t.Helper()
	var users []User
	err := scanFile("/etc/passwd", false, func(line string) bool {
		if u, ok := parsePasswd(line); ok {
			users = append(users, u)
		}
		return false
	})
	if err != nil {
		t.Fatal(err)
	}
	return users
}

// Through getent (nsswitch.conf names only ldap here, so every lookup
// goes to glibc, which reads the system's nsswitch.conf) and from the
// files, the system's users and groups are the same, supplementary groups
// included.
func TestGetentAgreesWithFiles(t *testing.T) {
	if (&Resolver{}).plan("passwd") == viaGetent || (&Resolver{}).plan("group") == viaGetent {
		t.Skip("this system's nsswitch.conf does not put files first: getent may rightly differ from them")
	}
	files := withConf(t, "passwd: files\ngroup: files\n")
	getent := withConf(t, "passwd: ldap\ngroup: ldap\n")
	for _, name := range []string{"root", "www-data", "nobody"} {
		f, err := files.LookupUser(name)
		if err != nil {
			t.Fatalf("files: %s: %v", name, err)
		}
		g, err := getent.LookupUser(name)
		if err != nil || g.Name != f.Name || g.Uid != f.Uid || g.Gid != f.Gid || !f.fromFiles || g.fromFiles {
			t.Errorf("user %s: getent %+v, %v; files %+v", name, g, err, f)
		}
		if g, err := getent.LookupUserID(f.Uid); err != nil || g.Name != name {
			t.Errorf("uid %d: getent %+v, %v; want %s", f.Uid, g, err, name)
		}
		fg, err := files.LookupGroupID(f.Gid)
		if err != nil {
			t.Fatalf("files: gid %d: %v", f.Gid, err)
		}
		if gg, err := getent.LookupGroupID(f.Gid); err != nil || gg != fg {
			t.Errorf("gid %d: getent %+v, %v; files %+v", f.Gid, gg, err, fg)
		}
		if gg, err := getent.LookupGroup(fg.Name); err != nil || gg != fg {
			t.Errorf("group %s: getent %+v, %v; files %+v", fg.Name, gg, err, fg)
		}
	}
	members := 0
	for _, u := range systemUsers(t) {
		fu, err := files.LookupUser(u.Name)
		if err != nil {
			t.Fatal(err)
		}
		want, err := files.Groups(fu, u.Gid)
		if err != nil {
			t.Fatal(err)
		}
		got, err := getent.Groups(User{Name: u.Name, Uid: u.Uid, Gid: u.Gid}, u.Gid)
		slices.Sort(got[1:])
		slices.Sort(want[1:])
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("groups of %s: getent %v, %v; /etc/group %v", u.Name, got, err, want)
		}
		if len(want) > 1 {
			members++
		}
	}
	t.Logf("%d users of /etc/passwd have supplementary groups", members)
	for _, r := range []*Resolver{files, getent} {
		if u, err := r.LookupUser("no-such-user-httpd-mpm"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown user: %+v, %v", u, err)
		}
		if g, err := r.LookupGroup("no-such-group-httpd-mpm"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown group: %+v, %v", g, err)
		}
	}
	// getent takes "0" for uid 0: that is root, not a user named "0".
	if u, err := getent.LookupUser("0"); !errors.Is(err, ErrNotFound) {
		t.Errorf(`user "0" through getent: %+v, %v`, u, err)
	}
}

// "files systemd" (Debian's default): what the file lacks, getent (glibc
// with the system's nsswitch.conf) finds; "files" alone does not look
// further.
func TestFilesThenGetent(t *testing.T) {
	www, err := withConf(t, "passwd: files\n").LookupUser("www-data")
	if err != nil {
		t.Skip("no www-data user here")
	}
	r := fixture(t, "passwd: files systemd\ngroup: files systemd\n") // fixture: no www-data
	u, err := r.LookupUser("www-data")
	if err != nil || u.Uid != www.Uid || u.Gid != www.Gid || u.fromFiles {
		t.Errorf("www-data past the files: %+v, %v; want %+v through getent", u, err, www)
	}
	if u, err := r.LookupUser("root"); err != nil || u.Uid != 0 || !u.fromFiles {
		t.Errorf("root from the fixture: %+v, %v", u, err)
	}
	if g, err := r.LookupGroupID(www.Gid); err != nil || g.Gid != www.Gid || g.Name == "" {
		t.Errorf("gid %d past the files: %+v, %v", www.Gid, g, err)
	}
	r = fixture(t, "passwd: files\ngroup: files\n")
	if u, err := r.LookupUser("www-data"); !errors.Is(err, ErrNotFound) {
		t.Errorf("www-data with files alone: %+v, %v; want not found", u, err)
	}
	if g, err := r.LookupGroupID(www.Gid); !errors.Is(err, ErrNotFound) {
		t.Errorf("gid %d with files alone: %+v, %v; want not found", www.Gid, g, err)
	}
}

// With "group: files systemd", /etc/group has a files user's groups unless
// systemd's userdb may add memberships; a user getent found gets its
// groups from getent. A getent that does not exist shows which way a
// lookup went.
func TestGroupsUserDB(t *testing.T) {
	r := fixture(t, "passwd: files\ngroup: files systemd\n")
	r.Getent = filepath.Join(t.TempDir(), "no-getent")
	a, err := r.LookupUser("a")
	if err != nil {
		t.Fatal(err)
	}
	userdb := t.TempDir()
	r.UserDB = []string{filepath.Join(t.TempDir(), "absent"), userdb}
	if got, err := r.Groups(a, 1); err != nil || !slices.Equal(got, []uint32{1, 7001, 7005, 7006, 7008, 7100, 7301, 7400, 7401}) {
		t.Errorf("no userdb records: %v, %v; want /etc/group's", got, err)
	}
	if err := os.WriteFile(filepath.Join(userdb, "io.systemd.Home"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Groups(a, 1); err != nil {
		t.Errorf("with systemd's own service: %v; want /etc/group's", err)
	}
	if err := os.WriteFile(filepath.Join(userdb, "a:g9.membership"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Groups(a, 1); err == nil || !strings.Contains(err.Error(), "getent initgroups a") {
		t.Errorf("with a membership drop-in: %v; want getent's failure", err)
	}
	r.UserDB = []string{}
	if _, err := r.Groups(User{Name: "a"}, 1); err == nil || !strings.Contains(err.Error(), "getent initgroups a") {
		t.Errorf("user not from the files: %v; want getent's failure", err)
	}
}

// A getent that fails (not with "not found") is an error that says which
// lookup failed, not an unknown user.
func TestGetentFails(t *testing.T) {
	r := withConf(t, "passwd: sss\ngroup: sss\n")
	r.Getent = "/bin/false"
	_, err := r.LookupUser("www-data")
	if err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "getent passwd www-data: exit status 1") {
		t.Errorf("getent exits 1: %v", err)
	}
	r.Getent = filepath.Join(t.TempDir(), "no-getent")
	_, err = r.LookupGroupID(33)
	if err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "getent group 33") {
		t.Errorf("no getent: %v", err)
	}
	_, err = r.Groups(User{Name: "www-data"}, 33)
	if err == nil || !strings.Contains(err.Error(), "getent initgroups www-data") {
		t.Errorf("no getent for groups: %v", err)
	}
}
