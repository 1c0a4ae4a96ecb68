package authn

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

func TestParseUsers(t *testing.T) {
	got := parseUsers([]byte("# comment\n\n  alice:$apr1$x$y  \nbob::{SHA}z:comment\nalice:second\ncarol\n"))
	want := map[string]string{"alice": "$apr1$x$y", "bob": "{SHA}z", "carol": ""}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseUsers = %v, want %v", got, want)
	}
}

func TestParseGroups(t *testing.T) {
	got := parseGroups([]byte("staff : alice  bob\n#x: carol\nquoted: \"d e\" 'f\\'g' h\n\nadmin:alice\n"))
	want := groups{
		"alice": {"staff": true, "admin": true}, "bob": {"staff": true},
		"d e": {"quoted": true}, "f'g": {"quoted": true}, "h": {"quoted": true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseGroups = %v, want %v", got, want)
	}
}

func TestDecodeBase64(t *testing.T) {
	std := base64.StdEncoding.EncodeToString
	for in, want := range map[string]string{
		std([]byte("alice:pw")): "alice:pw",
		std([]byte("ab")):       "ab", // padded
		"YWI":                   "ab", // unpadded
		"YWJj!!!":               "abc",
		"!!!":                   "",
		"YWJjZ":                 "abc", // a lone trailing character
	} {
		if got := decodeBase64(in); got != want {
			t.Errorf("decodeBase64(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEscapeQuotes(t *testing.T) {
	for in, want := range map[string]string{`plain`: `plain`, `a"b`: `a\"b`, `a\"b`: `a\"b`, `a\b"`: `a\b\"`} {
		if got := escapeQuotes(in); got != want {
			t.Errorf("escapeQuotes(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConfigMerge(t *testing.T) {
	var outer, inner Config
	for _, d := range [][]string{{"AuthType", "Basic"}, {"AuthName", "outer"}, {"AuthUserFile", "/u"}} {
		if err := outer.Set(d[0], d[1:]); err != nil {
			t.Fatal(err)
		}
	}
	if err := inner.Set("AuthName", []string{"inner"}); err != nil {
		t.Fatal(err)
	}
	m := Config{}.Merge(&outer).Merge(&inner)
	if m.Type != "Basic" || m.Name != "inner" || m.UserFile != "/u" {
		t.Errorf("merged %+v", m)
	}
	var none Config
	none.Set("AuthType", []string{"None"})
	if m = m.Merge(&none); m.Type != "" {
		t.Errorf("AuthType None leaves %q", m.Type)
	}
	for _, d := range [][]string{{"AuthBasicProvider", "file", "dbm"}, {"AuthBasicAuthoritative", "maybe"}} {
		if err := new(Config).Set(d[0], d[1:]); err == nil {
			t.Errorf("%v accepted", d)
		}
	}
}

// TestUserFileReread: a changed file is read again once a second has passed
// since it was last looked at, not before.
func TestUserFileReread(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users")
	if err := os.WriteFile(path, []byte("alice:one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &textFile{path: path, parse: parseUsers}
	now := time.Now()
	user := func(at time.Time) string {
		s := f.state(at)
		if s.err != nil {
			return s.err.Error()
		}
		return s.parsed.(map[string]string)["alice"]
	}
	if got := user(now); got != "one" {
		t.Fatalf("alice's hash %q", got)
	}
	if err := os.WriteFile(path, []byte("alice:two, longer\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := user(now.Add(recheck / 2)); got != "one" {
		t.Errorf("looked at again within %v: %q", recheck, got)
	}
	if got := user(now.Add(recheck)); got != "two, longer" {
		t.Errorf("after %v: %q, want the new hash", recheck, got)
	}
	os.Remove(path)
	if got := user(now.Add(3 * recheck)); !strings.Contains(got, "no such file") {
		t.Errorf("removed file: %q", got)
	}
}

// logged collects what a Checker logs.
type logged []string

func (l *logged) log(r *http.Request, level static.Level, module string, err error, msg string) {
	s := module + ": " + msg
	if err != nil {
		s = module + ": (" + err.Error() + ") " + msg
	}
	*l = append(*l, s)
}

func TestAuthorize(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users")
	os.WriteFile(users, []byte("alice:{SHA}"+sha1b64("pw")+"\nbob:{SHA}"+sha1b64("bob")+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "groups"), []byte("staff: bob\n"), 0o644)
	cfg := Config{Type: "Basic", Name: `My "realm"`, UserFile: users, GroupFile: filepath.Join(dir, "groups"), set: setType | setName | setUserFile | setGroupFile}
	cases := []struct {
		reqs   []Require
		auth   string // Authorization field, "" for none
		status int
		log    string
	}{
		{[]Require{{"valid-user", nil}}, "", 401, ""},
		{[]Require{{"valid-user", nil}}, "Digest x", 401, "auth_basic: AH01614: client used wrong authentication scheme: /p"},
		{[]Require{{"valid-user", nil}}, basicAuth("carol:pw"), 401, "auth_basic: AH01618: user carol not found: /p"},
		{[]Require{{"valid-user", nil}}, basicAuth("alice:no"), 401, `auth_basic: AH01617: user alice: authentication failure for "/p": Password Mismatch`},
		{[]Require{{"valid-user", nil}}, basicAuth("alice:pw"), 0, ""},
		{[]Require{{"user", []string{"bob", "alice"}}}, basicAuth("alice:pw"), 0, ""},
		{[]Require{{"user", []string{"bob"}}}, basicAuth("alice:pw"), 401, `authz_core: AH01631: user alice: authorization failure for "/p": `},
		{[]Require{{"group", []string{"staff"}}}, basicAuth("bob:bob"), 0, ""},
		{[]Require{{"user", []string{"x"}}, {"group", []string{"staff"}}}, basicAuth("bob:bob"), 0, ""},
		{nil, basicAuth("bob:bob"), 500, "authz_core: AH01627: AuthType configured with no corresponding authorization directives"},
	}
	for _, c := range cases {
		var l logged
		r := httptest.NewRequest("GET", "/p", nil)
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		w := httptest.NewRecorder()
		status := New(cfg, c.reqs).Authorize(w, r, l.log, static.LevelInfo)
		if status != c.status || strings.Join(l, "\n") != c.log {
			t.Errorf("%v with %q: %d, logged %q; want %d, %q", c.reqs, c.auth, status, l, c.status, c.log)
		}
		challenge := w.Header().Get("WWW-Authenticate")
		if (status == 401) != (challenge == `Basic realm="My \"realm\""`) {
			t.Errorf("%v with %q: %d with WWW-Authenticate %q", c.reqs, c.auth, status, challenge)
		}
	}
}

func basicAuth(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
