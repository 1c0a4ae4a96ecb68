package e2e_test

import "testing"

// errorDocSubreqConf has FallbackResource and DirectoryIndex URLs whose
// subrequests are refused (403, 401), redirected or find nothing, each
// directory with ErrorDocuments of its own.
const errorDocSubreqConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
	Require all granted
</Directory>
<Directory @DOCS@/auth>
	AuthType Basic
	AuthName x
	AuthUserFile @DOCS@/htpasswd
	Require valid-user
	ErrorDocument 401 "auth401 uri=%{REQUEST_URI}"
</Directory>
<Directory @DOCS@/fbt>
	ErrorDocument 403 "fbt uri=%{REQUEST_URI} file=%{REQUEST_FILENAME}"
	ErrorDocument 404 "fbt404 uri=%{REQUEST_URI}"
</Directory>
<Files "denied.html">
	Require all denied
</Files>
Redirect /tgt/moved http://elsewhere.test/moved
<Directory @DOCS@/fbe>
	FallbackResource /fbt/denied.html
	ErrorDocument 403 "fbe uri=%{REQUEST_URI} file=%{REQUEST_FILENAME} RS=%{REQUEST_STATUS}"
</Directory>
<Directory @DOCS@/fbm>
	FallbackResource /fbt/missing.html
</Directory>
<Directory @DOCS@/fba>
	FallbackResource /auth/f.txt
</Directory>
<Directory @DOCS@/fbr>
	FallbackResource /tgt/moved
</Directory>
<Directory @DOCS@/fby>
	FallbackResource /fbt/denied.html
	DirectoryIndex index.html two.html
</Directory>
<Directory @DOCS@/ix1>
	DirectoryIndex /fbt/denied.html
</Directory>
<Directory @DOCS@/ix2>
	DirectoryIndex /fbt/denied.html /fbt/missing.html
</Directory>
<Directory @DOCS@/ix3>
	DirectoryIndex /auth/f.txt
</Directory>
<Directory @DOCS@/ix4>
	DirectoryIndex /tgt/moved
</Directory>
<Directory @DOCS@/ix5>
	DirectoryIndex /auth/f.txt index.html
</Directory>
ErrorDocument 404 "main404 uri=%{REQUEST_URI} file=%{REQUEST_FILENAME}"
ErrorDocument 403 "main403 uri=%{REQUEST_URI} file=%{REQUEST_FILENAME}"
ErrorDocument 401 "main401 uri=%{REQUEST_URI} file=%{REQUEST_FILENAME}"
ErrorDocument 302 "main302 uri=%{REQUEST_URI}"
`

// TestErrorDocumentSubrequest: mod_dir's subrequest for a FallbackResource
// or DirectoryIndex URL answers nothing itself; its status becomes the
// request's (but a 404: the request's own), answered with the request's
// ErrorDocument, the subrequest's fields only for a redirect (and a single
// index URL's 401).
func TestErrorDocumentSubrequest(t *testing.T) {
	p := startPair(t, 1, errorDocSubreqConf, map[string]string{
		"fbt/denied.html": "denied\n", "auth/f.txt": "f\n", "htpasswd": "",
		"fbe/.keep": "", "fbm/.keep": "", "fba/.keep": "", "fbr/.keep": "", "fby/two.html": "two\n",
		"ix1/.keep": "", "ix2/.keep": "", "ix3/.keep": "", "ix4/.keep": "", "ix5/.keep": "",
	})
	docs := p.apache.docs
	h := func(path, want string) diffRequest { return diffRequest{Raw: get(path, "main.test"), Want: want} }
	p.check([]diffRequest{
		h("/fbe/x", "fbe uri=/fbe/x file="+docs+"/fbe/x RS=403"),
		h("/fbe/", "fbe uri=/fbe/ file="+docs+"/fbe/ RS=403"),
		h("/fbm/x", "main404 uri=/fbm/x file="+docs+"/fbm/x"),
		h("/fba/x", "main401 uri=/fba/x"),
		h("/fbr/x", "main302 uri=/fbr/x"),
		h("/fby/", "two"),
		h("/ix1/", "main403 uri=/ix1/"),
		h("/ix2/", "main403 uri=/ix2/"),
		h("/ix3/", "main401 uri=/ix3/"),
		h("/ix4/", "main302 uri=/ix4/"),
		h("/ix5/", "main401 uri=/ix5/"),
	})
}
