package e2e_test

import (
	"os"
	"path/filepath"
	"testing"
)

// errorDocRefusedConf points ErrorDocuments at local URLs that are refused
// themselves.
const errorDocRefusedConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
	Require all granted
</Directory>
<Directory @DOCS@/secret>
	Require all denied
</Directory>
<Directory @DOCS@/private>
	AuthType Basic
	AuthName x
	AuthUserFile @DOCS@/htpasswd
	Require valid-user
</Directory>
ErrorDocument 404 /secret/a.txt
ErrorDocument 403 /private/p.txt
`

// TestErrorDocumentRefused: an ErrorDocument that is itself refused leaves
// the error's status, and its page says an error happened (naming the
// error's own status, as apache2's recursive error does): no Basic
// challenge of the document either.
func TestErrorDocumentRefused(t *testing.T) {
	p := startPair(t, 1, errorDocRefusedConf, map[string]string{
		"secret/a.txt":  "secret\n",
		"secret/b.txt":  "secret\n",
		"private/p.txt": "private\n",
		"htpasswd":      "",
	})
	p.check([]diffRequest{
		{Raw: get("/nope", "main.test"), Want: "Additionally, a 404 Not Found"},
		{Raw: get("/secret/b.txt", "main.test"), Want: "Additionally, a 403 Forbidden"},
		{Raw: request("HEAD", "/nope", "main.test", "")},
	})
}

// errorDocCGIConf points ErrorDocument 404 at a CGI script.
const errorDocCGIConf = `ServerName main.test
Listen 127.0.0.1:@P0@
LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
DocumentRoot @DOCS@
<Directory @DOCS@>
	Options +ExecCGI
	AddHandler cgi-script .cgi
	Require all granted
</Directory>
ErrorDocument 404 /ecg/e.cgi
`

// TestErrorDocumentCGI: an ErrorDocument that is a CGI script runs it and
// answers its output with the error's status.
func TestErrorDocumentCGI(t *testing.T) {
	p := startPair(t, 1, errorDocCGIConf, map[string]string{
		"ecg/e.cgi": "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nERRCGI\\n'\n",
	})
	must(t, os.Chmod(filepath.Join(p.apache.docs, "ecg/e.cgi"), 0o755))
	p.check([]diffRequest{
		{Raw: get("/nope-at-all", "main.test"), Want: "ERRCGI"},
	})
}
