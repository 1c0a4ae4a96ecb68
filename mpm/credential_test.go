package mpm

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The credential the host resolved is the one children get: the plugin
// does not look User and Group up again.
func TestCoreChildCredential(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("a credential applies to root only")
	}
	host := &Credential{Uid: 4242, Gid: 4343, Groups: []uint32{4343, 4444}}
	got, err := Core{User: "no-such-user-httpd-mpm", Credential: host}.ChildCredential()
	if err != nil || got != host {
		t.Errorf("with the host's credential: %+v, %v; want %+v", got, err, host)
	}
	if _, err := (Core{User: "no-such-user-httpd-mpm"}).ChildCredential(); err == nil {
		t.Error("without the host's credential, an unknown User resolved")
	}
	got, err = Core{User: "#0", Group: "#4343"}.ChildCredential()
	if err != nil || got == nil || got.Uid != 0 || got.Gid != 4343 {
		t.Errorf("#uid/#gid resolved here: %+v, %v", got, err)
	}
	// A uid of no user: Apache's children die with AH02155 (getpwuid),
	// rather than run in the parent's group (root's, here).
	if _, err := ChildCredential("#4242", ""); err == nil || !strings.HasPrefix(err.Error(), "AH02155: getpwuid: couldn't determine user name from uid 4242,") {
		t.Errorf("#uid of no user: %v", err)
	}
}

// Apache's messages for unknown names, without the AH prefix unixd adds.
func TestLookupUnknown(t *testing.T) {
	if _, err := LookupUser("no-such-user-httpd-mpm"); err == nil || err.Error() != "bad user name no-such-user-httpd-mpm" {
		t.Errorf("unknown user: %v", err)
	}
	if _, err := LookupGroup("no-such-group-httpd-mpm"); err == nil || err.Error() != "bad group name no-such-group-httpd-mpm" {
		t.Errorf("unknown group: %v", err)
	}
	if uid, err := LookupUser("root"); err != nil || uid != 0 {
		t.Errorf("root: %d, %v", uid, err)
	}
	if gid, err := LookupGroup("#-1"); err != nil || gid != 1<<32-1 {
		t.Errorf("#-1: %d, %v", gid, err)
	}
}

// Every user of this system, as User without Group, gets what glibc
// gives it: `id -u`, `id -g` and `id -G` (getgrouplist with the user's
// primary group). "#uid" takes the groups of the uid's user, as Apache's
// children do (getpwuid, initgroups).
func TestChildCredentialGroups(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("a credential applies to root only")
	}
	b, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	id := func(flag, name string) []uint32 {
		out, err := exec.Command("id", flag, "--", name).Output()
		if err != nil {
			t.Fatalf("id %s %s: %v", flag, name, err)
		}
		var ids []uint32
		for f := range strings.FieldsSeq(string(out)) {
			n, err := strconv.ParseUint(f, 10, 32)
			if err != nil {
				t.Fatalf("id %s %s: %q", flag, name, out)
			}
			ids = append(ids, uint32(n))
		}
		slices.Sort(ids)
		return ids
	}
	n, members := 0, 0
	for line := range strings.Lines(string(b)) {
		name, _, _ := strings.Cut(line, ":")
		if name == "" || strings.HasPrefix(name, "#") {
			continue
		}
		for _, user := range []string{name, "#" + strconv.FormatUint(uint64(id("-u", name)[0]), 10)} {
			c, err := ChildCredential(user, "")
			if err != nil {
				t.Errorf("%s: %v", user, err)
				continue
			}
			groups := slices.Sorted(slices.Values(c.Groups))
			if want := id("-G", name); c.Uid != id("-u", name)[0] || c.Gid != id("-g", name)[0] || c.Groups[0] != c.Gid || !slices.Equal(groups, want) {
				t.Errorf("%s: %+v; id says uid %v gid %v groups %v", user, c, id("-u", name), id("-g", name), want)
			}
		}
		n++
		if len(id("-G", name)) > 1 {
			members++
		}
	}
	t.Logf("%d users, %d with supplementary groups", n, members)
	if n == 0 {
		t.Fatal("no users in /etc/passwd")
	}
}
