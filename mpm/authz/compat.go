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
	order       []masked // Order lines, each for its methods; the last that covers a method counts
	allow, deny []from
	satisfy     []masked
}

// masked is a setting for some methods (<Limit>).
type masked struct {
	methods uint64
	value   int
}

// forMethod is the value of the last setting of list that covers the method bit,
// else 0 (the default).
func forMethod(list []masked, bit uint64) int {
	v := 0
	for _, m := range list {
		if m.methods&bit != 0 {
			v = m.value
		}
	}
	return v
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
	methods uint64 // <Limit>
	kind    fromKind
	name    string // host or variable
	ip      netip.Prefix
}

func (c *compat) add(name string, args []string, lim uint64) error {
	switch name {
	case "order":
		if len(args) != 1 {
			return errors.New("order takes one argument, 'allow,deny', 'deny,allow', or 'mutual-failure'")
		}
		o := denyThenAllow
		switch strings.ToLower(args[0]) {
		case "allow,deny":
			o = allowThenDeny
		case "deny,allow":
		case "mutual-failure":
			o = mutualFailure
		default:
			return errors.New("unknown order")
		}
		c.order = append(c.order, masked{lim, o})
	case "satisfy":
		if len(args) != 1 {
			return errors.New("Satisfy takes one argument, access policy if both allow and require used ('all' or 'any')")
		}
		v := satisfyAll
		switch strings.ToLower(args[0]) {
		case "all":
		case "any":
			v = satisfyAny
		default:
			return errors.New("Satisfy either 'any' or 'all'.")
		}
		c.satisfy = append(c.satisfy, masked{lim, v})
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
			f.methods = lim
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
func find(r *http.Request, list []from, bit uint64) bool {
	host, gotHost := "", 0
	for _, f := range list {
		if f.methods&bit == 0 {
			continue
		}
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
	bit := methodBit(r.Method)
	switch forMethod(c.order, bit) {
	case allowThenDeny, mutualFailure:
		return find(r, c.allow, bit) && !find(r, c.deny, bit)
	}
	return !find(r, c.deny, bit) || find(r, c.allow, bit)
}

// grantsAll reports whether c allows every request and leaves the decision to
// Require (no Deny, only Order Deny,Allow, and no Satisfy Any).
func (c *compat) grantsAll() bool {
	if c == nil {
		return true
	}
	for _, o := range c.order {
		if o.value != denyThenAllow {
			return false
		}
	}
	for _, s := range c.satisfy {
		if s.value == satisfyAny {
			return false
		}
	}
	return len(c.deny) == 0
}

func (c *compat) satisfies(r *http.Request) int {
	if c == nil {
		return satisfyNoSpec
	}
	return forMethod(c.satisfy, methodBit(r.Method))
}
