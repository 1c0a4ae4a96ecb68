package e2e_test

import "testing"

// errorDocExprConf has ErrorDocuments with %{...} expressions in each form
// set_error_document tells apart: a text, a word that is no URL (a text
// too), a local URL-path, URLs (a scheme without "//" too), an evaluation
// error, a 401's URL (ignored: the inherited text stays) and .htaccess.
const errorDocExprConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
	Require all granted
	AllowOverride FileInfo
</Directory>
ErrorDocument 404 "Missing %{REQUEST_URI} (%{QUERY_STRING}) %{REQUEST_METHOD}"
<Location /word>
	ErrorDocument 404 %{REQUEST_URI}
</Location>
<Location /local>
	ErrorDocument 404 /doc-%{QUERY_STRING}.txt
</Location>
<Location /remote>
	ErrorDocument 404 http://elsewhere.test%{REQUEST_URI}
</Location>
<Location /mail>
	ErrorDocument 404 mailto:%{QUERY_STRING}
</Location>
<Location /hdr>
	ErrorDocument 404 "Hdr %{HTTP:X-Which} %{tolower:%{HTTP_HOST}}"
</Location>
<Location /plain>
	ErrorDocument 404 "100% sure, a\\b $1 %"
</Location>
<Location /fail>
	ErrorDocument 404 "x %{file:/nonexistent/x}"
</Location>
<Location /auth>
	AuthType Basic
	AuthName x
	AuthUserFile @DOCS@/htpasswd
	Require valid-user
	ErrorDocument 401 "Login first at %{REQUEST_URI}"
</Location>
<Location /auth/url>
	ErrorDocument 401 http://elsewhere.test/login?%{REQUEST_URI}
</Location>
`

// TestErrorDocumentExpr: apache2 evaluates an ErrorDocument's text or URL as
// a string expression when it answers, then tells a text from a URL by
// what it was written as.
func TestErrorDocumentExpr(t *testing.T) {
	p := startPair(t, 1, errorDocExprConf, map[string]string{
		"doc-a.txt":    "document a\n",
		"htpasswd":     "",
		"ht/.htaccess": "ErrorDocument 404 \"ht %{REQUEST_URI}\"\n",
	})
	p.check([]diffRequest{
		{Raw: get("/nope?q=1", "main.test"), Want: "Missing /nope (q=1) GET"},
		{Raw: request("HEAD", "/nope", "main.test", "")},
		{Raw: get("/word/x", "main.test"), Want: "/word/x"},
		{Raw: get("/local/x?a", "main.test"), Want: "document a"},
		{Raw: get("/local/x?b", "main.test")},
		{Raw: get("/remote/x", "main.test")},
		{Raw: get("/mail/x?someone", "main.test")},
		{Raw: request("GET", "/hdr/x", "Main.Test", "", "X-Which: one"), Want: "Hdr one main.test"},
		{Raw: get("/fail/x", "main.test")},
		{Raw: get("/plain/x", "main.test")},
		{Raw: get("/auth/x", "main.test"), Want: "Login first at /auth/x"},
		{Raw: get("/auth/url/x", "main.test"), Want: "Login first at /auth/url/x"},
		{Raw: get("/ht/x", "main.test"), Want: "ht /ht/x"},
	})
}
