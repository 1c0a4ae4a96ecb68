package authz

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

func req(method, remote string) *http.Request {
	return &http.Request{Method: method, RemoteAddr: remote, URL: &url.URL{Path: "/x"}, Header: http.Header{}}
}

// level builds a level from config-like lines: "Require ...", "<RequireAll>" ...
// "</RequireAll>", "AuthMerging ...", "Order ...".
func level(t *testing.T, lines ...string) Level {
	t.Helper()
	var l Level
	items, rest := parseItems(lines)
	if len(rest) != 0 {
		t.Fatalf("unbalanced: %v", rest)
	}
	for _, it := range items {
		if err := l.Add(it); err != nil {
			t.Fatalf("%s: %v", it.Name, err)
		}
	}
	if err := l.Check(); err != nil {
		t.Fatal(err)
	}
	return l
}

func parseItems(lines []string) ([]Item, []string) {
	var out []Item
	for len(lines) > 0 {
		f := strings.Fields(lines[0])
		lines = lines[1:]
		switch {
		case strings.HasPrefix(f[0], "</"):
			return out, lines
		case strings.HasPrefix(f[0], "<"):
			var sub []Item
			sub, lines = parseItems(lines)
			args := strings.Fields(strings.TrimSuffix(strings.Join(f[1:], " "), ">"))
			out = append(out, Item{Name: strings.Trim(f[0], "<>"), Args: args, Section: sub})
		default:
			out = append(out, Item{Name: f[0], Args: f[1:]})
		}
	}
	return out, nil
}

func status(l Level, r *http.Request) int {
	if l.Denies() {
		return http.StatusForbidden
	}
	st, _ := l.Policy(nil, nil).Check(nil, r)
	return st
}

func TestProviders(t *testing.T) {
	cases := []struct {
		lines  []string
		method string
		remote string
		want   int
	}{
		{[]string{"Require all granted"}, "GET", "10.0.0.1:1", 0},
		{[]string{"Require all denied"}, "GET", "10.0.0.1:1", 403},
		{[]string{"Require ip 10.1"}, "GET", "10.1.200.3:1", 0},
		{[]string{"Require ip 10.1."}, "GET", "10.2.0.3:1", 403},
		{[]string{"Require ip 10.1.2.3"}, "GET", "10.1.2.3:1", 0},
		{[]string{"Require ip 10.1.2.0/24"}, "GET", "10.1.2.200:1", 0},
		{[]string{"Require ip 10.1.2.0/255.255.255.0"}, "GET", "10.1.3.1:1", 403},
		{[]string{"Require ip 10.1.2.0/255.255.255.0"}, "GET", "[::ffff:10.1.2.9]:1", 0},
		{[]string{"Require ip 2001:db8::/32"}, "GET", "[2001:db8::5]:1", 0},
		{[]string{"Require ip 2001:db8::/32"}, "GET", "[2001:db9::5]:1", 403},
		{[]string{"Require ip ::1"}, "GET", "[::1]:1", 0},
		{[]string{"Require local"}, "GET", "[::1]:1", 0},
		{[]string{"Require local"}, "GET", "127.9.9.9:1", 0},
		{[]string{"Require local"}, "GET", "10.0.0.1:1", 403},
		{[]string{"Require method GET"}, "HEAD", "10.0.0.1:1", 0},
		{[]string{"Require method POST"}, "GET", "10.0.0.1:1", 403},
		{[]string{"Require method POST PUT"}, "PUT", "10.0.0.1:1", 0},
		{[]string{"Require valid-user"}, "GET", "10.0.0.1:1", 403},
		{[]string{"Require user bob"}, "GET", "10.0.0.1:1", 403},
		{[]string{"Require group staff"}, "GET", "10.0.0.1:1", 403},
		{[]string{"<RequireAll>", "Require all granted", "Require not ip 10.0.0.1", "</RequireAll>"}, "GET", "10.0.0.1:1", 403},
		{[]string{"<RequireAll>", "Require all granted", "Require not ip 10.0.0.1", "</RequireAll>"}, "GET", "10.0.0.2:1", 0},
		{[]string{"<RequireAll>", "Require ip 10.0.0.0/8", "<RequireNone>", "Require ip 10.0.0.3", "Require method POST", "</RequireNone>", "</RequireAll>"}, "GET", "10.0.0.2:1", 0},
		{[]string{"<RequireAll>", "Require ip 10.0.0.0/8", "<RequireNone>", "Require ip 10.0.0.3", "Require method POST", "</RequireNone>", "</RequireAll>"}, "POST", "10.0.0.2:1", 403},
		{[]string{"Require ip 10.0.0.9", "<RequireAll>", "Require ip 10.0.0.0/8", "Require method GET", "</RequireAll>"}, "GET", "10.0.0.2:1", 0},
		{[]string{"Require ip 10.0.0.9", "<RequireAll>", "Require ip 10.0.0.0/8", "Require method GET", "</RequireAll>"}, "PUT", "10.0.0.2:1", 403},
		{[]string{"Order deny,allow", "Deny from all", "Allow from 10.0.0.2"}, "GET", "10.0.0.2:1", 0},
		{[]string{"Order deny,allow", "Deny from all", "Allow from 10.0.0.2"}, "GET", "10.0.0.3:1", 403},
		{[]string{"Order allow,deny", "Allow from 10.0.0.0/8", "Deny from 10.0.0.2"}, "GET", "10.0.0.2:1", 403},
		{[]string{"Order allow,deny"}, "GET", "10.0.0.2:1", 403},
		{[]string{"Order mutual-failure", "Allow from 10.0.0.0/8", "Deny from 10.0.0.2"}, "GET", "10.0.0.3:1", 0},
		{[]string{"Deny from env=!SET"}, "GET", "10.0.0.3:1", 403},
		{[]string{"Order allow,deny", "Allow from 10.0.0.1", "Satisfy any", "Require ip 10.0.0.2"}, "GET", "10.0.0.2:1", 0},
		{[]string{"Order allow,deny", "Allow from 10.0.0.1", "Satisfy any", "Require ip 10.0.0.2"}, "GET", "10.0.0.1:1", 0},
		{[]string{"Order allow,deny", "Allow from 10.0.0.1", "Satisfy any", "Require ip 10.0.0.2"}, "GET", "10.0.0.3:1", 403},
		{[]string{"Order allow,deny", "Allow from 10.0.0.1", "Satisfy all", "Require ip 10.0.0.2"}, "GET", "10.0.0.2:1", 403},
	}
	for _, c := range cases {
		got := status(level(t, c.lines...), req(c.method, c.remote))
		if got != c.want {
			t.Errorf("%q, %s from %s: %d, want %d", c.lines, c.method, c.remote, got, c.want)
		}
	}
}

