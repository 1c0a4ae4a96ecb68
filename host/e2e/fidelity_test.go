package e2e_test

import "testing"

// Differential tests (apache_test.go) of details where apache2's answer is
// easy to get wrong: the ErrorDocument of a Redirect's status,
// AddDefaultCharset and UseCanonicalName.

// redirectErrorDocConf: a Redirect of every kind (3xx with a target, gone,
// 4xx and 5xx without one, in a <Location> too) with ErrorDocuments as
// text and as a local URL, at the top level and in a <Location>, and an
// ErrorDocument 301 for the directory redirect.
const redirectErrorDocConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
    Require all granted
</Directory>
ErrorDocument 410 "Custom gone
ErrorDocument 403 /err.html
ErrorDocument 404 "Custom not found
ErrorDocument 500 "Custom error
ErrorDocument 302 "Custom found
ErrorDocument 301 /err.html
Redirect gone /gone
Redirect 403 /forbidden
Redirect 404 /missing
Redirect 400 /bad
Redirect 500 /broken
Redirect 204 /nothing
Redirect 302 /temp /x.txt
Redirect 301 /perm /x.txt
Redirect seeother /other /x.txt
RedirectMatch gone ^/old/
<Location /in>
    Redirect gone
</Location>
<Location /loc>
    ErrorDocument 410 "Gone from loc
    ErrorDocument 302 default
</Location>
Redirect gone /loc/gone
Redirect temp /loc/temp /x.txt
`

// TestRedirectErrorDocument: apache2 answers a Redirect with the
// ErrorDocument of its status, whatever the status (a 3xx keeps its
// Location), from the server's and the covering <Location>'s
// ErrorDocuments; mod_dir's 301 too.
func TestRedirectErrorDocument(t *testing.T) {
	docs := map[string]string{
		"x.txt":          "x\n",
		"err.html":       "<p>err page</p>\n",
		"sub/index.html": "sub\n",
	}
	p := startPair(t, 1, redirectErrorDocConf, docs)
	p.check([]diffRequest{
		{Raw: get("/gone", "main.test"), Want: "Custom gone"},
		{Raw: get("/gone/deeper?q=1", "main.test"), Want: "Custom gone"},
		{Raw: get("/forbidden", "main.test"), Want: "err page"},
		{Raw: get("/missing", "main.test"), Want: "Custom not found"},
		{Raw: get("/bad", "main.test"), Want: "Bad Request"},
		{Raw: get("/broken", "main.test"), Want: "Custom error"},
		{Raw: get("/nothing", "main.test")},
		{Raw: get("/temp", "main.test"), Want: "Custom found"},
		{Raw: get("/perm?a=b", "main.test"), Want: "err page"},
		{Raw: get("/other", "main.test"), Want: "See Other"},
		{Raw: get("/old/page", "main.test"), Want: "Custom gone"},
		{Raw: get("/in/side", "main.test"), Want: "Custom gone"},
		{Raw: get("/loc/gone", "main.test"), Want: "Gone from loc"},
		{Raw: get("/loc/temp", "main.test"), Want: "x.txt"},
		{Raw: get("/sub", "main.test"), Want: "err page"},
	})
}
