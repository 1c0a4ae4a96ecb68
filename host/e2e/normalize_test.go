package e2e_test

import "testing"

// normalizeConf denies /private by <Location> and <LocationMatch> only (the
// directories allow everything), sets a header, a type and a handler by
// <Location>, and has a per-directory rewrite whose target names /private
// through a dot segment.
const normalizeConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
CustomLog logs/paths_log "%>s %U %r"
<Directory @DOCS@>
    Require all granted
</Directory>
<Location /private>
    Require all denied
</Location>
<LocationMatch "^/matched/">
    Require all denied
</LocationMatch>
<Location /public>
    Header set X-Public yes
    ForceType text/x-public
</Location>
<Location /server-status>
    SetHandler server-status
    Require ip 127.0.0.2
</Location>
<Directory @DOCS@/rw>
    RewriteEngine On
    RewriteRule ^to/(.*)$ /public/../private/$1
    RewriteRule ^slash/(.*)$ //private/$1
</Directory>
`

// TestNormalizedLocations: <Location> and <LocationMatch> (access, Header,
// ForceType, SetHandler) take the URL-path as apache2 does, after merging
// slashes and resolving dot segments, also for a per-directory rewrite's
// internal redirect; the access log's %U is that path, %r the line as sent.
func TestNormalizedLocations(t *testing.T) {
	docs := map[string]string{
		"private/s.txt": "secret\n",
		"matched/s.txt": "secret\n",
		"public/p.txt":  "public\n",
		"rw/x.txt":      "rw\n",
	}
	p := startPair(t, 1, normalizeConf, docs)
	var reqs []diffRequest
	for _, path := range []string{
		"/private/s.txt", "//private/s.txt", "/./private/s.txt", "/public/../private/s.txt",
		"/private/.", "/private/s.txt/..", "/private//s.txt", "/x/./../private/s.txt", "/%2e/private/s.txt",
		"/public/%2e%2e/private/s.txt", "/priv%61te/s.txt", "/private%2fs.txt",
		"//matched/s.txt", "/./matched/s.txt", "/public/../matched/s.txt",
		"/public/p.txt", "//public/p.txt", "/public/./p.txt", "/rw/../public/p.txt", "/public/p.txt;x",
		"/rw/to/s.txt", "/rw/slash/s.txt", "/rw/x.txt",
		"//server-status", "/./server-status", "/server-status/../private/s.txt", "/server-status/../public/p.txt",
		"/..", "/../private/s.txt", "/public/../..",
	} {
		reqs = append(reqs, diffRequest{Raw: get(path, "main.test")})
	}
	p.check(reqs)
	for _, path := range []string{"//public/p.txt", "/public/./p.txt", "/rw/../public/p.txt", "/x/../private/s.txt"} {
		req := get(path, "main.test")
		if want, got := p.apache.headerAnswer(t, req), p.ours.headerAnswer(t, req); got != want {
			t.Errorf("%q:\n  apache: %s\n  ours:   %s", path, want, got)
		} else {
			t.Logf("%q: both %s", path, want)
		}
	}
	p.checkLogs("paths_log")
}

// dotAllConf has a pattern with '.' in each kind of directive that takes an
// Apache regex: apache2 compiles them all with AP_REG_DOTALL.
const dotAllConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
    Require all granted
</Directory>
<LocationMatch "^/x/.*$">
    Require all denied
</LocationMatch>
<DirectoryMatch "^@DOCS@/d.*n">
    Require all denied
</DirectoryMatch>
RewriteEngine On
RewriteRule ^/r/(.*) http://x.example/$1 [R]
RewriteRule ^/ne/(.*) http://x.example/$1 [R,NE]
RewriteRule ^/co/(.*) - [CO=k:$1:main.test]
RewriteCond %{REQUEST_URI} ^/c/(.*)$
RewriteRule ^ http://c.example/%1 [R]
RedirectMatch ^/m/a.b$ http://m.example/newline
Redirect /old http://x.example/new
RedirectMatch ^/mm/(.*)$ http://x.example/t/$1
AliasMatch ^/al/x(.*)$ @DOCS@/al/x.txt$1
AliasMatch ^/am/(.*)$ @DOCS@/al/x.txt$1
AliasMatch ^/ad/(.*)$ @DOCS@/al/$1
Alias /al2/ @DOCS@/al
Alias /al3/ @DOCS@/al/
<Location /lr>
    Redirect "http://x.example/a b<c>%7e?q=a b#f g"
</Location>
SetEnvIf Request_URI ^/env/.*$ envdot=1
Header set X-Env-Dot yes env=envdot
`

