package authz

import (
	"errors"
	"net/http"
	"net/netip"
	"strings"
)

// Order's values (mod_access_compat).
const (
	denyThenAllow = iota // the default
	allowThenDeny
	mutualFailure
)

// Satisfy's values.
const (
	satisfyNoSpec = iota
	satisfyAll
	satisfyAny
)

// compat is one level's mod_access_compat settings.
type compat struct {
	order       int
	allow, deny []from
	satisfy     int
}

type fromKind uint8

const (
	fromEnv fromKind = iota
	fromNotEnv
	fromAll
	fromIP
	fromHost
)

// from is one "Allow from" or "Deny from" word.
type from struct {
	kind fromKind
	name string // host or variable
	ip   netip.Prefix
}

func (c *compat) add(name string, args []string) error {
	switch name {
	case "order":
		if len(args) != 1 {
			return errors.New("order takes one argument, 'allow,deny', 'deny,allow', or 'mutual-failure'")
		}
		switch strings.ToLower(args[0]) {
		case "allow,deny":
			c.order = allowThenDeny
		case "deny,allow":
			c.order = denyThenAllow
		case "mutual-failure":
			c.order = mutualFailure
		default:
			return errors.New("unknown order")
		}
	case "satisfy":
		if len(args) != 1 {
			return errors.New("Satisfy takes one argument, access policy if both allow and require used ('all' or 'any')")
		}
		switch strings.ToLower(args[0]) {
		case "all":
			c.satisfy = satisfyAll
		case "any":
			c.satisfy = satisfyAny
		default:
			return errors.New("Satisfy either 'any' or 'all'.")
		}
	default: // allow, deny
		if len(args) < 2 {
			cmd := "allow"
			if name == "deny" {
				cmd = "deny"
			}
			return errors.New(cmd + " requires at least two arguments, 'from' followed by hostnames or IP-address wildcards")
		}
		if !strings.EqualFold(args[0], "from") {
			return errors.New("allow and deny must be followed by 'from'")
		}
		for _, w := range args[1:] {
			f, err := parseFrom(w)
			if err != nil {
				return err
			}
			if name == "allow" {
				c.allow = append(c.allow, f)
			} else {
				c.deny = append(c.deny, f)
			}
		}
	}
	return nil
}

func parseFrom(w string) (from, error) {
	lw := strings.ToLower(w)
	switch {
	case strings.HasPrefix(lw, "env=!"):
		return from{kind: fromNotEnv, name: w[5:]}, nil
	case strings.HasPrefix(lw, "env="):
		return from{kind: fromEnv, name: w[4:]}, nil
	case lw == "all":
		return from{kind: fromAll}, nil
	}
	p, err := ParseSubnet(w)
	switch {
	case err == nil:
		return from{kind: fromIP, ip: p}, nil
	case strings.ContainsRune(w, '/') && errors.Is(err, errNotIP):
		return from{}, errors.New("An IP address was expected")
	case !errors.Is(err, errNotIP):
		return from{}, err
	case strings.ContainsRune(w, '#'):
		return from{}, errors.New("No comments are allowed here")
	}
	return from{kind: fromHost, name: w}, nil
}

// find is mod_access_compat's find_allowdeny: whether one of list matches r.
func find(r *http.Request, list []from) bool {
	host, gotHost := "", 0
	for _, f := range list {
		switch f.kind {
		case fromEnv, fromNotEnv:
			if RequestEnv(r, f.name) == (f.kind == fromEnv) {
				return true
			}
		case fromAll:
			return true
		case fromIP:
			if a, ok := clientAddr(r); ok && f.ip.Contains(a) {
				return true
			}
		case fromHost:
			if gotHost == 0 {
				gotHost = 1
				if h, ok := RemoteHost(r); ok {
					host, gotHost = h, 2
				}
			}
			if gotHost == 2 && InDomain(f.name, host) {
				return true
			}
		}
	}
	return false
}

// allows is mod_access_compat's check_dir_access; a nil compat allows.
func (c *compat) allows(r *http.Request) bool {
	if c == nil {
		return true
	}
	switch c.order {
	case allowThenDeny:
		return find(r, c.allow) && !find(r, c.deny)
	case mutualFailure:
		return find(r, c.allow) && !find(r, c.deny)
	}
	return !find(r, c.deny) || find(r, c.allow)
}

// grantsAll reports whether c allows every request and leaves the decision to
// Require (no Deny, and Satisfy not Any).
func (c *compat) grantsAll() bool {
	return c == nil || c.order == denyThenAllow && len(c.deny) == 0 && c.satisfy != satisfyAny
}

func (c *compat) satisfies(*http.Request) int {
	if c == nil {
		return satisfyNoSpec
	}
	return c.satisfy
}
