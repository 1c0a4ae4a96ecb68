package e2e_test

import (
	"os"
	"path/filepath"
	"testing"
)

// symlinkWalkConf refuses symlinks in the document root.
const symlinkWalkConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
ErrorDocument 403 "the server's 403"
<Directory @DOCS@>
	Options -FollowSymLinks
	Require all granted
	ErrorDocument 403 "the directory's 403"
</Directory>
<Directory @DOCS@/symfb>
	FallbackResource /symfb/t.html
</Directory>
<Location /symfb>
	ErrorDocument 403 "the location's 403"
</Location>
<Directory @DOCS@/own>
	Options -FollowSymLinks +SymLinksIfOwnerMatch
</Directory>
`

// TestSymlinkRefusedMissing: apache2's directory walk refuses a symlink
// when it meets it, before it knows whether the rest of the path exists:
// a missing path behind a refused symlink is a 403 too, not a 404 that
// tells what exists outside the document root, nor a FallbackResource.
// The refusal has the server's ErrorDocument only, none of a <Directory>
// or <Location>.
func TestSymlinkRefusedMissing(t *testing.T) {
	p := startPair(t, 1, symlinkWalkConf, map[string]string{
		"sym/etc":      symlinkTo + "/etc",
		"sym/sec":      symlinkTo + "../secret",
		"sym/dangle":   symlinkTo + "nothere",
		"secret/s.txt": "s\n",
		"symfb/t.html": "fallback\n",
		"symfb/etc":    symlinkTo + "/etc",
		"own/etc":      symlinkTo + "/etc",
		"a.txt":        "a\n",
	})
	p.check([]diffRequest{
		{Raw: get("/sym/etc/nonexist", "main.test")},
		{Raw: get("/sym/etc/nonexist/x", "main.test")},
		{Raw: get("/sym/etc/hostname", "main.test")},
		{Raw: get("/sym/etc/hostname/x", "main.test")},
		{Raw: request("OPTIONS", "/sym/etc/nonexist", "main.test", "")},
		{Raw: get("/sym/sec/missing", "main.test")},
		{Raw: get("/sym/dangle", "main.test")},
		{Raw: get("/sym/dangle/x", "main.test")},
		{Raw: get("/symfb/etc/nonexist", "main.test")},
		{Raw: get("/symfb/nonexist", "main.test"), Want: "fallback"},
		{Raw: get("/own/etc/nonexist", "main.test")},
		{Raw: get("/a.txt/x", "main.test")},
		{Raw: get("/symfb/etc/hostname", "main.test")},
		{Raw: get("/nothere/x", "main.test")},
	})
}

// subrequestWalkConf has <DirectoryMatch> sections that name files.
const subrequestWalkConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
	Require all granted
</Directory>
<Directory @DOCS@/mv>
	Options +MultiViews
	AddHandler type-map .var
</Directory>
<DirectoryMatch "/mv/hid\.">
	Require all denied
</DirectoryMatch>
<DirectoryMatch "/idx/index\.html$">
	Require all denied
</DirectoryMatch>
<DirectoryMatch "/fbd/target">
	Require all denied
</DirectoryMatch>
<Directory @DOCS@/fbd>
	FallbackResource /fbd/target.html
</Directory>
<Location /loc/>
	Header set X-Loc 1
</Location>
<DirectoryMatch "/loc/index\.html$">
	Require all denied
</DirectoryMatch>
`

// TestSubrequestWalkReused: a subrequest for a file in the directory its
// main request's walk ended in (an index file, a MultiViews or type map
// variant, FallbackResource's URL) reuses that walk, as apache2's walk
// cache: <DirectoryMatch> regexes are not matched against its own name.
// Requested itself, the file is refused.
func TestSubrequestWalkReused(t *testing.T) {
	p := startPair(t, 1, subrequestWalkConf, map[string]string{
		"idx/index.html":  "index\n",
		"mv/hid.txt":      "hid\n",
		"mv/m.var":        "URI: hid.txt\nContent-Type: text/plain\n",
		"fbd/target.html": "target\n",
		"loc/index.html":  "loc\n",
	})
	p.check([]diffRequest{
		{Raw: get("/idx/", "main.test"), Want: "index"},
		{Raw: get("/idx/index.html", "main.test")},
		{Raw: get("/mv/hid", "main.test"), Want: "hid"},
		{Raw: get("/mv/hid.txt", "main.test")},
		{Raw: get("/mv/m.var", "main.test"), Want: "hid"},
		{Raw: get("/fbd/nothere", "main.test"), Want: "target"},
		{Raw: get("/fbd/target.html", "main.test")},
		{Raw: get("/loc/", "main.test"), Want: "loc"},
	})
}

