package e2e_test

import "testing"

// rewriteConf: mod_rewrite in the server context (before mod_alias), with a
// canonical-host redirect, a trailing-slash redirect, clean URLs mapped to
// .html files by -f, QSA, [F], [G], conditions chained with OR, [PT] into an
// Alias, the N bound and [END]; and per directory with RewriteBase (an
// internal redirect to a front controller, kept in a subdirectory whose
// section has no mod_rewrite line, and one that loops until the
// bound on internal redirects).
const rewriteConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LogFormat "%U %q %>s \"%r\"" rw
CustomLog logs/rw_log rw
<Directory @DOCS@>
    Require all granted
</Directory>
Alias /aliased @DOCS@/sub
RewriteEngine On
RewriteCond %{HTTP_HOST} ^www\.main\.test$ [NC]
RewriteRule ^/(.*)$ http://main.test/$1 [R=301,L]
RewriteCond %{DOCUMENT_ROOT}%{REQUEST_URI} -d
RewriteRule ^(.+[^/])$ $1/ [R=301,L]
RewriteCond %{DOCUMENT_ROOT}%{REQUEST_URI}.html -f
RewriteRule ^(.*)$ $1.html [L]
RewriteRule ^/search/(\w+)$ /page.html?q=$1 [QSA,R=302,L]
RewriteRule ^/moved/(.*)$ /sub/$1 [R=permanent,QSD]
RewriteRule ^/forbidden - [F]
RewriteRule ^/old - [G]
RewriteCond %{HTTP_USER_AGENT} badbot [NC,OR]
RewriteCond %{HTTP_REFERER} spam\.example
RewriteRule ^/ - [F]
RewriteRule ^/pt/(.*)$ /aliased/$1 [PT]
RewriteRule ^/loop/(.*)$ /loop/x$1 [N=5]
RewriteRule ^/end/(.*)$ /app/$1 [END]
RewriteRule ^/chain/(.*)$ /sub/$1 [C]
RewriteRule ^/sub/(.*)\.txt$ /sub/$1.html [L]
RewriteRule ^/skip/ - [S=1]
RewriteRule ^/skip/ - [F]
RewriteRule ^/typed$ /sub/s.txt [T=text/html,L]
RewriteRule ^/todir/(.*)$ /sub/ [L]
RewriteRule ^/todir2/(.*)$ /sub [L]
RewriteRule ^/slashed/$ /sub [L]
RewriteRule ^/ptdir/(.*)$ /aliased [PT]
<Directory @DOCS@/app>
    RewriteEngine On
    RewriteBase /app/
    RewriteCond %{REQUEST_FILENAME} !-f
    RewriteRule ^(.*)$ index.html?path=$1 [L,QSA]
</Directory>
<Directory @DOCS@/app/sub>
    Options +Indexes
</Directory>
<Directory @DOCS@/loopdir>
    RewriteEngine On
    RewriteRule ^(.*)$ x$1
</Directory>
<Directory @DOCS@/rel>
    RewriteEngine On
    RewriteRule ^go$ there.html [R]
