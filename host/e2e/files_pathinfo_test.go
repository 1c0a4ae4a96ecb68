package e2e_test

import "testing"

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
