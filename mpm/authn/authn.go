// Package authn is HTTP Basic authentication as apache2 2.4's mod_auth_basic,
// mod_authn_core, mod_authn_file, mod_authz_user and mod_authz_groupfile apply
// it: the directives AuthType (Basic, None), AuthName, AuthBasicProvider
// (file), AuthBasicAuthoritative, AuthUserFile and AuthGroupFile, and the
// Require providers user, valid-user and group (registered with package
// authz). Package site merges the directives per path and gives the
// Authenticator of the merged configuration to the authz Policy, which calls
// it when the Require lines need a user, then asks them again with the user.
//
// An Authenticator answers as apache2 does: 401 with WWW-Authenticate: Basic
// realm="AuthName" (no credentials, another scheme, an unknown user, a wrong
// password), 500 for a configuration that cannot authenticate, and the error
// log lines apache2 writes (AH01614, AH01617, AH01618, AH01620, ...). The user
// name sent, right or wrong, is the access log's %u (http1.SetUser), as
// apache2's r->user is.
//
// Password files are read when first needed and again when they change
// (looked at, stat, at every request, see textFile); hashes are checked by
// Match on the request's goroutine, as apache2 does (a bcrypt check costs
// about as much CPU in both); no check's outcome is remembered.
package authn

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/httpd-mpm/httpd-mpm/mpm/authz"
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

func init() {
	authz.Register("valid-user", func([]string) (authz.Checker, error) { return userChecker{valid: true}, nil })
	authz.Register("user", func(args []string) (authz.Checker, error) { return userChecker{names: args}, nil })
	authz.Register("group", func(args []string) (authz.Checker, error) { return groupChecker(args), nil })
}

// An Authenticator is AuthType Basic with one merged configuration: the
// authz.Authenticator of the Policies under it.
type Authenticator struct {
	cfg Config
	log *authz.Log
}

// authenticators are those made, by configuration and log: a configuration
// merged anew for each request gets the same one each time.
var authenticators sync.Map // authKey -> *Authenticator

type authKey struct {
	cfg Config
	log *authz.Log
}

// For is the authentication cfg sets up, logging to log; nil without an
// AuthType (or with AuthType None).
func For(cfg Config, log *authz.Log) authz.Authenticator {
	if cfg.Type == "" {
		return nil
	}
	k := authKey{cfg, log}
	if a, ok := authenticators.Load(k); ok {
		return a.(*Authenticator)
	}
	a, _ := authenticators.LoadOrStore(k, &Authenticator{cfg: cfg, log: log})
	return a.(*Authenticator)
}

// identity is the user a request authenticated as, with the authentication
// that established it; it holds for that request only (req), not for the
// subrequests made from it, which authenticate anew as apache2's do.
type identity struct {
	req  *http.Request
	user string
	a    *Authenticator
}

type identityKey struct{}

// authenticated is r's identity, nil when r has none.
func authenticated(r *http.Request) *identity {
	if id, ok := r.Context().Value(identityKey{}).(*identity); ok && id.req == r {
		return id
	}
	return nil
}

// logger reports through an authz.Log about one request.
type logger struct {
	l *authz.Log
	r *http.Request
}

func (l logger) log(level static.Level, module string, err error, msg string) {
	if l.l.Enabled(level) {
		l.l.Func(l.r, level, module, err, msg)
	}
}