// TestMerge: a level with Require lines replaces the inherited ones; AuthMerging
// And/Or combines them; Off replaces; a level without any inherits.
func TestMerge(t *testing.T) {
	parent := level(t, "Require ip 10.0.0.1 10.0.0.2")
	r1, r2, r3 := req("GET", "10.0.0.1:1"), req("GET", "10.0.0.2:1"), req("GET", "10.0.0.3:1")
	check := func(name string, l Level, want ...int) {
		t.Helper()
		for i, r := range []*http.Request{r1, r2, r3} {
			if got := status(l, r); got != want[i] {
				t.Errorf("%s: %s: %d, want %d", name, r.RemoteAddr, got, want[i])
			}
		}
	}
	check("inherit", Merge(parent, level(t, "Order deny,allow")), 0, 0, 403)
	check("replace", Merge(parent, level(t, "Require ip 10.0.0.3")), 403, 403, 0)
	check("and", Merge(parent, level(t, "AuthMerging And", "<RequireAll>", "Require not ip 10.0.0.2", "Require all granted", "</RequireAll>")), 0, 403, 403)
	check("or", Merge(parent, level(t, "AuthMerging Or", "Require ip 10.0.0.3")), 0, 0, 0)
	check("off", Merge(Merge(parent, level(t, "AuthMerging Or", "Require ip 10.0.0.3")), level(t, "AuthMerging Off", "Require ip 10.0.0.3")), 403, 403, 0)
	check("and without lines", Merge(parent, level(t, "AuthMerging And")), 0, 0, 403)
	// Allow/Deny of a level replace the inherited ones whole.
	deny := Merge(Level{}, level(t, "Deny from 10.0.0.1"))
	check("compat", deny, 403, 0, 0)
	check("compat replaced", Merge(deny, level(t, "Satisfy all")), 0, 0, 0)
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		lines []string
		want  string
	}{
		{[]string{"Require not ip 10.0.0.1"}, "negative Require directive has no effect in <RequireAny> directive"},
		{[]string{"<RequireNone>", "Require ip 1.2.3.4", "</RequireNone>"}, "<RequireNone> directive has no effect in <RequireAny> directive"},
		{[]string{"<RequireAll>", "</RequireAll>"}, "<RequireAll> directive contains no authorization directives"},
		{[]string{"Require ip 10.0.0.300"}, "ip address '10.0.0.300' appears to be invalid: The specified IP address is invalid."},
		{[]string{"Require ip 10.0.0.1/33"}, "ip address '10.0.0.1/33' appears to be invalid: The specified network mask is invalid."},
		{[]string{"Require ip 10.1/8"}, "ip address '10.1/8' appears to be invalid: The specified IP address is invalid."},
		{[]string{"Require ip ::ffff:1.2.3.4"}, "The specified IP address is invalid."},
		{[]string{"Require ip foo"}, "ip address 'foo' appears to be invalid"},
		{[]string{"Require ip"}, "'require ip' requires an argument"},
		{[]string{"Require"}, "Unknown Authz provider: "},
		{[]string{"Require not"}, "Unknown Authz provider: "},
		{[]string{"Require bogus"}, "Unknown Authz provider: bogus"},
		{[]string{"Require method get"}, "Invalid Method 'get'"},
		{[]string{"Require all maybe"}, "Argument for 'Require all' must be 'granted' or 'denied'"},
		{[]string{"Order allow"}, "unknown order"},
		{[]string{"Allow 1.2.3.4 x"}, "allow and deny must be followed by 'from'"},
		{[]string{"Allow from 1.2.3.4/x"}, "The specified network mask is invalid."},
		{[]string{"Allow from foo/x"}, "An IP address was expected"},
		{[]string{"Deny from foo#x"}, "No comments are allowed here"},
		{[]string{"Satisfy some"}, "Satisfy either 'any' or 'all'."},
		{[]string{"AuthMerging x"}, "AuthMerging must be one of: Off | And | Or"},
	}
	for _, c := range cases {
		var l Level
		items, _ := parseItems(c.lines)
		var err error
		for _, it := range items {
			if err = l.Add(it); err != nil {
				break
			}
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.lines, err, c.want)
		}
	}
	// Only negative lines in a section: AH01624 at the check.
	var l Level
	items, _ := parseItems([]string{"<RequireAll>", "Require not ip 1.2.3.4", "</RequireAll>"})
	if err := l.Add(items[0]); err != nil {
		t.Fatal(err)
	}
	if err := l.Check(); err == nil || err.Error() != "AH01624: <RequireAll> directive contains only negative authorization directives" {
		t.Errorf("only negative: %v", err)
	}
}

