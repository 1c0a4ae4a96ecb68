package nss

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// blanks are what C's isspace skips.
const blanks = " \t\n\v\f\r"

// scanFile calls fn with each entry line of a passwd or group file
// (without its newline and leading blanks; no empty line, no comment line
// unless comments is set) until fn returns true. nss_files skips comments
// when it looks up one entry, not when it collects a user's groups
// (initgroups): there "#adm:x:4:www-data" makes www-data a member of 4.
func scanFile(path string, comments bool, fn func(line string) bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20) // a group with many members is a long line
	for sc.Scan() {
		line := strings.TrimLeft(sc.Text(), blanks)
		if line == "" || (line[0] == '#' && !comments) {
			continue
		}
		if fn(line) {
			return nil
		}
	}
	return sc.Err()
}

// parsePasswd parses a passwd line, name:password:uid:gid:gecos:dir:shell
// (the fields after gid may be missing). nss_files never returns a user
// whose name starts with '+' or '-' (nss_compat's entries).
func parsePasswd(line string) (User, bool) {
	f := strings.SplitN(line, ":", 7)
	if len(f) < 4 || compat(f[0]) {
		return User{}, false
	}
	uid, ok1 := parseID(f[2])
	gid, ok2 := parseID(f[3])
	return User{Name: f[0], Uid: uid, Gid: gid}, ok1 && ok2
}

// parseGroup parses a group line, name:password:gid:member,member (the
// members may be missing; the last field takes the rest of the line).
// Members have their leading blanks removed; empty ones are dropped.
func parseGroup(line string) (Group, []string, bool) {
	f := strings.SplitN(line, ":", 4)
	if len(f) < 3 {
		return Group{}, nil, false
	}
	gid, ok := parseID(f[2])
	if !ok {
		return Group{}, nil, false
	}
	var members []string
	if len(f) == 4 {
		for m := range strings.SplitSeq(f[3], ",") {
			if m = strings.TrimLeft(m, blanks); m != "" {
				members = append(members, m)
			}
		}
	}
	return Group{Name: f[0], Gid: gid}, members, true
}

// parseGroupEntry is parseGroup without the members, for a lookup of
// one group: nss_files never returns one whose name starts with '+' or
// '-', though it counts its members for initgroups.
func parseGroupEntry(line string) (Group, bool) {
	g, _, ok := parseGroup(line)
	return g, ok && !compat(g.Name)
}

// compat reports whether name is an nss_compat entry's ("+", "+name",
// "-name", "+@netgroup").
func compat(name string) bool {
	return strings.HasPrefix(name, "+") || strings.HasPrefix(name, "-")
}

// parseID parses a uid or gid field as nss_files does: leading blanks, an
// optional '+', decimal digits up to 2^32-1 and nothing after them.
func parseID(s string) (uint32, bool) {
	s = strings.TrimPrefix(strings.TrimLeft(s, blanks), "+")
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 32)
	return uint32(n), err == nil
}

// numeric reports whether getent takes key for an id rather than a name
// (strtoul reads all of it).
func numeric(key string) bool {
	s := strings.TrimLeft(key, blanks)
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return s != "" && strings.TrimLeft(s, "0123456789") == ""
}