// Authenticate is apache2's check_user_id hooks for r (mod_auth_basic's, then
// mod_authn_core's): 0 once r has an authenticated user, else the status to
// answer, logged as apache2 logs it. A nil w is a subrequest's look.
func (a *Authenticator) Authenticate(w http.ResponseWriter, r *http.Request) int {
	l := logger{a.log, r}
	uri := r.URL.Path
	switch {
	case !strings.EqualFold(a.cfg.Type, "basic"):
		l.log(static.LevelError, "authn_core", nil, "AH01796: AuthType "+a.cfg.Type+" configured without corresponding module")
		return http.StatusInternalServerError
	case a.cfg.set&setName == 0:
		l.log(static.LevelError, "auth_basic", nil, "AH01615: need AuthName: "+uri)
		return http.StatusInternalServerError
	}
	user, password, status := a.basic(w, r, l)
	if status != 0 {
		return status
	}
	if a.cfg.UserFile == "" {
		l.log(static.LevelError, "authn_file", nil, "AH01619: AuthUserFile not specified in the configuration")
		return a.notAuthenticated(l)
	}
	st := userFile(a.cfg.UserFile).state()
	if st.err != nil {
		l.log(static.LevelError, "authn_file", errno(st.err), "AH01620: Could not open password file: "+a.cfg.UserFile)
		return a.notAuthenticated(l)
	}
	hash, found := st.parsed.(map[string]string)[user]
	switch {
	case !found && a.cfg.NotAuthoritative:
		return a.notAuthenticated(l)
	case !found:
		l.log(static.LevelError, "auth_basic", nil, "AH01618: user "+user+" not found: "+uri)
		a.Challenge(w, r)
		return http.StatusUnauthorized
	case !Match(password, hash):
		l.log(static.LevelError, "auth_basic", nil, "AH01617: user "+user+": authentication failure for \""+uri+"\": Password Mismatch")
		a.Challenge(w, r)
		return http.StatusUnauthorized
	}
	// The Policy asks the providers again with the same r: the identity
	// goes into r itself.
	*r = *r.WithContext(context.WithValue(r.Context(), identityKey{}, &identity{r, user, a}))
	return 0
}

// User is the user r authenticated as.
func (a *Authenticator) User(r *http.Request) string {
	if id := authenticated(r); id != nil {
		return id.user
	}
	return ""
}

// Challenge asks for credentials: WWW-Authenticate on w (apache2's
// err_headers_out, so an error page keeps it); nothing for a subrequest.
func (a *Authenticator) Challenge(w http.ResponseWriter, r *http.Request) {
	if w != nil {
		w.Header()["Www-Authenticate"] = []string{`Basic realm="` + escapeQuotes(a.cfg.Name) + `"`}
	}
}

// userChecker is Require valid-user (valid) or Require user NAME...
type userChecker struct {
	valid bool
	names []string
}

func (c userChecker) Check(r *http.Request, _ *authz.Log) authz.Result {
	id := authenticated(r)
	switch {
	case id == nil:
		return authz.DeniedNoUser
	case c.valid || slices.Contains(c.names, id.user):
		return authz.Granted
	}
	return authz.Denied
}

// groupChecker is Require group NAME..., with the AuthGroupFile of the
// configuration the user authenticated under.
type groupChecker []string

func (c groupChecker) Check(r *http.Request, log *authz.Log) authz.Result {
	id := authenticated(r)
	if id == nil {
		return authz.DeniedNoUser
	}
	l, file := logger{log, r}, id.a.cfg.GroupFile
	if file == "" {
		l.log(static.LevelError, "authz_groupfile", nil, "AH01664: No group file was specified in the configuration")
		return authz.Denied
	}
	st := groupFile(file).state()
	if st.err != nil {
		l.log(static.LevelError, "authz_groupfile", errno(st.err), "AH01665: Could not open group file: "+file)
		return authz.Denied
	}
	in := st.parsed.(groups)[id.user]
	if len(in) == 0 {
		l.log(static.LevelInfo, "authz_groupfile", nil, "AH01666: Authorization of user "+id.user+" to access "+r.URL.Path+
			" failed, reason: user doesn't appear in group file ("+file+").")
		return authz.Denied
	}
	for _, g := range c {
		if in[g] {
			return authz.Granted
		}
	}
	return authz.Denied
}

// notAuthenticated is apache2's answer when mod_auth_basic could not decide
// (a general error, or an unknown user when not authoritative): no other
// module authenticates, so authn_core refuses.
func (a *Authenticator) notAuthenticated(l logger) int {
	if a.cfg.NotAuthoritative {
		l.log(static.LevelError, "authn_core", nil, "AH01796: AuthType "+a.cfg.Type+" configured without corresponding module")
	}
	return http.StatusInternalServerError
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
func (a *Authenticator) basic(w http.ResponseWriter, r *http.Request, l logger) (user, password string, status int) {
	if w != nil {
		http1.SetAuthType(r, a.cfg.Type)
	}
	v := r.Header["Authorization"]
	if len(v) == 0 {
		a.Challenge(w, r)
		return "", "", http.StatusUnauthorized
	}
	line := v[0]
	scheme, rest, _ := strings.Cut(line, " ")
	if !strings.EqualFold(scheme, "basic") {
		l.log(static.LevelError, "auth_basic", nil, "AH01614: client used wrong authentication scheme: "+r.URL.Path)
		a.Challenge(w, r)
		return "", "", http.StatusUnauthorized
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
