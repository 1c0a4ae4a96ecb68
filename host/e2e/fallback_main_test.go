package e2e_test

import (
	"os"
	"path/filepath"
	"testing"
)

// fallbackMainConf has FallbackResource and DirectoryIndex URLs whose
// subrequests redirect (mod_dir's slash, Redirect to a path) or reach a
// script and a file under Basic authentication; the access log shows the
// user and the URI each request ends with.
const fallbackMainConf = `ServerName main.test
Listen 127.0.0.1:@P0@
LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
LogFormat "%u %>s %U \"%r\"" u
CustomLog logs/u_log u
DocumentRoot @DOCS@
<Directory @DOCS@>
	Options +ExecCGI
	AddHandler cgi-script .cgi
</Directory>
<Directory @DOCS@/auth>
	AuthType Basic
	AuthName x
	AuthUserFile @DOCS@/htpasswd
	Require valid-user
</Directory>
Redirect /tgt/moved /elsewhere/moved
<Directory @DOCS@/fbd>
	FallbackResource /tgt/dir
</Directory>
<Directory @DOCS@/fbr>
	FallbackResource /tgt/moved
</Directory>
<Directory @DOCS@/fba>
	FallbackResource /auth/env.cgi
</Directory>
<Directory @DOCS@/fbs>
	FallbackResource /auth/f.txt
</Directory>
<Directory @DOCS@/fbu>
	AuthType Basic
	AuthName x
	AuthUserFile @DOCS@/htpasswd
	Require valid-user
	FallbackResource /auth/env.cgi
</Directory>
<Directory @DOCS@/ixa>
	DirectoryIndex /auth/env.cgi
</Directory>
`

// TestFallbackSubrequestMain: what mod_dir's subrequest for a
// FallbackResource or DirectoryIndex URL leaves to its request, as
// apache2's ap_internal_fast_redirect: its own redirects name no port (its
// URI has none: the ServerName's, else the default), but a script it
// finds runs with the request's port (SERVER_PORT); its authentication is
// its own (no REMOTE_USER, AUTH_TYPE nor %u on the request unless the
// request authenticated itself); the request's URI (%U) becomes the URL's.
func TestFallbackSubrequestMain(t *testing.T) {
	env := "#!/bin/sh\necho 'Content-Type: text/plain'\necho\n" +
		"env | grep '^\\(SERVER_PORT\\|REMOTE_USER\\|AUTH_TYPE\\|SCRIPT_NAME\\|REQUEST_URI\\)=' | sort\n"
	p := startPair(t, 1, fallbackMainConf, map[string]string{"auth/env.cgi": env, "auth/f.txt": "f\n",
		"htpasswd":      "alice:$apr1$NCnZ7mNX$TjAAoMmEQOKmjQSAh8GmQ.\n", // password "pw"
		"tgt/dir/i.txt": "i\n", "fbd/.k": "", "fbr/.k": "", "fba/.k": "", "fbs/.k": "", "fbu/.k": "", "ixa/.k": ""})
	must(t, os.Chmod(filepath.Join(p.apache.docs, "auth/env.cgi"), 0o755))
	const alice, bob = "Authorization: Basic YWxpY2U6cHc=", "Authorization: Basic Ym9iOnB3"
	port := "main.test:@P0@"
	p.check([]diffRequest{
		{Raw: get("/fbd/x", port), Want: "http://main.test/tgt/dir/"},
		{Raw: get("/fbd/x", "other.test:@P0@"), Want: "http://other.test/tgt/dir/"},
		{Raw: get("/fbr/x", port), Want: "http://main.test/elsewhere/moved"},
		{Raw: request("GET", "/fba/x", port, "", alice), Want: "REQUEST_URI=/fba/x\nSCRIPT_NAME=/auth/env.cgi\nSERVER_PORT=@P0@\n"},
		{Raw: request("GET", "/fba/x", "main.test", "", bob), Want: "Unauthorized"},
		{Raw: request("GET", "/fbs/x", "main.test", "", alice), Want: "f\n"},
		{Raw: request("GET", "/fbs/x", "main.test", "", bob), Want: "Unauthorized"},
		{Raw: request("GET", "/fbu/x", "main.test", "", alice), Want: "REMOTE_USER=alice\n"},
		{Raw: request("GET", "/ixa/", port, "", alice), Want: "REQUEST_URI=/ixa/\nSCRIPT_NAME=/auth/env.cgi\nSERVER_PORT=@P0@\n"},
	})
	p.checkLogs("u_log")
}
