package authz

import (
	"net/http"

	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// apply is mod_authz_core's apply_authz_sections; parent is the enclosing section's
// operator.
func (n *node) apply(r *http.Request, log *Log, parent logicOp) Result {
	var res Result
	if n.limited&methodBit(r.Method) == 0 {
		res = Neutral
		if parent == opAnd {
			res = Granted
		}
		if log.Enabled(LevelDebug) {
			log.Printf(r, LevelDebug, "authz_core", "AH01625: authorization result of %s: %s (directive limited to other methods)", n.command(), res)
		}
		return res
	}
	if n.check != nil {
		res = n.check.Check(r, log)
	} else {
		res = Neutral
		for _, c := range n.children {
			cr := c.apply(r, log, n.op)
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
	authn   Authenticator
}

// Authenticator is authentication (AuthType): it establishes the user of a request
// that Require needs one for (a provider answered DeniedNoUser), as apache2's
// check_user_id hook does.
type Authenticator interface {
	// Authenticate returns 0 once r has an authenticated user, whom the user
	// providers then see; else the status to answer (a 401 with WWW-Authenticate set
	// on w, a 500), having logged why.
	Authenticate(w http.ResponseWriter, r *http.Request) int
	// User is r's authenticated user.
	User(r *http.Request) string
	// Challenge sets on w what a 401 for r needs (ap_note_auth_failure: the
	// WWW-Authenticate field); w is nil for a subrequest.
	Challenge(w http.ResponseWriter, r *http.Request)
}

// Policy is the merged level's decision, logging to log (nil: nowhere), with authn
// the authentication in force (nil: no AuthType). It is nil when the level grants
// every request whatever it is (no Require, or only Require all granted, and no
// Allow/Deny that could refuse), so that such requests cost nothing.
func (l Level) Policy(log *Log, authn Authenticator) *Policy {
	if l.compat.grantsAll() && (l.section == nil && authn == nil || l.section != nil && l.section.constant() == Granted) && !log.Enabled(LevelDebug) {
		return nil
	}
	return &Policy{section: l.section, compat: l.compat, log: log, authn: authn}
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
	if n.negate || n.limited != allMethods {
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
		if p.authn != nil {
			p.log.Printf(r, static.LevelError, "authz_core", "AH01627: AuthType configured with no corresponding authorization directives")
			return http.StatusInternalServerError, logged
		}
		p.log.Printf(r, LevelDebug, "authz_core", "AH01628: authorization result: granted (no directives)")
		return 0, logged
	}
	switch p.section.apply(r, p.log, opAnd) {
	case Granted:
		return 0, logged
	case Denied, Neutral:
		if logged != nil {
			return http.StatusForbidden, refusedBoth
		}
		return http.StatusForbidden, refusedAuthz
	case DeniedNoUser:
		return p.authenticate(w, r), logged
	}
	return http.StatusInternalServerError, logged
}

// authenticate is what apache2 does when Require needs a user: authentication,
// then Require again with the user (authorize_user_core after authentication).
func (p *Policy) authenticate(w http.ResponseWriter, r *http.Request) int {
	if p.authn == nil {
		// Without an AuthType, apache2's authentication finds no user.
		p.log.Printf(r, static.LevelError, "core", "AH00027: No authentication done but request not allowed without authentication for %s. Authentication not configured?", r.URL.Path)
		return http.StatusInternalServerError
	}
	if status := p.authn.Authenticate(w, r); status != 0 {
		return status
	}
	switch p.section.apply(r, p.log, opAnd) {
	case Granted:
		return 0
	case DeniedNoUser:
		p.log.Printf(r, static.LevelError, "authz_core", "AH01629: authorization failure (no authenticated user): %s", r.URL.Path)
	case Denied, Neutral:
		p.log.Printf(r, static.LevelError, "authz_core", "AH01631: user %s: authorization failure for \"%s\": ", p.authn.User(r), r.URL.Path)
	default:
		return http.StatusInternalServerError
	}
	p.authn.Challenge(w, r)
	return http.StatusUnauthorized
}
