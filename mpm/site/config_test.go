package site

import (
	"net/http"
	"strings"
	"testing"
)

func d(name string, args ...string) Directive {
	return Directive{Name: name, Args: args, File: "/etc/httpd.conf", Line: 7}
}

// The messages are apache2 2.4.71's (apache2 -t -C).
func TestCheckMessages(t *testing.T) {
	cases := []struct {
		d    Directive
		want string
	}{
		{d("Redirect", "/a"), "URL to redirect to is missing"},
		{d("Redirect", "bogus", "/a", "http://x"), "Redirect: invalid first argument (of three)"},
		{d("Redirect", "301", "/a"), "URL to redirect to is missing"},
		{d("Redirect", "gone", "/a", "http://x"), "Redirect URL not valid for this status"},
		{d("Redirect", "/a", "b"), "Redirect to non-URL"},
		{d("Redirect", "404", "/a", "http://x"), "Redirect URL not valid for this status"},
		{d("Redirect", "/a", "http://x"), ""},
		{d("Redirect", "gone", "/a"), ""},
		{d("Redirect", "seeother", "/a", "/b"), ""},
		{d("RedirectMatch", "^/(.*)$", "http://x/$1"), ""},
		{d("RedirectPermanent", "/a", "http://x"), ""},
		{d("Alias", "/x"), "Alias must have two arguments when used globally"},
		{d("ErrorDocument", "abc", "/x"), "Unsupported HTTP response code abc"},
		{d("ErrorDocument", "404", "/x"), ""},
		{d("Options", "Bogus"), "Illegal option Bogus"},
		{d("FileETag", "bogus"), "Unknown keyword 'bogus' for FileETag directive"},
	}
	for _, c := range cases {
		err := Check(c.d)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%s %v: %q, want %q", c.d.Name, c.d.Args, got, c.want)
		}
	}
}

func TestCompileErrorsHavePositions(t *testing.T) {
	_, err := Compile([]Directive{d("Redirect", "/a")}, []Section{{Kind: "Location", Pattern: "/x",
		Directives: []Directive{{Name: "ErrorDocument", Args: []string{"x", "y"}, File: "/etc/b.conf", Line: 3}}}})
	if err == nil || !strings.Contains(err.Error(), "/etc/httpd.conf:7: URL to redirect to is missing") ||
		!strings.Contains(err.Error(), "/etc/b.conf:3: Unsupported HTTP response code x") {
		t.Fatalf("Compile: %v", err)
	}
	if _, err := Compile(nil, []Section{{Kind: "LocationMatch", Pattern: "^/(x"}}); err == nil {
		t.Fatal("a bad regular expression compiled")
	}
}

// RewriteRule [P] proxies in the server context only here.
func TestRewriteProxyContext(t *testing.T) {
	if _, err := Compile([]Directive{d("RewriteEngine", "On"), d("RewriteRule", "^/a$", "http://b.test/", "[P]")}, nil); err != nil {
		t.Fatalf("server context: %v", err)
	}
	_, err := Compile(nil, []Section{{Kind: "Directory", Pattern: "/srv",
		Directives: []Directive{d("RewriteEngine", "On"), d("RewriteRule", "^a$", "http://b.test/", "[P]")}}})
	if err == nil || !strings.Contains(err.Error(), "flag 'P' (proxy) is supported by this server in the server context only") {
		t.Fatalf("a section's [P]: %v", err)
	}
}

func TestRedirectInLocation(t *testing.T) {
	for _, c := range []struct {
		args   []string
		status int
		target string
		err    string
	}{
		{[]string{"http://x/"}, 302, "http://x/", ""},
		{[]string{"permanent", "http://x/"}, 301, "http://x/", ""},
		{[]string{"gone"}, 410, "", ""},
		{[]string{"301"}, 0, "", "URL to redirect to is missing"},
	} {
		r, err := parseRedirect(d("Redirect", c.args...), true)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%v: %v, want %q", c.args, err, c.err)
			}
			continue
		}
		if err != nil || r.status != c.status || r.target != c.target {
			t.Errorf("%v: %+v %v", c.args, r, err)
		}
	}
}

func TestPrefixMatch(t *testing.T) {
	for _, c := range []struct {
		p, prefix, rest string
		ok              bool
	}{
		{"/old", "/old", "", true},
		{"/old/x", "/old", "/x", true},
		{"/older", "/old", "", false},
		{"/old//x", "/old/", "x", true},
		{"/icons/a", "/icons/", "a", true},
		{"/icons", "/icons/", "", false},
		{"/", "/", "", true},
	} {
		rest, ok := prefixMatch(c.p, c.prefix)
		if ok != c.ok || ok && rest != c.rest {
			t.Errorf("prefixMatch(%q, %q) = %q, %v", c.p, c.prefix, rest, ok)
		}
	}
}