// TestNoUserSeam: a provider answering DeniedNoUser without authentication
// configured ends as apache2 ends it without an AuthType (500, AH00027), and
// a registered provider is used by Require.
func TestNoUserSeam(t *testing.T) {
	Register("test-nouser", func([]string) (Checker, error) {
		return CheckFunc(func(*http.Request, *Log) Result { return DeniedNoUser }), nil
	})
	defer delete(providers, "test-nouser")
	var logged []string
	log := &Log{Func: func(r *http.Request, level static.Level, module string, err error, msg string) {
		logged = append(logged, module+" "+msg)
	}, Level: LevelDebug}
	l := level(t, "Require ip 10.9.9.9", "Require test-nouser")
	st, why := l.Policy(log, nil).Check(nil, req("GET", "10.0.0.1:1"))
	if st != http.StatusInternalServerError || why != nil {
		t.Errorf("DeniedNoUser: %d %v", st, why)
	}
	want := []string{
		"authz_core AH01626: authorization result of Require ip 10.9.9.9: denied",
		"authz_core AH01626: authorization result of Require test-nouser : denied (no authenticated user yet)",
		"authz_core AH01626: authorization result of <RequireAny>: denied (no authenticated user yet)",
		"core AH00027: No authentication done but request not allowed without authentication for /x. Authentication not configured?",
	}
	if strings.Join(logged, "\n") != strings.Join(want, "\n") {
		t.Errorf("logged:\n%s\nwant:\n%s", strings.Join(logged, "\n"), strings.Join(want, "\n"))
	}
}