</Directory>
`

// TestRewrite compares status, Location and body with apache2 for the rules
// of rewriteConf.
func TestRewrite(t *testing.T) {
	docs := map[string]string{
		"page.html":      "<p>page</p>\n",
		"sub/s.txt":      "s\n",
		"sub/s.html":     "<p>s</p>\n",
		"app/index.html": "<p>app</p>\n",
		"app/real.txt":   "real\n",
		"app/sub/keep":   "keep\n",
		"rel/x.txt":      "x\n",
		"loopdir/a":      "a\n",
	}
	p := startPair(t, 1, rewriteConf, docs)
	p.check([]diffRequest{
		{Raw: get("/page.html", "www.main.test"), Want: "main.test/page.html"},
		{Raw: get("/sub", "main.test"), Want: "main.test/sub/"},
		{Raw: get("/sub?a=b", "main.test")},
		{Raw: get("/page", "main.test"), Want: "page"},
		{Raw: get("/page?x=1", "main.test"), Want: "page"},
		{Raw: get("/search/word?lang=en", "main.test")},
		{Raw: get("/search/word", "main.test")},
		{Raw: get("/moved/s.txt?drop=me", "main.test")},
		{Raw: get("/forbidden", "main.test"), Want: "Forbidden"},
		{Raw: get("/old", "main.test"), Want: "Gone"},
		{Raw: "GET /sub/s.txt HTTP/1.1\r\nHost: main.test\r\nUser-Agent: BadBot/1\r\nConnection: close\r\n\r\n"},
		{Raw: "GET /sub/s.txt HTTP/1.1\r\nHost: main.test\r\nReferer: http://spam.example/\r\nConnection: close\r\n\r\n"},
		{Raw: get("/sub/s.txt", "main.test"), Want: "s\n"},
		{Raw: get("/pt/s.txt", "main.test"), Want: "s\n"},
		{Raw: get("/loop/a", "main.test")},
		{Raw: get("/end/missing", "main.test")},
		{Raw: get("/app/missing", "main.test"), Want: "app"},
		{Raw: get("/app/real.txt", "main.test"), Want: "real"},
		{Raw: get("/app/", "main.test"), Want: "app"},
		{Raw: get("/app/sub/missing", "main.test"), Want: "app"},
		{Raw: get("/chain/s.txt", "main.test"), Want: "<p>s</p>"},
		{Raw: get("/skip/x", "main.test")},
		{Raw: get("/typed", "main.test")},
		{Raw: get("/rel/go", "main.test")},
		{Raw: get("/loopdir/a", "main.test")},
		// mod_dir's trailing-slash redirect looks at the request's URL-path
		// (r->uri), which a rule without [PT] does not change.
		{Raw: get("/todir/x", "main.test"), Want: "main.test/todir/x/"},
		{Raw: get("/todir2/x?q=1", "main.test"), Want: "main.test/todir2/x/?q=1"},
		{Raw: get("/slashed/", "main.test")},
		{Raw: get("/ptdir/x", "main.test"), Want: "main.test/aliased/"},
	})
	p.checkLogs("rw_log")
}

// rewriteVhostConf: virtual hosts over a main server with rules: a host
// without RewriteOptions keeps only its own rules (the main server's
// RewriteEngine On carries over), Inherit runs the main server's after its
// own, InheritBefore before them; and the fields rules leave on an answer
// (CO's Set-Cookie, the Vary of a condition on a request field, escaping of
// a redirect's back-references, NE, B).
const rewriteVhostConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
    Require all granted
</Directory>
RewriteEngine On
RewriteRule ^/main$ /page.html [L]
RewriteRule ^/both$ /a.txt [L]
<VirtualHost 127.0.0.1:@P0@>
    ServerName own.test
    DocumentRoot @DOCS@
    RewriteRule ^/own$ /a.txt [L]
    RewriteRule ^/esc/(.*)$ /target/$1 [R,L]
    RewriteRule ^/ne/(.*)$ /target/$1 [R,NE,L]
    RewriteRule ^/b/(.*)$ /page.html?q=$1 [B,R,L]
    RewriteRule ^/cookie$ /a.txt [CO=flavour:oat:.own.test,L]
    RewriteCond %{HTTP:X-Mobile} =1
    RewriteRule ^/vary$ /page.html [L]
    RewriteRule ^/vary$ /a.txt [L]
    RewriteCond %{HTTP:X-Mobile} =1
    RewriteRule ^/varyredirect$ /page.html [R,L]
    RewriteCond %{HTTP:X-Mobile} =1
    RewriteRule ^/varyforbidden$ - [F]
    BrowserMatch ^Tester TESTER=yes
    RewriteCond %{ENV:TESTER} =yes
    RewriteRule ^/envs$ /a.txt [E=FROMRW:set-by-rewrite,L]
    RewriteRule ^/envs$ /page.html [L]
    Header set X-From-Rewrite %{FROMRW}e env=FROMRW
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName inherit.test
    DocumentRoot @DOCS@
    RewriteOptions Inherit
    RewriteRule ^/both$ /page.html [L]
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName before.test
    DocumentRoot @DOCS@
    RewriteOptions InheritBefore
    RewriteRule ^/both$ /page.html [L]
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName off.test
    DocumentRoot @DOCS@
    RewriteEngine Off
    RewriteOptions Inherit
</VirtualHost>
`

