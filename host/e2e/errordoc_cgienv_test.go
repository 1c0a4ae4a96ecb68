package e2e_test

import (
	"os"
	"path/filepath"
	"testing"
)

// errorDocEnvConf sends the errors of /e/ to a script that shows its
// environment, a local ErrorDocument served by mod_cgid.
const errorDocEnvConf = `ServerName main.test
Listen 127.0.0.1:@P0@
LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
DocumentRoot @DOCS@
<Directory @DOCS@>
	Options +ExecCGI
</Directory>
<Directory @DOCS@/h>
	AddHandler cgi-script .cgi
	SetEnv FOO bar
</Directory>
<Directory @DOCS@/e>
	AddHandler cgi-script .cgi
	ErrorDocument 403 /h/env.cgi
	ErrorDocument 404 /h/env.cgi
	ErrorDocument 500 /h/env.cgi
</Directory>
<Directory @DOCS@/m>
	ErrorDocument 404 /h/method.cgi
</Directory>
<Files deny.txt>
	Require all denied
</Files>
<Directory @DOCS@/u>
	AllowOverride All
</Directory>
ErrorDocument 403 /h/env.cgi
Listen 127.0.0.1:@P1@
<VirtualHost 127.0.0.1:@P1@>
	ServerName plain.test
	ErrorDocument 403 default
</VirtualHost>
`

// TestErrorDocumentCGIEnv: a script serving a local ErrorDocument sees the
// request's variables renamed REDIRECT_NAME as apache2's: the original
// method (REDIRECT_REQUEST_METHOD, set by ap_die), the error notes
// (REDIRECT_ERROR_NOTES: a script's bad header, an unreadable .htaccess,
// which the 403 page shows too), and, after a script that failed, that
// script's whole environment (mod_cgi put it in the request's variables);
// the request's Content-Type stays CONTENT_TYPE. The document, and the
// local URL of a script's Location, is asked for with GET whatever the
// method, HEAD too (its answer still without a body).
func TestErrorDocumentCGIEnv(t *testing.T) {
	// The environment less what must differ (the client's port, the
	// software).
	env := "#!/bin/sh\necho 'Content-Type: text/plain'\necho\n" +
		"env | grep -v '^\\(REDIRECT_\\)\\?\\(REMOTE_PORT\\|SERVER_SOFTWARE\\)=' | sort\n"
	docs := map[string]string{"h/env.cgi": env, "e/deny.txt": "x\n",
		"e/bad.cgi": "#!/bin/sh\necho 'this is not a header'\necho\n", "u/.htaccess": "", "u/a.txt": "a\n",
		// The methods in the type: a HEAD's answer has no body.
		"h/method.cgi": "#!/bin/sh\necho \"Content-Type: text/plain; method=$REQUEST_METHOD; was=$REDIRECT_REQUEST_METHOD\"\necho\necho body\n",
		"h/loc.cgi":    "#!/bin/sh\necho 'Location: /h/method.cgi'\necho\n", "m/a.txt": "a\n"}
	p := startPair(t, 2, errorDocEnvConf, docs)
	must(t, os.Chmod(filepath.Join(p.apache.docs, "u/.htaccess"), 0))
	for _, name := range []string{"h/env.cgi", "e/bad.cgi", "h/method.cgi", "h/loc.cgi"} {
		must(t, os.Chmod(filepath.Join(p.apache.docs, name), 0o755))
	}
	p.check([]diffRequest{
		{Raw: get("/e/nothere?q=1", "main.test"), Want: "REDIRECT_REQUEST_METHOD=GET\nREDIRECT_STATUS=404\n"},
		{Raw: request("POST", "/e/nothere", "main.test", "a=b", "Content-Type: application/x-www-form-urlencoded"),
			Want: "CONTENT_TYPE=application/x-www-form-urlencoded\n"},
		{Raw: request("POST", "/e/nothere", "main.test", "a=b"), Want: "REDIRECT_REQUEST_METHOD=POST\n"},
		{Raw: get("/e/deny.txt", "main.test"), Want: "REDIRECT_STATUS=403\n"},
		{Raw: get("/e/bad.cgi?z", "main.test"), Want: "REDIRECT_ERROR_NOTES=malformed header from script 'bad.cgi': Bad header: this is not a header\n"},
		{Raw: get("/u/a.txt", "main.test"), Want: "REDIRECT_ERROR_NOTES=Server unable to read htaccess file, denying access to be safe\n"},
		{Raw: get("/u/a.txt", "plain.test"), Port: 1, Want: "resource.Server unable to read htaccess file, denying access to be safe</p>"},
		{Raw: get("/m/nothere", "main.test"), Want: "body\n"},
		{Raw: request("HEAD", "/m/nothere", "main.test", "")},
		{Raw: request("POST", "/m/nothere", "main.test", "a=b")},
		{Raw: request("HEAD", "/h/loc.cgi", "main.test", "")},
	})
}