// TestConstantLevels: levels decided without the request need no Policy.
func TestConstantLevels(t *testing.T) {
	if p := level(t, "Require all granted").Policy(nil, nil); p != nil {
		t.Error("Require all granted has a policy")
	}
	if p := (Level{}).Policy(nil, nil); p != nil {
		t.Error("no Require has a policy")
	}
	if !level(t, "Require all denied", "Require all denied").Denies() {
		t.Error("Require all denied does not deny")
	}
	if level(t, "Require all denied", "Require ip 1.2.3.4").Denies() {
		t.Error("Require ip denies everyone")
	}
	if p := level(t, "Require all granted", "Require ip 1.2.3.4").Policy(nil, nil); p != nil {
		t.Error("a grant in a RequireAny does not decide")
	}
	if p := level(t, "Deny from 1.2.3.4", "Require all granted").Policy(nil, nil); p == nil {
		t.Error("Deny from has no policy")
	}
	if p := level(t, "Require all granted").Policy(&Log{Func: func(*http.Request, static.Level, string, error, string) {}, Level: LevelDebug}, nil); p == nil {
		t.Error("debug logging has no policy")
	}
}

func TestInDomain(t *testing.T) {
	for _, c := range []struct {
		domain, what string
		want         bool
	}{
		{"example.com", "example.com", true},
		{"example.com", "www.Example.COM", true},
		{"example.com", "badexample.com", false},
		{".example.com", "example.com", false},
		{"ample.com", "example.com", false},
		{".com", "example.com", true},
	} {
		if got := InDomain(c.domain, c.what); got != c.want {
			t.Errorf("InDomain(%q, %q) = %v", c.domain, c.what, got)
		}
	}
}

// TestEnv: Require env and Allow/Deny from env= ask RequestEnv.
func TestEnv(t *testing.T) {
	r := req("GET", "10.0.0.1:1")
	requireEnv, denyEnv := level(t, "Require env A B"), level(t, "Deny from env=B")
	notEnv := level(t, "Order allow,deny", "Allow from env=!B")
	if status(requireEnv, r) != 403 || status(denyEnv, r) != 0 || status(notEnv, r) != 0 {
		t.Error("without request variables")
	}
	defer func(f func(*http.Request, string) bool) { RequestEnv = f }(RequestEnv)
	RequestEnv = func(_ *http.Request, name string) bool { return name == "B" }
	if status(requireEnv, r) != 0 || status(denyEnv, r) != 403 || status(notEnv, r) != 403 {
		t.Error("with B set")
	}
}

func TestUnsupportedProvider(t *testing.T) {
	var l Level
	err := l.Add(Item{Name: "Require", Args: []string{"ssl"}})
	if err == nil || err.Error() != "the ssl Authz provider is not supported by this server" {
		t.Errorf("Require ssl: %v", err)
	}
}

// fakeAuthn authenticates requests with an X-User field, as a stand-in for
// AuthType Basic; the user providers see the user once authenticated.
type fakeAuthn struct{ challenged int }

func (f *fakeAuthn) Authenticate(w http.ResponseWriter, r *http.Request) int {
	if r.Header.Get("X-User") == "" {
		f.Challenge(w, r)
		return http.StatusUnauthorized
	}
	r.Header.Set("X-Authenticated", r.Header.Get("X-User"))
	return 0
}
func (f *fakeAuthn) User(r *http.Request) string                      { return r.Header.Get("X-Authenticated") }
func (f *fakeAuthn) Challenge(w http.ResponseWriter, r *http.Request) { f.challenged++ }

