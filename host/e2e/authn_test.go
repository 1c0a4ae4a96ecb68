package e2e_test

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const authnConf = `Listen 127.0.0.1:@P0@
ServerName main.test
DocumentRoot @DOCS@
CustomLog logs/auth_log "%u %>s \"%r\""
<Directory @DOCS@/bare>
    AuthType Basic
    AuthName bare
</Directory>
<Directory @DOCS@/valid>
    AuthType Basic
    AuthName "Valid \"Users\""
    AuthUserFile @DOCS@/../auth/htpasswd
    Require valid-user
</Directory>
<Directory @DOCS@/named>
    AuthType basic
    AuthName named
    AuthBasicProvider file
    AuthUserFile @DOCS@/../auth/htpasswd
    Require user alice carol
    ErrorDocument 401 "who are you?"
</Directory>
<Directory @DOCS@/group>
    AuthType Basic
    AuthName group
    AuthUserFile @DOCS@/../auth/htpasswd
    AuthGroupFile @DOCS@/../auth/groups
    Require group staff
</Directory>
<Directory @DOCS@/valid/sub>
    AuthName "sub realm"
</Directory>
<Files bob.txt>
    Require user bob
</Files>
<Directory @DOCS@/list>
    Options Indexes
</Directory>
<Directory @DOCS@/list/sec>
    AuthType Basic
    AuthName sec
    AuthUserFile @DOCS@/../auth/htpasswd
    Require user bob
</Directory>
<Files list-secret.txt>
    AuthType Basic
    AuthName listsecret
    AuthUserFile @DOCS@/../auth/htpasswd
    Require valid-user
</Files>
<Location /open>
    AuthType Basic
    AuthName open
    AuthUserFile @DOCS@/../auth/htpasswd
    Require all granted
    Require valid-user
</Location>
<Location /none>
    AuthType None
    Require valid-user
</Location>
<Location /noname>
    AuthType Basic
    AuthUserFile @DOCS@/../auth/htpasswd
    Require valid-user
</Location>
<Location /nofile>
    AuthType Basic
    AuthName nofile
    AuthUserFile @DOCS@/../auth/missing
    Require valid-user
</Location>
<Location /lenient>
    AuthType Basic
    AuthName lenient
    AuthBasicAuthoritative Off
    AuthUserFile @DOCS@/../auth/htpasswd
    Require valid-user
</Location>
<Location /mixed>
    AuthType Basic
    AuthName mixed
    AuthUserFile @DOCS@/../auth/htpasswd
    <RequireAll>
        Require valid-user
        Require not user bob
    </RequireAll>
</Location>
<Location /byip>
    AuthType Basic
    AuthName byip
    AuthUserFile @DOCS@/../auth/htpasswd
    Require ip 127.0.0.1
    Require valid-user
</Location>
<Location /nogroupfile>
    AuthType Basic
    AuthName nogroupfile
    AuthUserFile @DOCS@/../auth/htpasswd
    Require group staff
</Location>
`

// authnUsers are the users of the test's password file, each written by
// htpasswd with one of its hash formats, and the password of each.
var authnUsers = []struct{ user, flag, password string }{
	{"alice", "-m", "alice pw"}, // $apr1$, htpasswd's default
	{"bob", "-B", "bob:pw"},     // bcrypt
	{"carol", "-s", "carol"},    // {SHA}
	{"dave", "-2", "dave's"},    // $5$
	{"erin", "-5", "érin"},      // $6$
	{"plain", "-p", "plain"},    // plaintext: refused on Linux
	{"frank", "-d", "frankpw"},  // traditional DES crypt
}

