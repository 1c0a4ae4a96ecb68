package authz

import (
	"net/http"

	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// apply is mod_authz_core's apply_authz_sections.
func (n *node) apply(r *http.Request, log *Log) Result {
	var res Result
	if n.check != nil {
		res = n.check.Check(r, log)
	} else {
		res = Neutral
		for _, c := range n.children {
			cr := c.apply(r, log)
			if cr == GeneralError {
				return GeneralError
			}
			if cr == Neutral {
				continue
			}
			if n.op == opAnd {
				if cr == Denied {
					res = cr
					break
				}
				if cr == DeniedNoUser && res != Denied || res == Neutral {
					res = cr
				}
			} else {
				if cr == Granted {
					res = cr
					break
				}
				if cr == DeniedNoUser && res == Denied || res == Neutral {
					res = cr
				}
			}
		}
	}
	if n.negate {
		switch res {
		case Granted:
			res = Denied
		case Denied, DeniedNoUser:
			res = Neutral
		}
	}
	if log.Enabled(LevelDebug) {
		log.Printf(r, LevelDebug, "authz_core", "AH01626: authorization result of %s: %s", n.command(), res)
	}
	return res
}

// Policy decides the requests under one merged configuration; it is a static.Access.
// The zero Policy grants everything.
type Policy struct {
	section *node
	compat  *compat
	log     *Log
}

// Policy is the merged level's decision, logging to log (nil: nowhere). It is nil
// when the level grants every request whatever it is (no Require, or only Require
// all granted, and no Allow/Deny that could refuse), so that such requests cost
// nothing.
func (l Level) Policy(log *Log) *Policy {
	if l.compat.grantsAll() && (l.section == nil || l.section.constant() == Granted) && !log.Enabled(LevelDebug) {
		return nil
	}
	return &Policy{section: l.section, compat: l.compat, log: log}
}

// Denies reports whether the level refuses every request with mod_authz_core's
// refusal (Require all denied, or only providers that deny), so that the caller may
// answer 403 without asking the Policy.
func (l Level) Denies() bool {
	return l.compat.grantsAll() && l.section != nil && l.section.constant() == Denied
}

// constant is the result of n when it does not depend on the request (decided by
// "all" lines), Neutral when it may.
func (n *node) constant() Result {
	if n.negate {
		return Neutral
	}
	if n.check != nil {
		if a, ok := n.check.(allChecker); ok {
			return a.Check(nil, nil)
		}
		return Neutral
	}
	// Or: one grant decides, and all must deny to deny; And the other way round.
	decides, other := Granted, Denied
	if n.op == opAnd {
		decides, other = Denied, Granted
	}
	res := other
	for _, c := range n.children {
		switch c.constant() {
		case decides:
			return decides
		case Neutral:
			res = Neutral
		}
	}
	if len(n.children) == 0 {
		return Neutral
	}
	return res
}

// The refusals, as apache2 logs them with the request's file name.
var (
	refusedAuthz  = &static.Refusal{Module: "authz_core", Message: "AH01630: client denied by server configuration: "}
	refusedCompat = &static.Refusal{Module: "access_compat", Message: "AH01797: client denied by server configuration: "}
	// refusedBoth: Satisfy Any, where mod_access_compat's refusal is logged
	// before Require decides.
	refusedBoth = &static.Refusal{Module: "access_compat", Message: refusedCompat.Message, Next: refusedAuthz}
)

// Check decides r as apache2's ap_process_request_internal does with Satisfy,
// mod_access_compat's access checker and mod_authz_core's: 0 to serve, else the
// status to answer; the refusals to log come with it (with Satisfy Any,
// mod_access_compat's is logged even when Require then grants).
func (p *Policy) Check(w http.ResponseWriter, r *http.Request) (int, *static.Refusal) {
	if p == nil {
		return 0, nil
	}
	compatOK := p.compat.allows(r)
	var logged *static.Refusal
	switch p.compat.satisfies(r) {
	case satisfyAny:
		if compatOK {
			return 0, nil
		}
		logged = refusedCompat
	default:
		if !compatOK {
			return http.StatusForbidden, refusedCompat
		}
	}
	if p.section == nil {
		p.log.Printf(r, LevelDebug, "authz_core", "AH01628: authorization result: granted (no directives)")
		return 0, logged
	}
	switch p.section.apply(r, p.log) {
	case Granted:
		return 0, logged
	case Denied, Neutral:
		if logged != nil {
			return http.StatusForbidden, refusedBoth
		}
		return http.StatusForbidden, refusedAuthz
	case DeniedNoUser:
		// Authentication would come next; without an AuthType apache2 finds no user.
		p.log.Printf(r, static.LevelError, "core", "AH00027: No authentication done but request not allowed without authentication for %s. Authentication not configured?", r.URL.Path)
		return http.StatusInternalServerError, logged
	}
	return http.StatusInternalServerError, logged
}
