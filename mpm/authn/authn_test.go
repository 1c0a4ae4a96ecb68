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

	"github.com/httpd-mpm/httpd-mpm/mpm/authz"
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

// TestUserFileReread: a changed file is read again at the next look, even
// when the change keeps its size and modification time; a file gone is an
// error at once.
func TestUserFileReread(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users")
	if err := os.WriteFile(path, []byte("alice:one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &textFile{path: path, parse: parseUsers}
	user := func() string {
		s := f.state()
		if s.err != nil {
			return s.err.Error()
		}
		return s.parsed.(map[string]string)["alice"]
	}
	if got := user(); got != "one" {
		t.Fatalf("alice's hash %q", got)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("alice:two\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The same size and modification time: the change time tells.
	if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if got := user(); got != "two" {
		t.Errorf("after a change of the same size and time: %q, want the new hash", got)
	}
	if err := os.WriteFile(path, []byte("alice:three, longer\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := user(); got != "three, longer" {
		t.Errorf("after a change: %q, want the new hash", got)
	}
	first := f.cur.Load()
	if user(); f.cur.Load() != first {
		t.Error("an unchanged file was read again")
	}
	os.Remove(path)
	if got := user(); !strings.Contains(got, "no such file") {
		t.Errorf("removed file: %q", got)
	}
}

// logged collects what is logged.
type logged []string

func (l *logged) log(r *http.Request, level static.Level, module string, err error, msg string) {
	s := module + ": " + msg
	if err != nil {
		s = module + ": (" + err.Error() + ") " + msg
	}
	*l = append(*l, s)
}

// TestAuthenticate: the answers and log lines of Require lines that need a
// user, through package authz's Policy with an Authenticator.
func TestAuthenticate(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users")
	os.WriteFile(users, []byte("alice:{SHA}"+sha1b64("pw")+"\nbob:{SHA}"+sha1b64("bob")+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "groups"), []byte("staff: bob\n"), 0o644)
	var cfg Config
	for _, d := range [][]string{{"AuthType", "Basic"}, {"AuthName", `My "realm"`}, {"AuthUserFile", users}, {"AuthGroupFile", filepath.Join(dir, "groups")}} {
		if err := cfg.Set(d[0], d[1:]); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		require [][]string
		auth    string // Authorization field, "" for none
		status  int
		log     string
	}{
		{[][]string{{"valid-user"}}, "", 401, ""},
		{[][]string{{"valid-user"}}, "Digest x", 401, "auth_basic: AH01614: client used wrong authentication scheme: /p"},
		{[][]string{{"valid-user"}}, basicAuth("carol:pw"), 401, "auth_basic: AH01618: user carol not found: /p"},
		{[][]string{{"valid-user"}}, basicAuth("alice:no"), 401, `auth_basic: AH01617: user alice: authentication failure for "/p": Password Mismatch`},
		{[][]string{{"valid-user"}}, basicAuth("alice:pw"), 0, ""},
		{[][]string{{"user", "bob", "alice"}}, basicAuth("alice:pw"), 0, ""},
		{[][]string{{"user", "bob"}}, basicAuth("alice:pw"), 401, `authz_core: AH01631: user alice: authorization failure for "/p": `},
		{[][]string{{"group", "staff"}}, basicAuth("bob:bob"), 0, ""},
		{[][]string{{"user", "x"}, {"group", "staff"}}, basicAuth("bob:bob"), 0, ""},
		{[][]string{{"all", "granted"}, {"user", "x"}}, "", 0, ""},
		{nil, basicAuth("bob:bob"), 500, "authz_core: AH01627: AuthType configured with no corresponding authorization directives"},
	}
	for _, c := range cases {
		var l logged
		log := &authz.Log{Func: l.log, Level: static.LevelInfo}
		var level authz.Level
		for _, req := range c.require {
			if err := level.Add(authz.Item{Name: "Require", Args: req}); err != nil {
				t.Fatal(err)
			}
		}
		r := httptest.NewRequest("GET", "/p", nil)
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		w := httptest.NewRecorder()
		status := 0
		if p := level.Policy(log, For(cfg, log)); p != nil {
			status, _ = p.Check(w, r)
		}
		if status != c.status || strings.Join(l, "\n") != c.log {
			t.Errorf("%v with %q: %d, logged %q; want %d, %q", c.require, c.auth, status, l, c.status, c.log)
		}
		challenge := w.Header().Get("WWW-Authenticate")
		if (status == 401) != (challenge == `Basic realm="My \"realm\""`) {
			t.Errorf("%v with %q: %d with WWW-Authenticate %q", c.require, c.auth, status, challenge)
		}
	}
	var none Config
	none.Set("AuthType", []string{"None"})
	if a := For(none, nil); a != nil {
		t.Errorf("AuthType None authenticates: %v", a)
	}
}

func basicAuth(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