// TestAuthnBasic: Basic authentication as apache2 2.4.71 answers it (status,
// WWW-Authenticate, page) for no credentials, another scheme, an unknown
// user, a wrong password, each hash format htpasswd writes, Require user,
// valid-user and group, HEAD, an ErrorDocument for 401, the configuration
// errors that make a 500, and the error and access logs' lines.
func TestAuthnBasic(t *testing.T) {
	htpasswd, err := exec.LookPath("htpasswd")
	if err != nil {
		t.Fatal("htpasswd not installed (apache2-utils)")
	}
	docs := map[string]string{
		"valid/v.txt":          "v\n",
		"valid/sub/s.txt":      "s\n",
		"valid/bob.txt":        "b\n",
		"named/n.txt":          "n\n",
		"group/g.txt":          "g\n",
		"open/o.txt":           "o\n",
		"none/x.txt":           "x\n",
		"noname/x.txt":         "x\n",
		"nofile/x.txt":         "x\n",
		"nogroupfile/x.txt":    "x\n",
		"valid/index.html":     "<p>index</p>\n",
		"mixed/x.txt":          "x\n",
		"byip/x.txt":           "x\n",
		"bare/x.txt":           "x\n",
		"lenient/x.txt":        "x\n",
		"plain.txt":            "p\n",
		"list/pub.txt":         "p\n",
		"list/list-secret.txt": "s\n",
		"list/sec/s.txt":       "s\n",
	}
	p := startPair(t, 1, authnConf, docs)
	dir := filepath.Join(filepath.Dir(p.apache.docs), "auth")
	must(t, os.MkdirAll(dir, 0o755))
	must(t, os.Chmod(dir, 0o755))
	pwfile := filepath.Join(dir, "htpasswd")
	for i, u := range authnUsers {
		args := []string{"-b", u.flag}
		if i == 0 {
			args = append(args, "-c")
		}
		out, err := exec.Command(htpasswd, append(args, pwfile, u.user, u.password)...).CombinedOutput()
		if err != nil {
			t.Fatalf("htpasswd %s: %v\n%s", u.flag, err, out)
		}
	}
	write(t, filepath.Join(dir, "groups"), "staff: bob dave\n# comment\nother : alice\n")
	must(t, os.Chmod(pwfile, 0o644))

	basic := func(path, credentials string) string {
		return "GET " + path + " HTTP/1.1\r\nHost: main.test\r\nAuthorization: Basic " +
			base64.StdEncoding.EncodeToString([]byte(credentials)) + "\r\nConnection: close\r\n\r\n"
	}
	reqs := []string{
		get("/valid/v.txt", "main.test"),
		"HEAD /valid/v.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /valid/v.txt HTTP/1.1\r\nHost: main.test\r\nAuthorization: Digest username=\"alice\"\r\nConnection: close\r\n\r\n",
		"GET /valid/v.txt HTTP/1.1\r\nHost: main.test\r\nAuthorization: Basic !!!\r\nConnection: close\r\n\r\n",
		"GET /valid/v.txt HTTP/1.1\r\nHost: main.test\r\nAuthorization: basic   " + base64.StdEncoding.EncodeToString([]byte("alice:alice pw")) + "\r\nConnection: close\r\n\r\n",
		basic("/valid/v.txt", "nobody:x"),
		basic("/valid/v.txt", "a\tb\x01\"c\\d\xff:x"),
		basic("/valid/v.txt", "alice:wrong"),
		basic("/valid/v.txt", "alice"),
		basic("/valid/v.txt", "plain:plain"),
		basic("/valid/missing.txt", "alice:wrong"),
		basic("/valid/missing.txt", "alice:alice pw"),
		basic("/valid/", "dave:dave's"),
		basic("/valid/sub/s.txt", "erin:érin"),
		basic("/valid/sub/s.txt", "frank:frankpw"),
		basic("/valid/sub/s.txt", "frank:frankpX"),
		get("/valid/sub/s.txt", "main.test"),
		basic("/valid/bob.txt", "alice:alice pw"),
		basic("/valid/bob.txt", "bob:bob:pw"),
		get("/named/n.txt", "main.test"),
		"HEAD /named/n.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		basic("/named/n.txt", "carol:carol"),
		basic("/named/n.txt", "dave:dave's"),
		basic("/group/g.txt", "bob:bob:pw"),
		basic("/group/g.txt", "dave:dave's"),
		basic("/group/g.txt", "alice:alice pw"),
		basic("/group/g.txt", "erin:érin"),
		get("/open/o.txt", "main.test"),
		get("/none/x.txt", "main.test"),
		get("/noname/x.txt", "main.test"),
		basic("/nofile/x.txt", "alice:alice pw"),
		basic("/nogroupfile/x.txt", "alice:alice pw"),
		get("/bare/x.txt", "main.test"),
		get("/mixed/x.txt", "main.test"),
		basic("/mixed/x.txt", "alice:alice pw"),
		basic("/mixed/x.txt", "bob:bob:pw"),
		get("/byip/x.txt", "main.test"),
		get("/plain.txt", "main.test"),
		get("/lenient/x.txt", "main.test"),
		basic("/lenient/x.txt", "nobody:x"),
		basic("/lenient/x.txt", "alice:wrong"),
		basic("/lenient/x.txt", "alice:alice pw"),
	}
	for _, req := range reqs {
		want := p.apache.headerAnswer(t, req) + "\n  " + p.apache.ask(t, "127.0.0.1", 0, req).bodies()
		got := p.ours.headerAnswer(t, req) + "\n  " + p.ours.ask(t, "127.0.0.1", 0, req).bodies()
		if got != want {
			t.Errorf("%q:\n apache: %s\n ours:   %s", req, want, got)
		} else {
			t.Logf("%q: both %s", req, want)
		}
	}
	// A directory listing leaves out the entries its sender may not see.
	for creds, want := range map[string]string{
		"":               "pub.txt",
		"alice:alice pw": "list-secret.txt pub.txt",
		"bob:bob:pw":     "list-secret.txt pub.txt sec/",
		"bob:wrong":      "pub.txt",
	} {
		req := get("/list/", "main.test")
		if creds != "" {
			req = basic("/list/", creds)
		}
		for _, s := range []*diffServer{p.apache, p.ours} {
			body := s.ask(t, "127.0.0.1", 0, req).bodies()
			var got []string
			for _, m := range listEntry.FindAllStringSubmatch(body, -1) {
				got = append(got, m[1])
			}
			if strings.Join(got, " ") != want {
				t.Errorf("%s: /list/ with %q lists %q, want %q:\n%s", s.name, creds, got, want, body)
			}
		}
	}
	p.checkLogs() // stops both servers, which makes their logs whole
	want, got := p.apache.logLines(t, "auth_log"), p.ours.logLines(t, "auth_log")
	if !slices.Equal(got, want) {
		t.Errorf("logs/auth_log (sorted):\napache:\n  %s\nours:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	}
	want, got = requestErrors(t, p.apache), requestErrors(t, p.ours)
	if !slices.Equal(got, want) {
		t.Errorf("error_log request lines (sorted):\napache:\n  %s\nours:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	} else {
		t.Logf("error_log request lines, both:\n  %s", strings.Join(want, "\n  "))
	}
}

// listEntry is an entry of a directory listing, other than the parent.
var listEntry = regexp.MustCompile(`<li><a href="[^/"][^"]*"> ([^<]*)</a></li>`)

// errorLine takes apart an error log line about a request: its module and
// level, then what follows the pid, the client's port left out.
var errorLine = regexp.MustCompile(`^\[[^]]*\] (\[[a-z_]+:[a-z]+\]) \[pid [^]]*\] (.*)\[client 127\.0\.0\.1:\d+\] (.*)$`)

// requestErrors are the lines of s's error_log about a request, as
// errorLine reduces them, sorted; the paths of the test's directory are
// written as DOCS.
func requestErrors(t *testing.T, s *diffServer) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.root, "logs", "error_log"))
	must(t, err)
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if m := errorLine.FindStringSubmatch(line); m != nil {
			out = append(out, strings.ReplaceAll(m[1]+" "+m[2]+m[3], filepath.Dir(s.docs), "BASE"))
		}
	}
	slices.Sort(out)
	return out
}

