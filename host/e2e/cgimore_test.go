package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cgiMoreConf runs *.cgi by AddHandler in h/, by its content type alone
// (AddType application/x-httpd-cgi, no handler) in t/; keeps connections alive.
const cgiMoreConf = `ServerName main.test
KeepAlive On
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
	ErrorDocument 404 /h/show.cgi
</Directory>
<Directory @DOCS@/e2>
	ErrorDocument 404 /h/bad.cgi
</Directory>
<Directory @DOCS@/e3>
	ErrorDocument 404 /h/noexec.cgi
	ErrorDocument 500 /h/run.cgi
</Directory>
<Directory @DOCS@/t>
	AddType application/x-httpd-cgi .cgi
</Directory>
<Directory @DOCS@/t/noexec>
	Options -ExecCGI
</Directory>
`

// TestCGIMore: REDIRECT_STATUS, REDIRECT_URL, REDIRECT_QUERY_STRING and the
// renamed variables after an internal redirect, a script's ETag and Last-Modified meet the request's
// conditionals as apache2's (304, 412; not with a Status nor for a POST), a
// script with a malformed header ends the connection (apache2's 500 drops
// it; so does an ErrorDocument's, under the error's "Additionally" page), a script's Status 304 or 204 goes out without its body, and a script
// known only by its content type runs.
func TestCGIMore(t *testing.T) {
	script := "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"ran $SCRIPT_NAME\"\n"
	docs := map[string]string{"h/bad.cgi": "#!/bin/sh\necho 'this is not a header'\necho\n", "h/run.cgi": script,
		"h/lm.cgi": "#!/bin/sh\necho 'Content-Type: text/plain'\necho 'Last-Modified: Mon, 02 Jan 2006 15:04:05 GMT'\necho 'ETag: \"v1\"'\n" +
			"echo 'X-Other: y'\necho 'Set-Cookie: a=1'\necho\necho body\n",
		"h/st.cgi":  "#!/bin/sh\necho 'Status: 200 OK'\necho 'Content-Type: text/plain'\necho 'ETag: \"v1\"'\necho\necho body\n",
		"h/now.cgi": "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho body\n",
		"t/run.cgi": script,
		"h/show.cgi": "#!/bin/sh\necho 'Content-Type: text/plain'\necho\n" +
			"echo \"status=$REDIRECT_STATUS url=$REDIRECT_URL qs=${REDIRECT_QUERY_STRING-unset} rfoo=${REDIRECT_FOO-unset} foo=$FOO uri=$REQUEST_URI\"\n",
		"e/x.txt":    "x\n",
		"h/renv.cgi": "#!/bin/sh\necho 'Content-Type: text/plain'\necho\nenv | grep '^REDIRECT_' | grep -v '^REDIRECT_REMOTE_PORT=\\|^REDIRECT_SERVER_SOFTWARE=' | sort\n",
		"h/loc2.cgi": "#!/bin/sh\necho 'Location: /h/renv.cgi'\necho\n",
		"h/loc.cgi":  "#!/bin/sh\necho 'Location: /h/show.cgi?x=1'\necho\n", "t/noexec/run.cgi": script, "hello.txt": "hello\n",
		"h/s304.cgi":   "#!/bin/sh\necho 'Status: 304 NM'\necho 'ETag: \"v1\"'\necho\necho body\n",
		"h/noexec.cgi": script, "e2/x.txt": "x\n", "e3/x.txt": "x\n",
		"h/s204.cgi": "#!/bin/sh\necho 'Status: 204'\necho 'X-S: 1'\necho\necho body\n"}
	p := startPairMPM(t, "event", 1, cgiMoreConf, docs)
	for name := range docs {
		if strings.HasSuffix(name, ".cgi") {
			must(t, os.Chmod(filepath.Join(p.apache.docs, name), 0o755))
		}
	}
	must(t, os.Chmod(filepath.Join(p.apache.docs, "h/noexec.cgi"), 0o644))
	keep := func(path string) string { return "GET " + path + " HTTP/1.1\r\nHost: main.test\r\n\r\n" }
	cond := func(method, path, field string) diffRequest {
		return diffRequest{Raw: method + " " + path + " HTTP/1.1\r\nHost: main.test\r\n" + field + "\r\nConnection: close\r\n\r\n"}
	}
	const lm = "Mon, 02 Jan 2006 15:04:05 GMT"
	p.check([]diffRequest{
		cond("GET", "/h/lm.cgi", `If-None-Match: "v1"`),
		cond("HEAD", "/h/lm.cgi", `If-None-Match: "v1"`),
		cond("GET", "/h/lm.cgi", `If-None-Match: "v2"`),
		cond("GET", "/h/lm.cgi", "If-Modified-Since: "+lm),
		cond("GET", "/h/lm.cgi", "If-Modified-Since: Sun, 01 Jan 2006 15:04:05 GMT"),
		cond("GET", "/h/lm.cgi", `If-Match: "v2"`),
		cond("GET", "/h/lm.cgi", "If-Unmodified-Since: Sun, 01 Jan 2006 15:04:05 GMT"),
		cond("POST", "/h/lm.cgi", "If-None-Match: \"v1\"\r\nContent-Length: 0"),
		cond("GET", "/h/st.cgi", `If-None-Match: "v1"`),
		cond("GET", "/h/now.cgi", "If-Modified-Since: "+lm),
		cond("GET", "/h/now.cgi", "If-None-Match: *"),
	})
	// The 304 carries the script's fields (err_headers_out's too), no body.
	for _, s := range []*diffServer{p.apache, p.ours} {
		raw, _ := s.exchange(t, "127.0.0.1", 0, cond("GET", "/h/lm.cgi", `If-None-Match: "v1"`).Raw, 10*time.Second)
		if text := raw.String(); !strings.HasPrefix(text, "HTTP/1.1 304 ") || !strings.Contains(strings.ToLower(text), "\r\netag: \"v1\"\r\n") || !strings.Contains(text, "\r\nSet-Cookie: a=1\r\n") || !strings.Contains(text, "\r\nX-Other: y\r\n") || strings.Contains(text, "body") {
			t.Errorf("%s: the 304 of a script: %q", s.name, text)
		}
	}
	last := "GET /hello.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"
	// REDIRECT_* after an internal redirect: a script's Location, an
	// ErrorDocument (the original request's variables renamed).
	p.check([]diffRequest{
		{Raw: keep("/h/loc.cgi?a%20b=c") + last, Want: "status=200 url=/h/loc.cgi qs=a%20b=c rfoo=bar foo=bar"},
		{Raw: keep("/h/loc.cgi") + last, Want: "qs= rfoo=bar"},
		{Raw: "GET /h/loc2.cgi?z HTTP/1.1\r\nHost: main.test:@P0@\r\n\r\n" + last, Want: "REDIRECT_HTTP_HOST=main.test"},
		{Raw: keep("/e/nothere%20x?q") + last, Want: "status=404 url=/e/nothere x qs=q rfoo=unset foo=bar"},
		{Raw: keep("/h/show.cgi") + last, Want: "status= url= qs=unset rfoo=unset foo=bar"},
		{Raw: keep("/e/nothere") + last},
	})
	p.check([]diffRequest{
		{Raw: keep("/h/bad.cgi") + last, Connection: true},
		{Raw: keep("/e2/nothere") + last, Connection: true},
		{Raw: keep("/e3/nothere") + last, Connection: true},
		{Raw: keep("/h/s304.cgi") + last, Connection: true},
		{Raw: keep("/h/s204.cgi") + last, Connection: true},
		{Raw: keep("/h/nothere.cgi") + last, Connection: true},
		{Raw: keep("/t/run.cgi") + last, Want: "ran /t/run.cgi", Connection: true},
		{Raw: keep("/t/run.cgi/more?q") + keep("/t/noexec/run.cgi") + last, Connection: true},
	})
}