// bareDirConf has <Files> and <DirectoryMatch> sections naming
// directories, and Aliases to directories that do not exist.
const bareDirConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
	Require all granted
</Directory>
<Files "fdir">
	Require all denied
</Files>
<DirectoryMatch "/dm2$">
	Require all denied
</DirectoryMatch>
<Directory @DOCS@/off>
	DirectorySlash Off
	Options +Indexes
</Directory>
Alias /gone @DOCS@/nothere
Alias /gone2 @DOCS@/nx/deeper
Alias /gone3 @DOCS@/nothere3
<Files "nothere">
	Require all denied
</Files>
<Files "nx">
	Require all denied
</Files>
`

// TestBareDirectoryWalk: a directory named without its trailing slash is
// the walk's file name: <Files> naming it and a <DirectoryMatch> anchored
// at its end apply (403, not the redirect to its slash, nor a listing
// under DirectorySlash Off); an Alias to a directory that does not exist
// stops the walk at its first missing name, whose <Files> apply.
func TestBareDirectoryWalk(t *testing.T) {
	p := startPair(t, 1, bareDirConf, map[string]string{
		"fdir/index.html": "fdir\n",
		"dm2/index.html":  "dm2\n",
		"off/fdir/a.txt":  "a\n",
		"off/dm2/a.txt":   "a\n",
		"d/a.txt":         "a\n",
	})
	p.check([]diffRequest{
		{Raw: get("/fdir", "main.test")},
		{Raw: get("/fdir/", "main.test"), Want: "fdir"},
		{Raw: get("/dm2", "main.test")},
		{Raw: get("/dm2/", "main.test"), Want: "dm2"},
		{Raw: get("/off/fdir", "main.test")},
		{Raw: get("/off/dm2", "main.test")},
		{Raw: get("/d", "main.test")},
		{Raw: get("/gone/z", "main.test")},
		{Raw: get("/gone/", "main.test")},
		{Raw: get("/gone", "main.test")},
		{Raw: get("/gone2/z", "main.test")},
		{Raw: get("/gone3/z", "main.test")},
	})
}

// scriptAliasWalkConf has <DirectoryMatch> and <Files> sections naming
// an index script, a directory and a file of a ScriptAlias, reached
// directly and through a RewriteRule [PT].
const scriptAliasWalkConf = `ServerName main.test
Listen 127.0.0.1:@P0@
LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
DocumentRoot @DOCS@
<Directory @DOCS@>
	Require all granted
</Directory>
ScriptAlias /sa/ @DOCS@/sadir/
<Directory @DOCS@/sadir>
	DirectoryIndex index.cgi
	AllowOverride All
</Directory>
<DirectoryMatch "/sadir/index\.cgi$">
	Require all denied
</DirectoryMatch>
<Files "sub">
	Require all denied
</Files>
<DirectoryMatch "/rdir/index\.html$">
	Require all denied