// TestRegexDotAll: '.' matches a newline (a decoded %0a) in <LocationMatch>,
// <DirectoryMatch>, RewriteRule, RewriteCond, RedirectMatch, AliasMatch,
// and SetEnvIf, as apache2 compiles them (AP_REG_DOTALL): a
// newline neither escapes a section nor cuts a capture short.
func TestRegexDotAll(t *testing.T) {
	docs := map[string]string{
		"x/a\nb":       "secret\n",
		"x/plain":      "secret\n",
		"env/a\nb":     "env\n",
		"al/x.txt":     "alias\n",
		"al/x.txt\nb":  "alias newline\n",
		"dir\nn/f.txt": "secret\n",
	}
	p := startPair(t, 1, dotAllConf, docs)
	var reqs []diffRequest
	for _, path := range []string{
		"/x/plain", "/x/a%0ab", "/x/a%0d%0ab", "/dir%0an/f.txt",
		"/r/a%0d%0aSet-Cookie:%20x=1", "/r/a%0ab", "/c/a%0ab", "/m/a%0ab", "/al/x", "/al/x%0ab",
	} {
		reqs = append(reqs, diffRequest{Raw: get(path, "main.test")})
	}
	p.check(reqs)
	for _, req := range []string{get("/env/a%0ab", "main.test")} {
		if want, got := p.apache.headerAnswer(t, req), p.ours.headerAnswer(t, req); got != want {
			t.Errorf("%q:\n  apache: %s\n  ours:   %s", req, want, got)
		} else {
			t.Logf("%q: both %s", req, want)
		}
	}
}

// TestRedirectEscaping: mod_alias escapes what it puts in Location: the
// rest of a Redirect's (decoded) path, and a RedirectMatch substitution or
// the URL of a Redirect inside <Location> but its query and fragment (a
// decoded %3F or %23 splits there, as apr_uri_parse does); ';' stays.
func TestRedirectEscaping(t *testing.T) {
	p := startPair(t, 1, dotAllConf, map[string]string{"al/x.txt": "alias\n"})
	var reqs []diffRequest
	for _, path := range []string{"/old/a%20b%3Bc", "/old/x%25y", "/mm/a%0ab%20c?q=1%202", "/mm/x%3Fy", "/mm/p%23q", "/lr", "/lr/x?y=1"} {
		reqs = append(reqs, diffRequest{Raw: get(path, "main.test")})
	}
	p.check(reqs)
}

// TestAliasMatchSlash: an AliasMatch substitution is the file name whatever
// the URL-path ends with: "/am/" maps to a file (apache2 serves it), "/ad/"
// to a directory.
func TestAliasMatchSlash(t *testing.T) {
	p := startPair(t, 1, dotAllConf, map[string]string{"al/x.txt": "alias\n", "al/sub/index.html": "<p>sub</p>\n"})
	var reqs []diffRequest
	for _, path := range []string{"/am/", "/am/x", "/ad/sub/", "/ad/sub", "/ad/x.txt/"} {
		reqs = append(reqs, diffRequest{Raw: get(path, "main.test")})
	}
	p.check(reqs)
}

// TestAliasConcat: Alias with a slash after the URL-path only concatenates as
// mod_alias does: "/al2/ok.txt" is @DOCS@/alok.txt, not @DOCS@/al/ok.txt.
func TestAliasConcat(t *testing.T) {
	p := startPair(t, 1, dotAllConf, map[string]string{"al/ok.txt": "in al\n", "alok.txt": "concatenated\n", "alsub/x.txt": "alsub\n"})
	p.check([]diffRequest{
		{Raw: get("/al2/ok.txt", "main.test"), Want: "concatenated"},
		{Raw: get("/al2/sub/x.txt", "main.test"), Want: "alsub"},
		{Raw: get("/al3/ok.txt", "main.test"), Want: "in al"},
	})
}

// TestRewriteHeaderCRLF: a RewriteRule whose Location ([R,NE]) or
// Set-Cookie ([CO]) gets a CR or LF from the request is answered 500, as
// apache2's check of the response header (AH02430) answers it.
func TestRewriteHeaderCRLF(t *testing.T) {
	p := startPair(t, 1, dotAllConf, map[string]string{"al/x.txt": "alias\n"})
	var reqs []diffRequest
	for _, path := range []string{"/ne/a%0d%0aSet-Cookie:%20x=1", "/ne/a%0ab", "/ne/a%09b", "/ne/ok", "/co/a%0d%0aX-Y:%20z", "/co/a%0db", "/co/ok"} {
		reqs = append(reqs, diffRequest{Raw: get(path, "main.test")})
	}
	p.check(reqs)
}