// authnChangeConf protects u/ by a password file and g/ by a group file too.
const authnChangeConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
    AuthType Basic
    AuthName change
    AuthUserFile @DOCS@/../auth/htpasswd
    AuthGroupFile @DOCS@/../auth/groups
</Directory>
<Directory @DOCS@/u>
    Require valid-user
</Directory>
<Directory @DOCS@/g>
    Require group staff
</Directory>
`

// TestAuthnFileChange: a change to AuthUserFile or AuthGroupFile counts from
// the next request on, as apache2 reads them at every request: a hash
// changed, then a group changed keeping the file's size.
func TestAuthnFileChange(t *testing.T) {
	htpasswd, err := exec.LookPath("htpasswd")
	if err != nil {
		t.Fatal("htpasswd not installed (apache2-utils)")
	}
	p := startPair(t, 1, authnChangeConf, map[string]string{"u/x.txt": "u\n", "g/x.txt": "g\n"})
	dir := filepath.Join(filepath.Dir(p.apache.docs), "auth")
	must(t, os.MkdirAll(dir, 0o755))
	must(t, os.Chmod(dir, 0o755))
	pwfile, groups := filepath.Join(dir, "htpasswd"), filepath.Join(dir, "groups")
	setPassword := func(pw string, create bool) {
		args := []string{"-b"}
		if create {
			args = append(args, "-c")
		}
		if out, err := exec.Command(htpasswd, append(args, pwfile, "bob", pw)...).CombinedOutput(); err != nil {
			t.Fatalf("htpasswd: %v\n%s", err, out)
		}
		must(t, os.Chmod(pwfile, 0o644))
	}
	setPassword("one", true)
	write(t, groups, "staff: bob\n")
	must(t, os.Chmod(groups, 0o644))
	ask := func(path, credentials string, want int) {
		t.Helper()
		req := "GET " + path + " HTTP/1.1\r\nHost: main.test\r\nAuthorization: Basic " +
			base64.StdEncoding.EncodeToString([]byte(credentials)) + "\r\nConnection: close\r\n\r\n"
		for _, s := range []*diffServer{p.apache, p.ours} {
			if got := s.ask(t, "127.0.0.1", 0, req)[0].Status; got != want {
				t.Errorf("%s: %s as %q: %d, want %d", s.name, path, credentials, got, want)
			}
		}
	}
	ask("/u/x.txt", "bob:one", 200)
	ask("/g/x.txt", "bob:one", 200)
	setPassword("two", false)
	ask("/u/x.txt", "bob:one", 401)
	ask("/u/x.txt", "bob:two", 200)
	write(t, groups, "staff: eve\n")
	ask("/g/x.txt", "bob:two", 401)
}