</DirectoryMatch>
RewriteEngine On
RewriteRule ^/rs/(.*)$ /sa/$1 [PT]
RewriteRule ^/rt/(.*)$ /rdir/$1 [PT,T=text/x-mine]
`

// TestScriptAliasWalk: a ScriptAlias's request walks as any other (and so
// does one a RewriteRule gave a type): its index script's subrequest
// reuses its walk (no <DirectoryMatch> of its own name), its directory
// named without a slash is the walk's file name (<Files>: 403, not the
// redirect to the slash); each requested itself is refused.
func TestScriptAliasWalk(t *testing.T) {
	script := "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"ran $SCRIPT_NAME $HT\"\n"
	p := startPair(t, 1, scriptAliasWalkConf, map[string]string{
		"sadir/index.cgi": script, "sadir/sub/x.cgi": script, "sadir/.htaccess": "SetEnv HT ht\n",
		"rdir/index.html": "rdir\n",
	})
	for _, name := range []string{"sadir/index.cgi", "sadir/sub/x.cgi"} {
		must(t, os.Chmod(filepath.Join(p.apache.docs, name), 0o755))
	}
	p.check([]diffRequest{
		{Raw: get("/sa/", "main.test"), Want: "ran /sa/index.cgi ht"},
		{Raw: get("/rs/", "main.test"), Want: "ran /sa/index.cgi ht"},
		{Raw: get("/sa/index.cgi", "main.test"), Want: "Forbidden"},
		{Raw: get("/sa/sub", "main.test"), Want: "Forbidden"},
		{Raw: get("/rs/sub", "main.test"), Want: "Forbidden"},
		{Raw: get("/sa/sub/x.cgi", "main.test"), Want: "ran /sa/sub/x.cgi ht"},
		{Raw: get("/rt/", "main.test"), Want: "rdir"},
		{Raw: get("/rt/index.html", "main.test"), Want: "Forbidden"},
	})
}

// redirectWalkConf refuses err.html and target.html by <DirectoryMatch>,
// and reaches them by internal redirects: a local ErrorDocument, a
// script's Location, per-directory rules (one behind a RewriteRule [PT]).
const redirectWalkConf = `ServerName main.test
Listen 127.0.0.1:@P0@
LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
DocumentRoot @DOCS@
<Directory @DOCS@>
	Require all granted
	AllowOverride All
	Options +ExecCGI
	AddHandler cgi-script .cgi
</Directory>
<Directory @DOCS@/edir>
	ErrorDocument 404 /edir/err.html
</Directory>
<DirectoryMatch "/err\.html$">
	Require all denied
</DirectoryMatch>
<DirectoryMatch "/target\.html$">
	Require all denied
</DirectoryMatch>
RewriteEngine On
RewriteRule ^/spt/(.*)$ /sdir/$1 [PT]
`

// TestInternalRedirectWalk: an internal redirect to a file in the
// directory its request's walk ended in reuses that walk, as apache2 hands
// its walk cache on to the new request: the <DirectoryMatch> sections of
// the file's own name do not apply (a local ErrorDocument, a script's
// Location, a per-directory rule's URL); to a file elsewhere, they do.
func TestInternalRedirectWalk(t *testing.T) {
	p := startPair(t, 1, redirectWalkConf, map[string]string{
		"edir/err.html": "err\n",
		"h/loc.cgi":     "#!/bin/sh\necho 'Location: /h/target.html'\necho\n", "h/target.html": "target\n",
		"h/loc2.cgi":     "#!/bin/sh\necho 'Location: /edir/err.html'\necho\n",
		"rw/.htaccess":   "RewriteEngine On\nRewriteRule ^a$ target.html\nRewriteRule ^b$ /rw/target.html\nRewriteRule ^c$ /edir/err.html [PT]\n",
		"rw/target.html": "rwt\n",
		"sdir/.htaccess": "RewriteEngine On\nRewriteRule ^a$ target.html\n", "sdir/target.html": "st\n",
	})
	for _, name := range []string{"h/loc.cgi", "h/loc2.cgi"} {
		must(t, os.Chmod(filepath.Join(p.apache.docs, name), 0o755))
	}
	p.check([]diffRequest{
		{Raw: get("/edir/nothere", "main.test"), Want: "err"},
		{Raw: get("/edir/err.html", "main.test"), Want: "Forbidden"},
		{Raw: get("/h/loc.cgi", "main.test"), Want: "target"},
		{Raw: get("/h/loc2.cgi", "main.test"), Want: "Forbidden"},
		{Raw: get("/rw/a", "main.test"), Want: "rwt"},
		{Raw: get("/rw/b", "main.test"), Want: "rwt"},
		{Raw: get("/rw/c", "main.test"), Want: "Forbidden"},
		{Raw: get("/spt/a", "main.test"), Want: "st"},
		{Raw: get("/sdir/a", "main.test"), Want: "st"},
	})
}
