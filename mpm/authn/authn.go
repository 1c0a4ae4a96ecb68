// Package authn is HTTP Basic authentication as apache2 2.4's mod_auth_basic,
// mod_authn_core, mod_authn_file, mod_authz_user and mod_authz_groupfile apply
// it: the directives AuthType (Basic, None), AuthName, AuthBasicProvider
// (file), AuthBasicAuthoritative, AuthUserFile and AuthGroupFile, and the
// Require providers user, valid-user and group. Package site merges the
// directives per path and hands a Checker to package static, which asks it
// before it answers a request the Require lines need a user for.
//
// A Checker answers as apache2 does: 401 with WWW-Authenticate: Basic
// realm="AuthName" (no credentials, another scheme, an unknown user, a wrong
// password, a user the Require lines refuse), 500 for a configuration that
// cannot authenticate, and the error log lines apache2 writes (AH01614,
// AH01617, AH01618, AH01631, ...). The user name sent, right or wrong, is the
// access log's %u (http1.SetUser), as apache2's r->user is.
//
// Password files are read when first needed and again when they change
// (looked at once a second at most, see textFile); hashes are checked by
// Match on the request's goroutine, as apache2 does (a bcrypt check costs
// about as much CPU in both); no check's outcome is remembered.
package authn

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// Directives are the directives Config.Set takes.
var Directives = []string{"AuthType", "AuthName", "AuthBasicProvider", "AuthBasicAuthoritative", "AuthUserFile", "AuthGroupFile"}

// Config is what one level (a section, or the server) sets; Merge puts a
// level on top of what it inherits, each directive overriding the inherited
// one only where it is written.
type Config struct {
	Type      string // AuthType as written ("Basic"); "" for None or unset
	Name      string // AuthName, the realm
	UserFile  string // AuthUserFile
	GroupFile string // AuthGroupFile
	// NotAuthoritative is AuthBasicAuthoritative Off.
	NotAuthoritative bool
	set              uint8 // which of the above are written (set* bits)
}

const (
	setType = 1 << iota
	setName
	setUserFile
	setGroupFile
	setAuthoritative
)

// Set applies one directive; its errors are apache2's words.
func (c *Config) Set(name string, args []string) error {
	switch strings.ToLower(name) {
	case "authtype":
		c.Type, c.set = args[0], c.set|setType
		if strings.EqualFold(c.Type, "none") {
			c.Type = ""
		}
	case "authname":
		c.Name, c.set = args[0], c.set|setName
	case "authuserfile":
		c.UserFile, c.set = args[0], c.set|setUserFile
	case "authgroupfile":
		c.GroupFile, c.set = args[0], c.set|setGroupFile
	case "authbasicauthoritative":
		switch strings.ToLower(args[0]) {
		case "on":
			c.NotAuthoritative = false
		case "off":
			c.NotAuthoritative = true
		default:
			return errors.New("AuthBasicAuthoritative must be On or Off")
		}
		c.set |= setAuthoritative
	case "authbasicprovider":
		for _, p := range args {
			if p != "file" {
				return errors.New("Unknown Authn provider: " + p)
			}
		}
	}
	return nil
}

// Merge is c with the directives written in o on top.
func (c Config) Merge(o *Config) Config {
	if o.set&setType != 0 {
		c.Type = o.Type
	}
	if o.set&setName != 0 {
		c.Name = o.Name
	}
	if o.set&setUserFile != 0 {
		c.UserFile = o.UserFile
	}
	if o.set&setGroupFile != 0 {
		c.GroupFile = o.GroupFile
	}
	if o.set&setAuthoritative != 0 {
		c.NotAuthoritative = o.NotAuthoritative
	}
	c.set |= o.set
	return c
}

// Providers are the Require providers this package decides.
func Provider(name string) bool {
	switch strings.ToLower(name) {
	case "user", "valid-user", "group":
		return true
	}
	return false
}

// Require is one Require line whose provider needs a user (Provider).
type Require struct {
	Provider string // lowercase
	Args     []string
}

