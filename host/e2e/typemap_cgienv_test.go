package e2e_test

import (
	"os"
	"path/filepath"
	"testing"
)

// typeMapEnvConf serves type maps (handler type-map) whose variants are
// scripts that show their environment.
const typeMapEnvConf = `ServerName main.test
Listen 127.0.0.1:@P0@
LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
DocumentRoot @DOCS@
SetEnvIf Request_URI \.var$ MAPREQ=1
<Directory @DOCS@>
	Options +ExecCGI
	AddHandler cgi-script .cgi
	AddHandler type-map .var
	SetEnv FOO bar
</Directory>
<Directory @DOCS@/e>
	ErrorDocument 404 /m.var
</Directory>
`

// TestTypeMapCGIVariantEnv: mod_negotiation's type map hands the request to
// its variant with ap_internal_redirect, so a script variant sees the map's
// request as apache2's: its variables renamed REDIRECT_* (SetEnv's,
// SetEnvIf's), REDIRECT_STATUS (200, or the error of an ErrorDocument that
// is a type map), REDIRECT_URL and REDIRECT_QUERY_STRING. A variant that is
// a type map again is a 506 or, past LimitInternalRecursion, a 500.
func TestTypeMapCGIVariantEnv(t *testing.T) {
	env := "#!/bin/sh\ncat >/dev/null\necho 'Content-Type: text/plain'\necho\n" +
		"env | grep -v '^\\(REDIRECT_\\)*\\(REMOTE_PORT\\|SERVER_SOFTWARE\\)=' | sort\n"
	docs := map[string]string{"env.cgi": env, "m.var": "URI: m\n\nURI: env.cgi\nContent-Type: text/plain\n",
		"e/a.txt": "a\n", "self.var": "URI: self\n\nURI: self.var\nContent-Type: text/plain\n",
		"mm/a.var": "URI: a\n\nURI: b.var\nContent-Type: text/plain\n", "mm/b.var": "URI: b\n\nURI: a.var\nContent-Type: text/plain\n"}
	p := startPair(t, 1, typeMapEnvConf, docs)
	must(t, os.Chmod(filepath.Join(p.apache.docs, "env.cgi"), 0o755))
	p.check([]diffRequest{
		{Raw: get("/m.var", "main.test"), Want: "REDIRECT_STATUS=200\n"},
		{Raw: get("/m.var?q=1", "main.test")},
		{Raw: request("POST", "/m.var", "main.test", "a=b")},
		{Raw: request("HEAD", "/m.var", "main.test", "")},
		{Raw: get("/e/nothere?z", "main.test")},
		// A map whose variant is itself: 506 when negotiated transparently
		// (GET), else redirects to itself up to LimitInternalRecursion, a
		// 500 (AH00124).
		{Raw: get("/self.var", "main.test"), Want: "Variant Also Negotiates"},
		{Raw: request("POST", "/self.var", "main.test", "a=b"), Want: "Internal Server Error"},
	})
	// Their fields (Content-Location, TCN, Vary, none on apache2's 506).
	p.compareEach([]string{get("/self.var", "main.test"), get("/mm/a.var", "main.test"),
		request("POST", "/self.var", "main.test", "a=b"), request("POST", "/mm/a.var", "main.test", "a=b")},
		func(s *diffServer, t *testing.T, req string) string { return s.statusAnswer(t, req) })
}
