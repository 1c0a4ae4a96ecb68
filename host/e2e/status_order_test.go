package e2e_test

import "testing"

// statusOrderConf puts mod_rewrite, mod_alias and an .htaccess file in front
// of a server-status <Location>: apache2 runs a handler last, so each of
// them answers first.
const statusOrderConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@/docs
<Directory @DOCS@/docs>
	AllowOverride All
	Require all granted
</Directory>
<Location /st2>
	SetHandler server-status
	Require ip 127.0.0.1
</Location>
<Location /st3>
	SetHandler server-status
	Require all denied
</Location>
RewriteEngine On
RewriteRule ^/st2/f - [F]
RewriteCond %{REMOTE_ADDR} ^127\.
RewriteRule ^/st2/c - [F]
RewriteRule ^/st2$ - [R=404]
RewriteRule ^/st2/g - [G]
RewriteRule ^/st2/rw http://example.com/x [R]
RewriteRule ^/pass$ /st2/ [PT]
Redirect /st2/redir http://example.com/
`

// TestStatusHandlerOrder: the status page is a handler, reached only after
// rewrite rules ([F], [G], [R], a RewriteCond, per-directory ones), Redirect
// and Require, as on apache2.
func TestStatusHandlerOrder(t *testing.T) {
	p := startPair(t, 1, statusOrderConf, map[string]string{
		"docs/index.html": "home\n",
		"docs/.htaccess":  "RewriteEngine On\nRewriteRule ^st2/h - [F]\n",
	})
	p.check([]diffRequest{
		{Raw: get("/st2/?auto", "main.test"), Want: "Total Accesses", NoBody: true},
		{Raw: get("/st2/x?auto", "main.test"), Want: "Total Accesses", NoBody: true},
		{Raw: get("/pass?auto", "main.test"), Want: "Total Accesses", NoBody: true},
		{Raw: get("/st2/f", "main.test")},
		{Raw: get("/st2/c", "main.test")},
		{Raw: get("/st2", "main.test")},
		{Raw: get("/st2/g", "main.test")},
		{Raw: get("/st2/rw", "main.test")},
		{Raw: get("/st2/redir", "main.test")},
		{Raw: get("/st2/h", "main.test")},
		{Raw: get("/st3/?auto", "main.test")},
		{From: "127.0.0.2", Raw: get("/st2/?auto", "main.test")},
	})
}