func TestMatchers(t *testing.T) {
	loc := &section{pattern: "/private"}
	for p, want := range map[string]bool{"/private": true, "/private/": true, "/private/x": true, "/private2": false, "/": false} {
		if loc.matchURL(p) != want {
			t.Errorf("<Location /private> on %s: %v", p, !want)
		}
	}
	wild := &section{pattern: "/home/*/public_html", wild: true}
	for dir, want := range map[string]bool{"/home/ann/public_html": true, "/home/ann/public_html/x": true, "/home/ann/b/public_html": false, "/home": false} {
		if wild.matchDir(dir) != want {
			t.Errorf("<Directory %s> on %s: %v", wild.pattern, dir, !want)
		}
	}
	root := &section{pattern: ""}
	if !root.matchDir("/anything") {
		t.Error("<Directory /> must cover everything")
	}
	files := &section{pattern: "*.key", wild: true}
	if !files.matchName("a.key") || files.matchName("a.keys") {
		t.Error("<Files *.key>")
	}
}

func TestMerge(t *testing.T) {
	var top, a, b, c dir
	top.setOptions([]string{"Indexes", "FollowSymLinks"})
	a.setOptions([]string{"-Indexes"})
	b.setOptions([]string{"None"})
	c.setOptions([]string{"+Indexes"})
	m := Dir{Options: OptDefault}
	m.merge(&top)
	if m.Options != OptIndexes|OptFollowSymLinks {
		t.Fatalf("top: %b", m.Options)
	}
	m.merge(&a)
	if m.Options != OptFollowSymLinks {
		t.Fatalf("-Indexes: %b", m.Options)
	}
	m.merge(&b)
	m.merge(&c)
	if m.Options != OptIndexes {
		t.Fatalf("None then +Indexes: %b", m.Options)
	}
	var deny, grant dir
	deny.set(d("Require", "all", "denied"), false)
	grant.set(d("Require", "all", "granted"), false)
	grant.set(d("Require", "ip", "10.0.0.1"), false)
	m.merge(&deny)
	if !m.Authz.Denies() {
		t.Fatal("Require all denied")
	}
	m.merge(&grant)
	if m.Authz.Denies() || m.Authz.Policy(nil, nil) != nil {
		t.Fatal("a section's Require lines replace the inherited ones; one granting line is enough")
	}
	var other dir
	other.set(d("Require", "ip", "10.0.0.1"), false)
	m.merge(&other)
	if m.Authz.Denies() || m.Authz.Policy(nil, nil) == nil {
		t.Fatal("Require ip depends on the request")
	}
	var docs1, docs2 dir
	docs1.set(d("ErrorDocument", "404", "/a.html"), false)
	docs1.set(d("ErrorDocument", "500", "/b.html"), false)
	docs2.set(d("ErrorDocument", "404", "default"), false)
	m.merge(&docs1)
	m.merge(&docs2)
	if _, ok := m.ErrorDocuments[404]; ok || m.ErrorDocuments[500].Source != "/b.html" {
		t.Fatalf("ErrorDocuments %v", m.ErrorDocuments)
	}
	if docs1.errorDocs[404].Source != "/a.html" {
		t.Fatal("merge changed a section's own map")
	}
	_ = http.StatusOK
}

// TestRecursionLimitNumbers: LimitInternalRecursion's numbers are read as
// apache2's atoi reads them (a sign, blanks, trailing text), the second
// defaulting to the first.
func TestRecursionLimitNumbers(t *testing.T) {
	for _, c := range []struct {
		args              []string
		redirects, subreq int
	}{
		{[]string{"+5"}, 5, 5},
		{[]string{" 7x"}, 7, 7},
		{[]string{"3", "+2"}, 3, 2},
	} {
		cfg, err := Compile([]Directive{d("LimitInternalRecursion", c.args...)}, nil)
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if cfg.redirectLimit != c.redirects || cfg.SubrequestLimit() != c.subreq {
			t.Errorf("%q: limits %d, %d; want %d, %d", c.args, cfg.redirectLimit, cfg.SubrequestLimit(), c.redirects, c.subreq)
		}
	}
	if _, err := Compile([]Directive{d("LimitInternalRecursion", "-1")}, nil); err == nil {
		t.Error("-1: no error")
	}
}
