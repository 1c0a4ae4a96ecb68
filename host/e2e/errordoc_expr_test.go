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

// errorDocVarsConf reads, in ErrorDocument texts and a URL, the variables
// apache2 fills from where its walk stopped (REQUEST_FILENAME, PATH_INFO),
// the status, the page's type and the credentials (REMOTE_USER, AUTH_TYPE
// as written in AuthType).
const errorDocVarsConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
	Require all granted
</Directory>
ErrorDocument 404 "PI=%{PATH_INFO} RS=%{REQUEST_STATUS} RF=%{REQUEST_FILENAME} SF=%{SCRIPT_FILENAME} CT=%{CONTENT_TYPE} UA=%{HTTP_USER_AGENT}"
<Location /url>
	ErrorDocument 404 http://elsewhere.test/?RS=%{REQUEST_STATUS}&PI=%{PATH_INFO}&RF=%{REQUEST_FILENAME}
</Location>
<Directory @DOCS@/auth>
	AuthType basic
	AuthName x
	AuthUserFile @DOCS@/htpasswd
	Require user nobodyelse
	ErrorDocument 401 "RU=%{REMOTE_USER} AT=%{AUTH_TYPE} RS=%{REQUEST_STATUS} RF=%{REQUEST_FILENAME}"
</Directory>
`

// TestErrorDocumentRequestVars: an ErrorDocument's expression sees the
// request as apache2's does when it answers.
func TestErrorDocumentRequestVars(t *testing.T) {
	p := startPair(t, 1, errorDocVarsConf, map[string]string{
		"pub/file.txt": "file\n", "url/file.txt": "file\n", "auth/f.txt": "f\n",
		"htpasswd": "u:$apr1$UaL4TEPj$GTA.iWm7CH3uGZg59VqWe/\n",
	})
	docs := p.apache.docs
	p.check([]diffRequest{
		{Raw: get("/pub/file.txt/pi", "main.test"), Want: "PI=/pi RS=404 RF=" + docs + "/pub/file.txt SF=" + docs + "/pub/file.txt CT=text/html; charset=iso-8859-1 UA="},
		{Raw: get("/pub/nothere/x", "main.test"), Want: "PI=/x RS=404 RF=" + docs + "/pub/nothere "},
		{Raw: request("GET", "/nope.txt", "main.test", "", "User-Agent: agent"), Want: "PI= RS=404 RF=" + docs + "/nope.txt "},
		{Raw: get("/url/file.txt/pi", "main.test")},
		{Raw: get("/auth/f.txt", "main.test"), Want: "RU= AT=basic RS=401 RF=" + docs + "/auth/f.txt"},
		{Raw: request("GET", "/auth/f.txt", "main.test", "", "Authorization: Basic dTpw"), Want: "RU=u AT=basic RS=401"},
		{Raw: request("GET", "/auth/f.txt", "main.test", "", "Authorization: Basic eno6d3Jvbmc="), Want: "RU=zz AT=basic RS=401"},
	})
}
