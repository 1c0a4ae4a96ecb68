package e2e_test

import "testing"

// subrequestConf protects files by their URL (<Location>, <LocationMatch>)
// that are also reached through a URL of their own: a MultiViews variant, a
// type map's variant and a DirectoryIndex file are apache2's subrequests
// for their own URLs, so those sections apply to them.
const subrequestConf = `Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory @DOCS@>
    Require all granted
</Directory>
<Directory @DOCS@/mv>
    Options +MultiViews
</Directory>
AddHandler type-map .var
<LocationMatch "^/mv/conf\.bak\.txt$">
    Require all denied
</LocationMatch>
<Location /mv/notes.txt>
    Require all denied
</Location>
<LocationMatch "\.sql$">
    Require all denied
</LocationMatch>
<Location /ixl/index.html>
    Require all denied
</Location>
<LocationMatch "^/ixl2/index\.html$">
    AuthType Basic
    AuthName x
    AuthUserFile @DOCS@/htpasswd
    Require valid-user
</LocationMatch>
<Location /ixh/index.html>
    Header set X-Loc index
</Location>
<Location /mv/index.html.en>
    Require all denied
</Location>
<Location /tm/secret.txt>
    Require all denied
</Location>
<Files "*.secret">
    Require all denied
</Files>
<Files "auth.html">
    AuthType Basic
    AuthName files
    AuthUserFile @DOCS@/htpasswd
    Require valid-user
</Files>
<Directory @DOCS@/ix>
    Options Indexes
    DirectoryIndex a.secret index.html
</Directory>
<Directory @DOCS@/ix/auth>
    DirectoryIndex auth.html index.html
</Directory>
<Directory @DOCS@/secret>
    Require all denied
</Directory>
<Directory @DOCS@/private>
    AuthType Basic
    AuthName private
    AuthUserFile @DOCS@/htpasswd
    Require valid-user
</Directory>
Alias /al/ @DOCS@/aliased/
<Directory @DOCS@/dix>
    Options Indexes
    DirectoryIndex /secret/a.txt /sub/x.secret /index.html
</Directory>
<Directory @DOCS@/dix/private>
    DirectoryIndex /private/p.txt
</Directory>
<Directory @DOCS@/dix/missing>
    DirectoryIndex /nope.html
</Directory>
<Directory @DOCS@/dix/alias>
    DirectoryIndex /al/x.txt
</Directory>
<Directory @DOCS@/dix/rel>
    DirectoryIndex sub/in.txt
</Directory>
<Directory @DOCS@/lst>
    Options Indexes
</Directory>
<Location /lst/denied/index.html>
    Require all denied
</Location>
<Directory @DOCS@/lst/den2>
    DirectoryIndex x.secret
</Directory>
<Directory @DOCS@/lst/den3>
    DirectoryIndex x.secret index.html
</Directory>
<Directory @DOCS@/ix/auth2>
    DirectoryIndex auth.html index.html
</Directory>
<Directory @DOCS@/ix/auth1>
    DirectoryIndex auth.html
</Directory>
`

// TestSubrequestLocations: apache2's subrequest for a variant or an index
// file walks its own URL's <Location> sections.
func TestSubrequestLocations(t *testing.T) {
	p := startPair(t, 1, subrequestConf, map[string]string{
		"htpasswd":              "u:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=\n",
		"mv/conf.bak.txt":       "MV SECRET\n",
		"mv/notes.txt":          "NOTES\n",
		"mv/db-backup.sql":      "SQL\n",
		"mv/open.txt":           "OPEN\n",
		"mv/index.html.en":      "MV INDEX\n",
		"ixl/index.html":        "IXL\n",
		"ixl2/index.html":       "IXL2\n",
		"ixh/index.html":        "IXH\n",
		"tm/page.var":           "URI: secret.txt\nContent-Type: text/plain\n\nURI: other.txt\nContent-Type: text/html\n",
		"tm/secret.txt":         "TM SECRET\n",
		"tm/other.txt":          "TM OTHER\n",
		"ix/a/a.secret":         "A SECRET\n",
		"ix/a/index.html":       "IX A\n",
		"ix/none/other.txt":     "OTHER\n",
		"ix/auth/auth.html":     "AUTH\n",
		"ix/auth/index.html":    "IX AUTH\n",
		"ix/auth2/auth.html":    "AUTH\n",
		"ix/auth1/auth.html":    "AUTH\n",
		"index.html":            "ROOT INDEX\n",
		"secret/a.txt":          "SECRET A\n",
		"sub/x.secret":          "X SECRET\n",
		"private/p.txt":         "PRIVATE\n",
		"aliased/x.txt":         "ALIASED\n",
		"dix/db-backup.sql":     "SQL\n",
		"dix/private/o.txt":     "O\n",
		"dix/missing/o.txt":     "O\n",
		"dix/alias/o.txt":       "O\n",
		"dix/rel/sub/in.txt":    "REL IN\n",
		"lst/f.txt":             "F\n",
		"lst/open/o.txt":        "O\n",
		"lst/denied/index.html": "DENIED\n",
		"lst/den2/x.secret":     "X\n",
		"lst/den3/x.secret":     "X\n",
		"lst/den3/index.html":   "DEN3\n",
		"tm/open.var":           "URI: other.txt\nContent-Type: text/plain\n",
	})
	p.check([]diffRequest{
		{Raw: get("/mv/conf.bak.txt", "x")},
		{Raw: get("/mv/conf", "x")},
		{Raw: get("/mv/conf.bak", "x")},
		{Raw: get("/mv/notes", "x")},
		{Raw: get("/mv/db-backup", "x")},
		{Raw: get("/mv/open", "x"), Want: "OPEN"},
		{Raw: get("/mv/", "x")},
		{Raw: get("/ixl/", "x")},
		{Raw: get("/ixl2/", "x")},
		{Raw: get("/ixh/", "x"), Want: "IXH"},
		{Raw: request("GET", "/tm/page.var", "x", "", "Accept: text/plain")},
		{Raw: get("/tm/open.var", "x"), Want: "TM OTHER"},
		{Raw: get("/ix/a/", "x"), Want: "IX A"},
		{Raw: get("/ix/none/", "x")},
		{Raw: get("/ix/auth/", "x"), Want: "IX AUTH"},
		{Raw: get("/ix/auth2/", "x")},
		{Raw: get("/ix/auth1/", "x")},
		{Raw: get("/dix/", "x"), Want: "ROOT INDEX"},
		{Raw: get("/dix/?q=1", "x"), Want: "ROOT INDEX"},
		{Raw: get("/dix/private/", "x")},
		{Raw: get("/dix/missing/", "x"), NoBody: true},
		{Raw: get("/dix/alias/", "x"), Want: "ALIASED"},
		{Raw: get("/dix/rel/", "x"), Want: "REL IN"},
		{Raw: get("/lst/", "x"), Want: "den3/"},
	})
}