// A Checker decides a request by its user for one merged configuration and
// the Require lines in force there; it is a static.Authorizer.
type Checker struct {
	cfg  Config
	reqs []Require // nil: no Require line at all, with an AuthType
}

// checkers are the Checkers made, by configuration: a configuration merged
// anew for each request gets the same Checker each time.
var checkers sync.Map // string -> *Checker

// New is the Checker of cfg with reqs, the lines of one level's Require that
// name a Provider (RequireAny: one that grants is enough; the lines of other
// providers, not granting, are left out). With no reqs it refuses every
// request as apache2 does an AuthType without Require (AH01627).
func New(cfg Config, reqs []Require) *Checker {
	var k strings.Builder
	for _, s := range []string{cfg.Type, cfg.Name, cfg.UserFile, cfg.GroupFile} {
		k.WriteString(s)
		k.WriteByte(0)
	}
	if cfg.NotAuthoritative {
		k.WriteByte('n')
	}
	for _, r := range reqs {
		k.WriteByte(1)
		k.WriteString(r.Provider)
		for _, a := range r.Args {
			k.WriteByte(0)
			k.WriteString(a)
		}
	}
	if c, ok := checkers.Load(k.String()); ok {
		return c.(*Checker)
	}
	c, _ := checkers.LoadOrStore(k.String(), &Checker{cfg: cfg, reqs: reqs})
	return c.(*Checker)
}

// logger reports to a static.Handler's LogError what its LogLevel lets through.
type logger struct {
	f    static.LogFunc
	most static.Level
	r    *http.Request
}

func (l logger) log(level static.Level, module string, err error, msg string) {
	if l.f != nil && level <= l.most {
		l.f(l.r, level, module, err, msg)
	}
}

// Authorize is apache2's check_user_id and auth_checker hooks for r, once
// authorize_userless found that the Require lines need a user (see
// static.Authorizer; a nil w is a subrequest's look).
func (c *Checker) Authorize(w http.ResponseWriter, r *http.Request, log static.LogFunc, most static.Level) int {
	l := logger{log, most, r}
	uri := r.URL.Path
	if c.reqs == nil {
		l.log(static.LevelError, "authz_core", nil, "AH01627: AuthType configured with no corresponding authorization directives")
		return http.StatusInternalServerError
	}
	switch {
	case c.cfg.Type == "":
		l.log(static.LevelError, "core", nil, "AH00027: No authentication done but request not allowed without authentication for "+uri+". Authentication not configured?")
		return http.StatusInternalServerError
	case !strings.EqualFold(c.cfg.Type, "basic"):
		l.log(static.LevelError, "authn_core", nil, "AH01796: AuthType "+c.cfg.Type+" configured without corresponding module")
		return http.StatusInternalServerError
	case c.cfg.set&setName == 0:
		l.log(static.LevelError, "auth_basic", nil, "AH01615: need AuthName: "+uri)
		return http.StatusInternalServerError
	}
	user, password, status := c.basic(w, r, l)
	if status != 0 {
		return status
	}
	if c.cfg.UserFile == "" {
		l.log(static.LevelError, "authn_file", nil, "AH01619: AuthUserFile not specified in the configuration")
		return c.notAuthenticated(l)
	}
	now := time.Now()
	st := userFile(c.cfg.UserFile).state(now)
	if st.err != nil {
		l.log(static.LevelError, "authn_file", errno(st.err), "AH01620: Could not open password file: "+c.cfg.UserFile)
		return c.notAuthenticated(l)
	}
	hash, found := st.parsed.(map[string]string)[user]
	switch {
	case !found && c.cfg.NotAuthoritative:
		return c.notAuthenticated(l)
	case !found:
		l.log(static.LevelError, "auth_basic", nil, "AH01618: user "+user+" not found: "+uri)
		return c.challenge(w)
	case !Match(password, hash):
		l.log(static.LevelError, "auth_basic", nil, "AH01617: user "+user+": authentication failure for \""+uri+"\": Password Mismatch")
		return c.challenge(w)
	}
	for _, req := range c.reqs {
		if c.grants(&req, user, l, now) {
			return 0
		}
	}
	l.log(static.LevelError, "authz_core", nil, "AH01631: user "+user+": authorization failure for \""+uri+"\": ")
	return c.challenge(w)
}

