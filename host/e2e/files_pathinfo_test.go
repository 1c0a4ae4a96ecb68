package e2e_test

import (
	"os"
	"path/filepath"
	"testing"
)

// filesPathInfoConf denies *.secret files with <Files>.
const filesPathInfoConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
	AllowOverride All
	Require all granted
</Directory>
<Files "*.secret">
	Require all denied
</Files>
`

// TestFilesPathInfo: <Files> applies to a file followed by more path, as
// apache2's directory walk stops at the file: 403, where a missing path
// would be a 404, and before an .htaccess rewrite of missing files.
func TestFilesPathInfo(t *testing.T) {
	p := startPair(t, 1, filesPathInfoConf, map[string]string{
		"sub/x.secret":  "secret\n",
		"sub/ok.txt":    "ok\n",
		"rw/x.secret":   "secret\n",
		"rw/index.html": "index\n",
		"rw/.htaccess":  "RewriteEngine On\nRewriteCond %{REQUEST_FILENAME} !-f\nRewriteRule ^(.*)$ /rw/index.html\n",
	})
	p.check([]diffRequest{
		{Raw: get("/sub/x.secret/", "main.test")},
		{Raw: get("/sub/x.secret/more/x", "main.test")},
		{Raw: get("/sub/ok.txt/more", "main.test")},
		{Raw: get("/sub/nope/more", "main.test")},
		{Raw: get("/rw/x.secret/", "main.test")},
	})
}

// TestFilesAcceptPathInfo: AcceptPathInfo in <Files>, <FilesMatch> and an
// .htaccess <Files> naming the file the path goes through decides its path
// info, as apache2's file walk merges them before the handler asks (On
// serves a file, Off refuses a script); a section naming the path info's
// last segment does not apply.
func TestFilesAcceptPathInfo(t *testing.T) {
	script := "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"ran $SCRIPT_NAME $PATH_INFO\"\n"
	p := startPair(t, 1, `ServerName main.test
Listen 127.0.0.1:@P0@
LoadModule cgid_module `+apacheModuleDir+`/mod_cgid.so
DocumentRoot @DOCS@
<Directory @DOCS@>
	Require all granted
	Options +ExecCGI
	AddHandler cgi-script .cgi
	AllowOverride FileInfo
</Directory>
<Files a.html>
	AcceptPathInfo On
</Files>
<Files run.cgi>
	AcceptPathInfo Off
</Files>
<Files x>
	AcceptPathInfo On
</Files>
<Directory @DOCS@/d>
	<FilesMatch "\.txt$">
		AcceptPathInfo On
	</FilesMatch>
</Directory>
`, map[string]string{"a.html": "a\n", "b.html": "b\n", "run.cgi": script, "go.cgi": script, "d/t.txt": "t\n", "d/u.html": "u\n",
		"h/.htaccess": "<Files k.html>\nAcceptPathInfo On\n</Files>\n", "h/k.html": "k\n", "h/l.html": "l\n"})
	for _, n := range []string{"run.cgi", "go.cgi"} {
		must(t, os.Chmod(filepath.Join(p.apache.docs, n), 0o755))
		must(t, os.Chmod(filepath.Join(p.ours.docs, n), 0o755))
	}
	p.check([]diffRequest{
		{Raw: get("/a.html/x", "main.test")},
		{Raw: get("/a.html/y/z", "main.test")},
		{Raw: get("/b.html/x", "main.test")},
		{Raw: get("/run.cgi/x", "main.test")},
		{Raw: get("/go.cgi/x", "main.test")},
		{Raw: get("/d/t.txt/x", "main.test")},
		{Raw: get("/d/u.html/x.txt", "main.test")},
		{Raw: get("/h/k.html/x", "main.test")},
		{Raw: get("/h/l.html/x", "main.test")},
		{Raw: get("/nodir/x", "main.test")},
	})
}

// missingWalkConf has sections for directories that do not exist and for
// the first missing name of a path.
const missingWalkConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
	Require all granted
</Directory>
<Directory @DOCS@/gone>
	Require all denied
</Directory>
<Directory @DOCS@/d/gone2>
	ErrorDocument 404 "gone2's page"
</Directory>
<Directory @DOCS@/fbm>
	FallbackResource /a.txt
</Directory>
<Files gone4>
	Require all denied
</Files>
<DirectoryMatch "/gone3">
	Require all denied
</DirectoryMatch>
<DirectoryMatch "/dm-">
	<Files "*.txt">
		Require all denied
	</Files>
</DirectoryMatch>
`

// TestMissingDirectoryWalk: apache2's directory walk stops at the first
// name that does not exist, and the request has the settings of that name
// (its <Files>), not those of the directories past it; a path through a
// file has the file's. <DirectoryMatch> regexes match the walk's file name
// too (a file's, a missing name's), with their <Files>.
func TestMissingDirectoryWalk(t *testing.T) {
	p := startPair(t, 1, missingWalkConf, map[string]string{"a.txt": "a\n", "d/b.txt": "b\n",
		"gone3.txt": "g\n", "d/gone3.txt": "g\n", "dm-x.txt": "x\n", "dm-y.html": "y\n", "dm-d/z.txt": "z\n"})
	p.check([]diffRequest{
		{Raw: get("/gone/x", "main.test")},
		{Raw: get("/d/gone2/x", "main.test")},
		{Raw: get("/fbm/x", "main.test")},
		{Raw: get("/gone4/y", "main.test")},
		{Raw: get("/d/gone4/y/z", "main.test")},
		{Raw: get("/a.txt/gone3/z", "main.test")},
		{Raw: get("/d/b.txt/gone4", "main.test")},
		{Raw: get("/gone3.txt", "main.test")},
		{Raw: get("/d/gone3.txt", "main.test")},
		{Raw: get("/gone3", "main.test")},
		{Raw: get("/gone3/y", "main.test")},
		{Raw: get("/dm-x.txt", "main.test")},
		{Raw: get("/dm-y.html", "main.test"), Want: "y"},
		{Raw: get("/dm-d/z.txt", "main.test")},
	})
}
