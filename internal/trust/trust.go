// Package trust decides whether a program file may be executed with the
// server's privileges: an MPM plugin (by the host) and an MPM's child
// program (by the plugin).
package trust

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/internal/nss"
)

// A plugin runs with the host's privileges, root for a server on port 80,
// and its children start as root too. The host therefore runs only a
// plugin file, and the plugin only a child program, that nobody else could
// have changed, with the rules sshd applies to authorized_keys and sudo to
// sudoers (StrictModes):
//
//   - The file and every directory above it are owned by root or by the
//     user httpd runs as: their owner can always change them.
//   - None of them is writable by other users. A directory with the sticky
//     bit (/tmp) is exempt: there others cannot rename or remove a file
//     they do not own.
//   - None of them is writable by its group, unless that group is root's
//     (gid 0) or the owner's private group, which has no member but the
//     owner (as Debian's sshd allows, for a umask of 002).
//
// Symbolic links are resolved first and the rules apply to the real file,
// which is what is then executed. After the check only root or httpd's own
// user can change the file, and they can change the configuration too, so
// the time between the check and exec gives nobody a way in.

// TrustError is a program file that may not be executed.
type TrustError struct {
	What   string // what the file is, e.g. "an MPM plugin"
	Path   string // the file or directory at fault
	Reason string // e.g. "is writable by other users (mode 0777)"
	Fix    string // the command that fixes it, if there is one
}

func (e *TrustError) Error() string {
	s := fmt.Sprintf("%s %s; %s must not be changeable by anyone but root or the user httpd runs as", e.Path, e.Reason, e.What)
	if e.Fix != "" {
		s += " (" + e.Fix + ")"
	}
	return s
}

// Trusted resolves path and checks it and its directories against the
// rules above; what names the file in a TrustError (e.g. "an MPM
// plugin"). It returns the real path, to execute.
func Trusted(path, what string) (string, error) {
	real, err := owners{euid: uint32(os.Geteuid()), passwd: "/etc/passwd", group: "/etc/group"}.trusted(path)
	var te *TrustError
	if errors.As(err, &te) {
		te.What = what
	}
	return real, err
}

// owners is what the rules need to know about users: who httpd runs as
// and where the accounts are.
type owners struct {
	euid          uint32
	passwd, group string
}

func (o owners) trusted(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", err
	}
	for p := real; ; p = filepath.Dir(p) {
		if err := o.check(p); err != nil {
			return "", err
		}
		if p == filepath.Dir(p) {
			return real, nil
		}
	}
}

func (o owners) check(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil // no owner to check on this system
	}
	mode := fi.Mode()
	perm := fmt.Sprintf("mode %04o", uint32(mode.Perm()))
	if st.Uid != 0 && st.Uid != o.euid {
		return &TrustError{Path: path, Reason: fmt.Sprintf("is owned by %s, not by root or the user httpd runs as (%s)", userName(st.Uid), userName(o.euid)),
			Fix: "chown root " + path}
	}
	if fi.IsDir() && mode&fs.ModeSticky != 0 {
		return nil
	}
	if mode&0o002 != 0 {
		return &TrustError{Path: path, Reason: "is writable by other users (" + perm + ")", Fix: "chmod o-w " + path}
	}
	if mode&0o020 != 0 && st.Gid != 0 && !o.privateGroup(st.Gid, st.Uid) {
		return &TrustError{Path: path, Reason: fmt.Sprintf("is writable by group %s, which has other members than its owner (%s)", groupName(st.Gid), perm),
			Fix: "chmod g-w " + path}
	}
	return nil
}

// privateGroup reports whether no user but uid belongs to group gid, as a
// primary group (passwd) or a supplementary one (group). When either file
// cannot be read it says false.
func (o owners) privateGroup(gid, uid uint32) bool {
	owner := ""
	others := false
	g, u := strconv.FormatUint(uint64(gid), 10), strconv.FormatUint(uint64(uid), 10)
	err := eachLine(o.passwd, func(f []string) {
		switch {
		case len(f) < 4:
		case f[2] == u:
			owner = f[0]
		case f[3] == g:
			others = true
		}
	})
	if err != nil || owner == "" || others {
		return false
	}
	err = eachLine(o.group, func(f []string) {
		if len(f) < 4 || f[2] != g || f[3] == "" {
			return
		}
		for _, m := range strings.Split(f[3], ",") {
			if m != owner {
				others = true
			}
		}
	})
	return err == nil && !others
}

// eachLine calls fn with the colon-separated fields of each line of a
// passwd-style file.
func eachLine(path string, fn func([]string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			fn(strings.Split(line, ":"))
		}
	}
	return sc.Err()
}

// names looks up the names of a file's owner and group for messages.
var names nss.Resolver

func userName(uid uint32) string {
	if u, err := names.LookupUserID(uid); err == nil {
		return u.Name
	}
	return "uid " + strconv.FormatUint(uint64(uid), 10)
}

func groupName(gid uint32) string {
	if g, err := names.LookupGroupID(gid); err == nil {
		return g.Name
	}
	return "gid " + strconv.FormatUint(uint64(gid), 10)
}
