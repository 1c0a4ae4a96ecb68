// Package nss looks up users and groups as glibc's Name Service Switch
// does, in a program built without cgo: where /etc/nsswitch.conf lets
// the files decide, it reads /etc/passwd and /etc/group itself, and
// otherwise it asks glibc through getent(1).
//
// The rule, per database (passwd; group; initgroups, which is group's
// line when it has none of its own; a database nsswitch.conf does not
// name, or a missing nsswitch.conf, is "files", glibc's default):
//
//   - A line whose first service is "files", with no action ([...])
//     after it: a user or group found in the file is the answer, as glibc
//     stops at the first service that finds it. One not found there is
//     not found if "files" is the only service, and is asked of getent
//     otherwise (nss-systemd's DynamicUser users and synthesized
//     root/nobody, LDAP, sssd, ...).
//   - Supplementary groups (what initgroups(3) sets, `getent initgroups`)
//     come from /etc/group when the line is "files" alone, or "files
//     systemd" for a user found in /etc/passwd while systemd's userdb
//     has nothing that could add memberships (no drop-in in
//     /etc/userdb and the like, no userdb service in /run/systemd/userdb
//     but systemd's own). glibc merges the groups of every service, so
//     any other line goes to getent.
//   - Anything else (ldap, sss, winbind, nis, compat, an action, a
//     database named twice or with a '#' after its services, an
//     unreadable nsswitch.conf) goes to getent, which is glibc's NSS
//     itself.
//
// The files are parsed as glibc 2.36's nss_files does (tested against it):
// leading blanks and # comments are skipped, an id may have leading
// blanks and a '+', a line that does not parse is skipped, the first
// match wins, a name starting with '+' or '-' (nss_compat's) is never
// found, a member has its leading blanks removed; for the groups of a
// user, comment and '+'/'-' lines count (nss_files reads them as groups).
//
// Not exact: with "files systemd", systemd's own userdb services (homed,
// machined, DynamicUser) are taken to add no membership to a user of
// /etc/passwd (their memberships are their own users'). A user name of
// digits only, through getent, is found only if getent (which takes a
// number for a uid) returns that name. nscd is not asked what the files
// answer (it caches the same files).
package nss

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
)

// ErrNotFound is the error of a lookup that found no such user or group.
var ErrNotFound = errors.New("not found")

// User is a user account: its name, uid and primary group.
type User struct {
	Name     string
	Uid, Gid uint32
	// fromFiles: found in the passwd file, not through getent.
	fromFiles bool
}

// Group is a group: its name and gid.
type Group struct {
	Name string
	Gid  uint32
}

// Resolver looks users and groups up. The zero value uses the system's
// files; tests point it elsewhere. It keeps no state: each lookup reads
// nsswitch.conf again, as glibc notices a changed one.
type Resolver struct {
	NSSwitch string // default /etc/nsswitch.conf
	Passwd   string // default /etc/passwd
	Group    string // default /etc/group
	Getent   string // default /usr/bin/getent, else getent on PATH
	// UserDB are systemd's userdb directories: drop-ins and services
	// (default: SystemdUserDB).
	UserDB []string
}

// SystemdUserDB are the directories where systemd's userdb finds user,
// group and membership records: the drop-in directories and the
// directory of userdb services (sockets).
var SystemdUserDB = []string{"/etc/userdb", "/run/userdb", "/run/host/userdb", "/usr/local/lib/userdb", "/usr/lib/userdb", "/run/systemd/userdb"}

// systemdServices are the userdb services of systemd itself: none of them
// adds a membership to a user of /etc/passwd.
var systemdServices = []string{"io.systemd.Multiplexer", "io.systemd.NameServiceSwitch", "io.systemd.DynamicUser", "io.systemd.Home", "io.systemd.Machine"}

// LookupUser finds the user named name.
func (r *Resolver) LookupUser(name string) (User, error) {
	return r.user(name, func(u User) string { return u.Name })
}

// LookupUserID finds the user with uid.
func (r *Resolver) LookupUserID(uid uint32) (User, error) {
	return r.user(strconv.FormatUint(uint64(uid), 10), func(u User) string { return strconv.FormatUint(uint64(u.Uid), 10) })
}