// TestRewriteVirtualHosts compares with apache2 how virtual hosts inherit
// the main server's rules, and the fields rules set.
func TestRewriteVirtualHosts(t *testing.T) {
	docs := map[string]string{
		"page.html": "<p>page</p>\n",
		"a.txt":     "a\n",
	}
	p := startPair(t, 1, rewriteVhostConf, docs)
	p.check([]diffRequest{
		{Raw: get("/own", "own.test"), Want: "a\n"},
		{Raw: get("/main", "own.test")},
		{Raw: get("/main", "inherit.test"), Want: "page"},
		{Raw: get("/both", "inherit.test"), Want: "page"},
		{Raw: get("/both", "before.test"), Want: "a\n"},
		{Raw: get("/main", "off.test")},
		{Raw: get("/esc/a%20b%3Fc", "own.test")},
		{Raw: get("/ne/a%20b", "own.test")},
		{Raw: get("/b/x%26y%20z", "own.test")},
	})
	p.compareEach([]string{
		get("/cookie", "own.test"),
		get("/vary", "own.test"),
		"GET /vary HTTP/1.1\r\nHost: own.test\r\nX-Mobile: 1\r\nConnection: close\r\n\r\n",
		"GET /vary HTTP/1.1\r\nHost: own.test\r\nX-Mobile: 0\r\nConnection: close\r\n\r\n",
		"GET /varyredirect HTTP/1.1\r\nHost: own.test\r\nX-Mobile: 1\r\nConnection: close\r\n\r\n",
		"GET /varyforbidden HTTP/1.1\r\nHost: own.test\r\nX-Mobile: 1\r\nConnection: close\r\n\r\n",
		// E= and %{ENV:...} share the request's environment with
		// BrowserMatch and Header env=.
		"GET /envs HTTP/1.1\r\nHost: own.test\r\nUser-Agent: Tester/1\r\nConnection: close\r\n\r\n",
		"GET /envs HTTP/1.1\r\nHost: own.test\r\nUser-Agent: Other/1\r\nConnection: close\r\n\r\n",
	}, (*diffServer).headerAnswer)
}

// rewriteBadQueryConf leaves a space (a decoded %20) in a rewritten query: on
// an [NE] redirect, a local path and an [R] redirect, which escapes it.
const rewriteBadQueryConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
    Require all granted
</Directory>
RewriteEngine On
RewriteRule ^/ne/(.*) http://q.example/x?a=$1 [R,NE]
RewriteRule ^/esc/(.*) http://q.example/x?a=$1 [R]
RewriteRule ^/local/(.*) /x.txt?a=$1
`

// TestRewriteBadQuery: a rewritten query with a space is 403 (AH10410) unless
// the redirect escapes it, [NE] redirects included, as in apache2.
func TestRewriteBadQuery(t *testing.T) {
	p := startPair(t, 1, rewriteBadQueryConf, map[string]string{"x.txt": "x\n"})
	var reqs []diffRequest
	// A quote in the Location: the 302 page escapes it as ap_escape_html, " only.
	for _, path := range []string{"/ne/a%20b", "/ne/ab", "/ne/a%22b'c", "/esc/a%20b", "/local/a%20b", "/local/ab"} {
		reqs = append(reqs, diffRequest{Raw: get(path, "main.test")})
	}
	p.check(reqs)
}