// TestAuthenticatorSeam: a provider that needs a user (DeniedNoUser without one)
// makes the Policy authenticate, then decide again with the user, as apache2's
// check_user_id and auth_checker hooks do; a grant before that needs no user.
func TestAuthenticatorSeam(t *testing.T) {
	Register("test-user", func(args []string) (Checker, error) {
		return CheckFunc(func(r *http.Request, _ *Log) Result {
			switch u := r.Header.Get("X-Authenticated"); {
			case u == "":
				return DeniedNoUser
			case slices.Contains(args, u):
				return Granted
			}
			return Denied
		}), nil
	})
	defer delete(providers, "test-user")
	var logged []string
	log := &Log{Func: func(r *http.Request, level static.Level, module string, err error, msg string) {
		logged = append(logged, msg)
	}, Level: static.LevelWarn}
	a := &fakeAuthn{}
	p := level(t, "Require ip 10.0.0.1", "Require test-user bob").Policy(log, a)
	ask := func(remote, user string) int {
		r := req("GET", remote)
		if user != "" {
			r.Header.Set("X-User", user)
		}
		st, _ := p.Check(nil, r)
		return st
	}
	if st := ask("10.0.0.1:1", ""); st != 0 || a.challenged != 0 {
		t.Errorf("granted by ip: %d, challenged %d", st, a.challenged)
	}
	if st := ask("10.0.0.2:1", ""); st != http.StatusUnauthorized || a.challenged != 1 {
		t.Errorf("no user: %d, challenged %d", st, a.challenged)
	}
	if st := ask("10.0.0.2:1", "bob"); st != 0 {
		t.Errorf("bob: %d", st)
	}
	if st := ask("10.0.0.2:1", "eve"); st != http.StatusUnauthorized || a.challenged != 2 {
		t.Errorf("eve: %d, challenged %d", st, a.challenged)
	}
	want := `AH01631: user eve: authorization failure for "/x": `
	if len(logged) != 1 || logged[0] != want {
		t.Errorf("logged %q, want %q", logged, want)
	}
}

// TestLimit: lines in <Limit> and <LimitExcept> apply to their methods only (GET
// covering HEAD); a level whose lines all are for other methods grants.
func TestLimit(t *testing.T) {
	l := level(t, "<Limit POST PUT>", "Require ip 10.0.0.1", "Order allow,deny", "Allow from 10.0.0.0/8", "</Limit>")
	for _, c := range []struct {
		method, remote string
		want           int
	}{
		{"GET", "10.0.0.2:1", 0},
		{"POST", "10.0.0.1:1", 0},
		{"POST", "10.0.0.2:1", 403},
		{"PUT", "192.168.0.1:1", 403},
	} {
		if got := status(l, req(c.method, c.remote)); got != c.want {
			t.Errorf("<Limit POST PUT>: %s from %s: %d, want %d", c.method, c.remote, got, c.want)
		}
	}
	except := level(t, "<LimitExcept GET>", "Require all denied", "</LimitExcept>")
	if status(except, req("HEAD", "10.0.0.1:1")) != 0 || status(except, req("FOO", "10.0.0.1:1")) != 403 {
		t.Error("<LimitExcept GET>")
	}
	if except.Policy(nil, nil) == nil {
		t.Error("a limited Require all denied is not constant")
	}
	var bad Level
	if err := bad.Add(Item{Name: "Limit", Args: []string{"TRACE"}}); err == nil || err.Error() != "TRACE cannot be controlled by <Limit>, see TraceEnable" {
		t.Errorf("<Limit TRACE>: %v", err)
	}
}

// TestLimitOwnMethods: a method apache2 does not know that a <Limit> names is
// a method of its own (ap_method_register); the others, and other cases of
// it, are M_INVALID: in every <LimitExcept>, in no <Limit>. Require method
// then knows it too.
func TestLimitOwnMethods(t *testing.T) {
	except := level(t, "<LimitExcept GET XLIMITA>", "Require all denied", "Order deny,allow", "Deny from all", "</LimitExcept>")
	only := level(t, "<Limit XLIMITA>", "Require all denied", "</Limit>")
	for _, c := range []struct {
		method               string
		wantExcept, wantOnly int
	}{
		{"GET", 0, 0},
		{"XLIMITA", 0, 403},
		{"XLIMITB", 403, 0},
		{"xlimita", 403, 0},
		{"get", 403, 0},
		{"POST", 403, 0},
	} {
		if got := status(except, req(c.method, "10.0.0.1:1")); got != c.wantExcept {
			t.Errorf("<LimitExcept GET XLIMITA>: %s: %d, want %d", c.method, got, c.wantExcept)
		}
		if got := status(only, req(c.method, "10.0.0.1:1")); got != c.wantOnly {
			t.Errorf("<Limit XLIMITA>: %s: %d, want %d", c.method, got, c.wantOnly)
		}
	}
	if !MethodKnown("XLIMITA") || MethodKnown("XLIMITC") || MethodKnown("xlimita") {
		t.Error("MethodKnown")
	}
	if _, err := parseMethod([]string{"XLIMITA"}); err != nil {
		t.Errorf("Require method XLIMITA: %v", err)
	}
	if _, err := parseMethod([]string{"XLIMITC"}); err == nil || err.Error() != "Invalid Method 'XLIMITC'" {
		t.Errorf("Require method XLIMITC: %v", err)
	}
}
