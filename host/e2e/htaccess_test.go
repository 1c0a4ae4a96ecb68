package e2e_test

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// htaccessConf lets .htaccess files (and .acl ones, looked for first) be read
// below the documents with every class, in one directory with FileInfo only,
// in one with AuthConfig and Nonfatal=Override, and in one with none but
// AllowOverrideList Redirect (Options -Indexes in a .htaccess file turns
// mod_autoindex's listings off).
const htaccessConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
AccessFileName .acl .htaccess
<Directory @DOCS@>
    Require all granted
    Options Indexes FollowSymLinks
    AllowOverride All
</Directory>
<Directory @DOCS@/limited>
    AllowOverride FileInfo
</Directory>
<Directory @DOCS@/nonfatal>
    AllowOverride AuthConfig Nonfatal=Override
</Directory>
<Directory @DOCS@/listed>
    AllowOverride None
    AllowOverrideList Redirect
</Directory>
<FilesMatch "^\.ht">
    Require all denied
</FilesMatch>
`

// wordpress is WordPress's own .htaccess, for a blog below /rw/.
const wordpress = `# BEGIN WordPress
<IfModule mod_rewrite.c>
RewriteEngine On
RewriteBase /rw/
RewriteRule ^index\.php$ - [L]
RewriteCond %{REQUEST_FILENAME} !-f
RewriteCond %{REQUEST_FILENAME} !-d
RewriteRule . /rw/index.php [L]
</IfModule>
<IfModule !mod_rewrite.c>
Bogus line never read
</IfModule>
# END WordPress
`

// TestHtaccess: .htaccess files as apache2 reads them, against apache2:
// WordPress's rewrite rules, Require, Basic authentication, Options
// -Indexes, ErrorDocument, Header, Expires, <Files> in the file, nested
// directories overriding their parents, AccessFileName's order, a directive
// its AllowOverride class does not allow, Nonfatal=Override,
// AllowOverrideList, an unknown directive and an unclosed section (500s, with
// apache2's error log lines), and a file changed, broken and removed between
// requests without a restart.
func TestHtaccess(t *testing.T) {
	htpasswd, err := exec.LookPath("htpasswd")
	if err != nil {
		t.Fatal("htpasswd not installed (apache2-utils)")
	}
	docs := map[string]string{
		"a/x.txt": "x\n", "a/b/y.txt": "y\n", "a/b/c/z.txt": "z\n",
		"rw/index.php": "blog\n", "rw/real.txt": "real\n",
		"deny/x.txt": "x\n", "auth/x.txt": "x\n", "auth2/x.txt": "x\n", "noidx/f.txt": "f\n",
		"limited/x.txt": "x\n", "syntax/x.txt": "x\n", "unclosed/x.txt": "x\n",
		"nonfatal/x.txt": "x\n", "listed/x.txt": "x\n", "files/open.txt": "o\n", "files/secret.txt": "s\n",
		"acl/x.txt": "x\n", "chg/x.txt": "x\n", "perm/x.txt": "x\n", "zero/x.txt": "x\n", "isdir/x.txt": "x\n",
		"mime/x.html": "<p>x</p>\n", "lrb/x.txt": "x\n", "ifexpr/x.txt": "x\n", "iffile/x.txt": "x\n",
	}
	p := startPair(t, 1, htaccessConf, docs)
	pwfile := filepath.Join(filepath.Dir(p.apache.docs), "htpasswd")
	if out, err := exec.Command(htpasswd, "-b", "-c", "-m", pwfile, "alice", "alice pw").CombinedOutput(); err != nil {
		t.Fatalf("htpasswd: %v\n%s", err, out)
	}
	must(t, os.Chmod(pwfile, 0o644))
	access := map[string]string{
		"a/.htaccess":        "Header set X-Level a\nHeader set X-A yes\nErrorDocument 404 \"custom 404\n",
		"a/b/.htaccess":      "Header set X-Level b\n# a comment\nHeader \\\n  set X-B yes\n",
		"rw/.htaccess":       wordpress,
		"deny/.htaccess":     "Require all denied\n",
		"auth/.htaccess":     "AuthType Basic\nAuthName \"Members Only\"\nAuthUserFile " + pwfile + "\nRequire valid-user\n",
		"auth2/.htaccess":    "AuthType Basic\nAuthName R\nAuthUserFile ../htpasswd\nRequire user alice\n", // ServerRoot/../htpasswd
		"noidx/.htaccess":    "Options -Indexes\n",
		"limited/.htaccess":  "Header set X-L yes\nOptions -Indexes\n",
		"syntax/.htaccess":   "Header set X-S yes\nFoo bar\n",
		"unclosed/.htaccess": "<Files x.txt>\nRequire all denied\n",
		"nonfatal/.htaccess": "Header set X-Skipped yes\nRequire all denied\n",
		"listed/.htaccess":   "Redirect /listed/old /a/x.txt\n",
		"files/.htaccess":    "<Files secret.txt>\n    Require all denied\n</Files>\nExpiresActive On\nExpiresDefault A60\n",
		"acl/.acl":           "Header set X-Acl acl\n",
		"acl/.htaccess":      "Header set X-Acl htaccess\n",
		"perm/.htaccess":     "Header set X-Perm yes\n",
		"mime/.htaccess":     "AddType text/plain .html\n",
		"lrb/.htaccess":      "LimitRequestBody 10\n",
		"ifexpr/.htaccess": "<If \"%{QUERY_STRING} == 'deny'\">\n  Require all denied\n</If>\n" +
			"<ElseIf \"%{QUERY_STRING} == 'hdr'\">\n  Header set X-If elseif\n</ElseIf>\n<Else>\n  Header set X-If else\n</Else>\n",
		"iffile/.htaccess": "<IfFile /etc/passwd>\n  Header set X-F yes\n</IfFile>\n<IfFile !/nonexistent>\n  Header set X-G yes\n</IfFile>\n" +
			"<IfFile /nonexistent>\n  Require all denied\n</IfFile>\n",
	}
	for name, body := range access {
		write(t, filepath.Join(p.apache.docs, name), body)
		must(t, os.Chmod(filepath.Join(p.apache.docs, name), 0o644))
	}
	// A file the server may not read (mode 0: the children run as nobody
	// under root) is a 403.
	must(t, os.Chmod(filepath.Join(p.apache.docs, "perm/.htaccess"), 0))
	// Files that are not regular are refused (403, AH00554) rather than
	// read: a link to /dev/zero, which would never end, and a directory.
	must(t, os.Symlink("/dev/zero", filepath.Join(p.apache.docs, "zero/.htaccess")))
	must(t, os.Mkdir(filepath.Join(p.apache.docs, "isdir/.htaccess"), 0o755))
	basic := func(path, credentials string) string {
		return "GET " + path + " HTTP/1.1\r\nHost: main.test\r\nAuthorization: Basic " +
			base64.StdEncoding.EncodeToString([]byte(credentials)) + "\r\nConnection: close\r\n\r\n"
	}
	reqs := []string{
		get("/a/x.txt", "main.test"),
		get("/a/missing", "main.test"),
		get("/a/b/y.txt", "main.test"),
		get("/a/b/c/z.txt", "main.test"),
		get("/a/.htaccess", "main.test"),
		get("/rw/real.txt", "main.test"),
		get("/rw/2026/11/hello-world/", "main.test"),
		get("/rw/index.php", "main.test"),
		get("/deny/x.txt", "main.test"),
		get("/auth/x.txt", "main.test"),
		basic("/auth/x.txt", "alice:alice pw"),
		basic("/auth/x.txt", "alice:wrong"),
		basic("/auth2/x.txt", "alice:alice pw"),
		get("/noidx/", "main.test"),
		get("/limited/x.txt", "main.test"),
		get("/syntax/x.txt", "main.test"),
		get("/unclosed/x.txt", "main.test"),
		get("/nonfatal/x.txt", "main.test"),
		get("/nonfatal/x.txt", "main.test"),
		get("/listed/old", "main.test"),
		get("/listed/x.txt", "main.test"),
		get("/files/open.txt", "main.test"),
		get("/files/secret.txt", "main.test"),
		get("/acl/x.txt", "main.test"),
		get("/perm/x.txt", "main.test"),
		get("/zero/x.txt", "main.test"),
		get("/isdir/x.txt", "main.test"),
		get("/mime/x.html", "main.test"),
		get("/ifexpr/x.txt?deny", "main.test"),
		get("/ifexpr/x.txt?hdr", "main.test"),
		get("/ifexpr/x.txt", "main.test"),
		get("/iffile/x.txt", "main.test"),
		"POST /lrb/x.txt HTTP/1.1\r\nHost: main.test\r\nContent-Length: 20\r\nConnection: close\r\n\r\n01234567890123456789",
	}
	p.compareEach(reqs, (*diffServer).headerAnswer)
	bodies := []diffRequest{
		{Raw: get("/rw/some/post", "main.test"), Want: "blog"},
		{Raw: get("/a/missing", "main.test"), Want: "custom 404"},
	}
	p.check(bodies)

	// The same file changed (size and time), replaced by one of the same
	// size and time (as cp -p leaves it), made unreadable, broken, then
	// removed: each request sees it as it is then.
	chg := filepath.Join(p.apache.docs, "chg/.htaccess")
	for _, body := range []string{"Header set X-V one\n", "Header set X-V second\n", "same", "chmod", "Header set X-V third\nBogus\n", ""} {
		switch body {
		case "":
			must(t, os.Remove(chg))
		case "same":
			fi, err := os.Stat(chg)
			must(t, err)
			other := chg + ".new"
			write(t, other, "Header set X-V SECOND\n")
			must(t, os.Chmod(other, 0o644))
			must(t, os.Chtimes(other, fi.ModTime(), fi.ModTime()))
			must(t, os.Rename(other, chg))
		case "chmod":
			must(t, os.Chmod(chg, 0))
		default:
			write(t, chg, body)
			must(t, os.Chmod(chg, 0o644))
		}
		p.compareEach([]string{get("/chg/x.txt", "main.test")}, (*diffServer).headerAnswer)
	}

	p.checkLogs() // stops both servers, which makes their logs whole
	lines := func(s *diffServer) []string {
		return slices.DeleteFunc(requestErrors(t, s), func(l string) bool {
			return !strings.Contains(l, ".htaccess") && !strings.Contains(l, "not allowed here")
		})
	}
	// The Nonfatal= warning is logged at each request (the file is read at
	// each in apache2).
	warned := map[string]int{}
	for _, s := range []*diffServer{p.apache, p.ours} {
		b, err := os.ReadFile(filepath.Join(s.root, "logs", "error_log"))
		must(t, err)
		warned[s.name] = strings.Count(string(b), "AH02295: Header in .htaccess forbidden by AllowOverride")
		if !strings.Contains(string(b), "[core:warn] [pid ") || !strings.Contains(string(b), "] AH02295: Header in .htaccess forbidden by AllowOverride\n") {
			t.Errorf("%s error_log: no AH02295 warning for nonfatal/.htaccess", s.name)
		}
		if !strings.Contains(string(b), "[core:error] [pid ") || !strings.Contains(string(b), "] AH00554: Access to file "+s.docs+"/zero/.htaccess denied by server: not a regular file\n") {
			t.Errorf("%s error_log: no AH00554 line for zero/.htaccess", s.name)
		}
	}
	if warned[p.apache.name] != warned[p.ours.name] {
		t.Errorf("AH02295 warnings: apache %d, ours %d", warned[p.apache.name], warned[p.ours.name])
	}
	want, got := lines(p.apache), lines(p.ours)
	if !slices.Equal(got, want) {
		t.Errorf("error_log .htaccess lines (sorted):\napache:\n  %s\nours:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	} else {
		t.Logf("error_log .htaccess lines, both:\n  %s", strings.Join(want, "\n  "))
	}
}
