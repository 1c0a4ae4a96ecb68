package mpm

import (
	"fmt"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"
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
// (a name, or "#uid" / "#gid") into the credential children drop to. It
// returns nil when there is nothing to drop: the process is not root, or
// neither User nor Group is set (then children keep the parent's
// identity; Apache would use its compiled default "#-1").
func ChildCredential(userName, groupName string) (*Credential, error) {
	if os.Geteuid() != 0 || (userName == "" && groupName == "") {
		return nil, nil
	}
	c := &Credential{Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid())}
	var u *user.User
	if userName != "" {
		uid, uu, err := LookupUser(userName)
		if err != nil {
			return nil, err
		}
		c.Uid, u = uid, uu
	}
	if groupName != "" {
		gid, err := LookupGroup(groupName)
		if err != nil {
			return nil, err
		}
		c.Gid = gid
	} else if u != nil {
		if g, err := strconv.ParseUint(u.Gid, 10, 32); err == nil {
			c.Gid = uint32(g)
		}
	}
	c.Groups = []uint32{c.Gid}
	if u != nil {
		if ids, err := u.GroupIds(); err == nil {
			for _, id := range ids {
				if g, err := strconv.ParseUint(id, 10, 32); err == nil && uint32(g) != c.Gid {
					c.Groups = append(c.Groups, uint32(g))
				}
			}
		}
	}
	return c, nil
}

// LookupUser resolves a User argument: "#uid" or a user name. The user is
// returned for a name, nil for the numeric form.
func LookupUser(name string) (uint32, *user.User, error) {
	if n, ok := strings.CutPrefix(name, "#"); ok {
		id, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return 0, nil, fmt.Errorf("bad user name %s", name)
		}
		return uint32(id), nil, nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		return 0, nil, fmt.Errorf("bad user name %s", name)
	}
	id, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return 0, nil, fmt.Errorf("bad user name %s", name)
	}
	return uint32(id), u, nil
}

// LookupGroup resolves a Group argument: "#gid" or a group name.
func LookupGroup(name string) (uint32, error) {
	if n, ok := strings.CutPrefix(name, "#"); ok {
		id, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bad group name %s", name)
		}
		return uint32(id), nil
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		return 0, fmt.Errorf("bad group name %s", name)
	}
	id, err := strconv.ParseUint(g.Gid, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("bad group name %s", name)
	}
	return uint32(id), nil
}