// notAuthenticated is apache2's answer when mod_auth_basic could not decide
// (a general error, or an unknown user when not authoritative): no other
// module authenticates, so authn_core refuses.
func (c *Checker) notAuthenticated(l logger) int {
	if c.cfg.NotAuthoritative {
		l.log(static.LevelError, "authn_core", nil, "AH01796: AuthType "+c.cfg.Type+" configured without corresponding module")
	}
	return http.StatusInternalServerError
}

// challenge asks for credentials: 401 with WWW-Authenticate (apache2's
// err_headers_out, so an error page keeps it).
func (c *Checker) challenge(w http.ResponseWriter) int {
	if w == nil {
		return http.StatusUnauthorized
	}
	w.Header()["Www-Authenticate"] = []string{`Basic realm="` + escapeQuotes(c.cfg.Name) + `"`}
	return http.StatusUnauthorized
}

// escapeQuotes puts a backslash before each double quote of s that has none,
// as apache2's ap_escape_quotes does for the realm.
func escapeQuotes(s string) string {
	if !strings.Contains(s, `"`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '\\' && i+1 < len(s) {
			b.WriteString(s[i : i+2])
			i += 2
		}
		if i < len(s) && s[i] == '"' {
			b.WriteByte('\\')
		}
		if i < len(s) {
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

// basic reads r's Authorization field as mod_auth_basic's get_basic_auth: the
// user and password sent, or the status to answer.
func (c *Checker) basic(w http.ResponseWriter, r *http.Request, l logger) (user, password string, status int) {
	v := r.Header["Authorization"]
	if len(v) == 0 {
		return "", "", c.challenge(w)
	}
	line := v[0]
	scheme, rest, _ := strings.Cut(line, " ")
	if !strings.EqualFold(scheme, "basic") {
		l.log(static.LevelError, "auth_basic", nil, "AH01614: client used wrong authentication scheme: "+r.URL.Path)
		return "", "", c.challenge(w)
	}
	decoded := decodeBase64(strings.TrimLeft(rest, " \t"))
	if i := strings.IndexByte(decoded, 0); i >= 0 {
		decoded = decoded[:i] // apache2 reads C strings
	}
	user, password, _ = strings.Cut(decoded, ":")
	if w != nil {
		http1.SetUser(r, user)
	}
	return user, password, 0
}

// decodeBase64 decodes s as apr_base64_decode does: up to the first character
// outside the alphabet ('=' included), a trailing lone character ignored.
func decodeBase64(s string) string {
	n := 0
	for n < len(s) && isBase64(s[n]) {
		n++
	}
	s = s[:n]
	if len(s)%4 == 1 {
		s = s[:len(s)-1]
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return ""
	}
	return string(b)
}

func isBase64(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/'
}

// grants is one Require line's verdict for the authenticated user, as
// mod_authz_user and mod_authz_groupfile decide it.
func (c *Checker) grants(req *Require, user string, l logger, now time.Time) bool {
	switch req.Provider {
	case "valid-user":
		return true
	case "user":
		for _, a := range req.Args {
			if a == user {
				return true
			}
		}
	case "group":
		if c.cfg.GroupFile == "" {
			l.log(static.LevelError, "authz_groupfile", nil, "AH01664: No group file was specified in the configuration")
			return false
		}
		st := groupFile(c.cfg.GroupFile).state(now)
		if st.err != nil {
			l.log(static.LevelError, "authz_groupfile", errno(st.err), "AH01665: Could not open group file: "+c.cfg.GroupFile)
			return false
		}
		in := st.parsed.(groups)[user]
		if len(in) == 0 {
			l.log(static.LevelInfo, "authz_groupfile", nil, "AH01666: Authorization of user "+user+" to access "+l.r.URL.Path+
				" failed, reason: user doesn't appear in group file ("+c.cfg.GroupFile+").")
			return false
		}
		for _, a := range req.Args {
			if in[a] {
				return true
			}
		}
	}
	return false
}