func (r *Resolver) user(key string, field func(User) string) (User, error) {
	u, fromFiles, err := find(r, "passwd", cmp.Or(r.Passwd, "/etc/passwd"), key, field, parsePasswd)
	u.fromFiles = fromFiles
	return u, err
}

// LookupGroup finds the group named name.
func (r *Resolver) LookupGroup(name string) (Group, error) {
	return r.group(name, func(g Group) string { return g.Name })
}

// LookupGroupID finds the group with gid.
func (r *Resolver) LookupGroupID(gid uint32) (Group, error) {
	return r.group(strconv.FormatUint(uint64(gid), 10), func(g Group) string { return strconv.FormatUint(uint64(g.Gid), 10) })
}

func (r *Resolver) group(key string, field func(Group) string) (Group, error) {
	g, _, err := find(r, "group", cmp.Or(r.Group, "/etc/group"), key, field, parseGroupEntry)
	return g, err
}

// find looks up the entry of database db (kept in file) whose field is
// key: in the file as the plan allows, else through getent. parse reads
// a line of the file or of getent's output. fromFiles tells where it was
// found.
func find[T any](r *Resolver, db, file, key string, field func(T) string, parse func(string) (T, bool)) (entry T, fromFiles bool, err error) {
	var zero T
	p := r.plan(db)
	if p != viaGetent {
		var found *T
		err := scanFile(file, false, func(line string) bool {
			if e, ok := parse(line); ok && field(e) == key {
				found = &e
				return true
			}
			return false
		})
		switch {
		case found != nil:
			return *found, true, nil
		case p == filesOnly && err != nil:
			return zero, false, err
		case p == filesOnly:
			return zero, false, ErrNotFound
		}
	}
	out, err := r.getent(db, key)
	if err != nil {
		return zero, false, err
	}
	e, ok := parse(out)
	if !ok {
		return zero, false, fmt.Errorf("getent %s %s: unexpected output %q", db, key, out)
	}
	if field(e) != key && numeric(key) {
		return zero, false, ErrNotFound // getent took a name of digits for an id
	}
	return e, false, nil
}

// Groups returns the groups initgroups(u.Name, gid) gives a process: gid,
// then each other group u is a member of, once.
func (r *Resolver) Groups(u User, gid uint32) ([]uint32, error) {
	ids := []uint32{gid}
	add := func(id uint32) {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if r.filesGroups(u) {
		err := scanFile(cmp.Or(r.Group, "/etc/group"), true, func(line string) bool {
			if g, members, ok := parseGroup(line); ok && slices.Contains(members, u.Name) {
				add(g.Gid)
			}
			return false
		})
		if err != nil {
			return nil, err
		}
		return ids, nil
	}
	out, err := r.getent("initgroups", u.Name)
	if err != nil {
		return nil, err
	}
	more, err := parseInitgroups(out, u.Name)
	if err != nil {
		return nil, fmt.Errorf("getent initgroups %s: %w", u.Name, err)
	}
	for _, id := range more {
		add(id)
	}
	return ids, nil
}

// filesGroups reports whether /etc/group alone has u's memberships.
func (r *Resolver) filesGroups(u User) bool {
	s, ok := r.services("initgroups")
	switch {
	case !ok:
		return false
	case slices.Equal(s, []string{"files"}):
		return true
	case slices.Equal(s, []string{"files", "systemd"}):
		return u.fromFiles && !r.userDBRecords()
	}
	return false
}

// userDBRecords reports whether systemd's userdb may know memberships:
// a drop-in, or a service that is not systemd's own.
func (r *Resolver) userDBRecords() bool {
	dirs := r.UserDB
	if dirs == nil {
		dirs = SystemdUserDB
	}
	for _, d := range dirs {
		ents, err := os.ReadDir(d)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return true // cannot tell
		}
		for _, e := range ents {
			if !slices.Contains(systemdServices, e.Name()) {
				return true
			}
		}
	}
	return false
}
