package nss

import (
	"cmp"
	"errors"
	"io/fs"
	"os"
	"strings"
)

// plan is how a lookup in a database goes.
type plan int

const (
	viaGetent       plan = iota // glibc decides
	filesThenGetent             // found in the file is the answer, else getent
	filesOnly                   // the file is the whole answer
)

// plan returns the plan for db's lookups of one user or group.
func (r *Resolver) plan(db string) plan {
	s, ok := r.services(db)
	switch {
	case !ok || len(s) == 0 || s[0] != "files":
		return viaGetent
	case len(s) == 1:
		return filesOnly
	case strings.HasPrefix(s[1], "["):
		return viaGetent // an action for files: glibc knows what it does
	}
	return filesThenGetent
}

// services returns db's services in nsswitch.conf, or ok false when only
// glibc can tell (the file is unreadable, the database is named twice).
// initgroups without a line of its own is group.
func (r *Resolver) services(db string) (s []string, ok bool) {
	b, err := os.ReadFile(cmp.Or(r.NSSwitch, "/etc/nsswitch.conf"))
	if errors.Is(err, fs.ErrNotExist) {
		return []string{"files"}, true // glibc's default for passwd and group
	}
	if err != nil {
		return nil, false
	}
	lines, twice := parseNSSwitch(string(b))
	if _, named := lines[db]; !named && !twice[db] && db == "initgroups" {
		db = "group"
	}
	if twice[db] {
		return nil, false
	}
	if s, named := lines[db]; named {
		return s, true
	}
	return []string{"files"}, true
}

// parseNSSwitch returns the services (and actions) of each database of
// nsswitch.conf, and the databases whose line glibc versions may read
// differently (twice is "unclear"): named twice (2.36 keeps the last
// line), in other letter case ("PASSWD:", which 2.36 ignores), or with a
// '#' after the services (2.36 takes "files # systemd" for three
// services; only a line starting with '#' is a comment), or without ':'
// ("passwd ldap", which 2.36 reads as "passwd: ldap").
func parseNSSwitch(text string) (lines map[string][]string, twice map[string]bool) {
	lines, twice = map[string][]string{}, map[string]bool{}
	for line := range strings.Lines(text) {
		if strings.HasPrefix(strings.TrimLeft(line, blanks), "#") {
			continue
		}
		// glibc's database name ends at ':' or a blank: "passwd ldap"
		// names passwd too.
		line = strings.TrimLeft(line, blanks)
		end := strings.IndexAny(line, ":"+blanks)
		if end <= 0 {
			continue
		}
		db, rest := line[:end], line[end+1:]
		key := strings.ToLower(db)
		if _, seen := lines[key]; seen || key != db || strings.Contains(rest, "#") || line[end] != ':' {
			twice[key] = true // without ':' too: glibc versions differ
		}
		lines[key] = strings.Fields(rest)
	}
	return lines, twice
}
