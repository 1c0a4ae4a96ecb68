package mpm

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/internal/nss"
)

// Credential is the user and group a child process runs as: Apache's User
// and Group, resolved.
type Credential struct {
	Uid, Gid uint32
	Groups   []uint32 // supplementary groups of the user (initgroups)
}

// equal reports whether c and o are the same credential; nil is equal
// only to nil (keep the parent's identity).
func (c *Credential) equal(o *Credential) bool {
	if c == nil || o == nil {
		return c == o
	}
	return c.Uid == o.Uid && c.Gid == o.Gid && slices.Equal(c.Groups, o.Groups)
}

// sys is c as the credential an exec.Cmd starts with; nil for nil.
func (c *Credential) sys() *syscall.Credential {
	if c == nil {
		return nil
	}
	return &syscall.Credential{Uid: c.Uid, Gid: c.Gid, Groups: c.Groups}
}

// credentialOf is sys's reverse.
func credentialOf(s *syscall.Credential) *Credential {
	if s == nil {
		return nil
	}
	return &Credential{Uid: s.Uid, Gid: s.Gid, Groups: s.Groups}
}

// ChildCredential is the credential children drop to: the one the host
// resolved (Credential), else User and Group resolved here (see the
// function ChildCredential). It is nil when this process is not root.
func (c Core) ChildCredential() (*Credential, error) {
	if c.Credential != nil {
		if os.Geteuid() != 0 {
			return nil, nil
		}
		return c.Credential, nil
	}
	return ChildCredential(c.User, c.Group)
}

// ChildCredential resolves User and Group the way Apache's mod_unixd does
// (a name, or "#uid" / "#gid") into the credential children drop to, with
// the supplementary groups initgroups(3) gives the user (for "#uid", the
// user with that uid: a uid of no user is Apache's AH02155, which ends its
// children). It returns nil when there is
// nothing to drop: the process is not root, or neither User nor Group is
// set (then children keep the parent's identity; Apache would use its
// compiled default "#-1"). Without Group the user's primary group is the
// group.
//
// Users and groups are looked up as glibc's NSS does (LDAP, sssd,
// systemd's DynamicUser users work) also in a program built without cgo:
// /etc/passwd and /etc/group where /etc/nsswitch.conf lets the files
// answer, else getent(1).
func ChildCredential(userName, groupName string) (*Credential, error) {
	if os.Geteuid() != 0 || (userName == "" && groupName == "") {
		return nil, nil
	}
	c := &Credential{Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid())}
	var u *nss.User // whose groups children get
	if userName != "" {
		uid, uu, err := lookupUser(userName)
		if err != nil {
			return nil, err
		}
		c.Uid, u = uid, uu
		if u == nil {
			// "#uid": Apache's children take the groups of the
			// uid's user (getpwuid), and die if it has none.
			found, err := resolver.LookupUserID(uid)
			switch {
			case errors.Is(err, nss.ErrNotFound):
				return nil, fmt.Errorf("AH02155: getpwuid: couldn't determine user name from uid %d, you probably need to modify the User directive", uid)
			case err != nil:
				return nil, fmt.Errorf("user %s: %w", userName, err)
			}
			u = &found
		}
	}
	if groupName != "" {
		gid, err := LookupGroup(groupName)
		if err != nil {
			return nil, err
		}
		c.Gid = gid
	} else if u != nil {
		c.Gid = u.Gid
	}
	c.Groups = []uint32{c.Gid}
	if u != nil {
		groups, err := resolver.Groups(*u, c.Gid)
		if err != nil {
			return nil, fmt.Errorf("supplementary groups of user %s: %w", u.Name, err)
		}
		c.Groups = groups
	}
	return c, nil
}

// resolver looks users and groups up in the system's NSS.
var resolver nss.Resolver

// LookupUser resolves a User argument: "#uid" or a user name, to a uid.
// An unknown name is the error "bad user name NAME" (Apache's AH00543
// without its prefix); a lookup that failed says why after it.
func LookupUser(name string) (uint32, error) {
	uid, _, err := lookupUser(name)
	return uid, err
}

// lookupUser is LookupUser, with the user for a name (nil for "#uid").
func lookupUser(name string) (uint32, *nss.User, error) {
	if n, ok := strings.CutPrefix(name, "#"); ok {
		id, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return 0, nil, fmt.Errorf("bad user name %s", name)
		}
		return uint32(id), nil, nil
	}
	u, err := resolver.LookupUser(name)
	if err != nil {
		return 0, nil, lookupError("user", name, err)
	}
	return u.Uid, &u, nil
}

// LookupGroup resolves a Group argument: "#gid" or a group name, to a
// gid. An unknown name is the error "bad group name NAME".
func LookupGroup(name string) (uint32, error) {
	if n, ok := strings.CutPrefix(name, "#"); ok {
		id, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bad group name %s", name)
		}
		return uint32(id), nil
	}
	g, err := resolver.LookupGroup(name)
	if err != nil {
		return 0, lookupError("group", name, err)
	}
	return g.Gid, nil
}

// lookupError is Apache's "bad user name X" (what is "user" or "group"),
// followed by the cause when the lookup failed rather than found nothing.
func lookupError(what, name string, err error) error {
	if errors.Is(err, nss.ErrNotFound) {
		return fmt.Errorf("bad %s name %s", what, name)
	}
	return fmt.Errorf("bad %s name %s: %w", what, name, err)
}
