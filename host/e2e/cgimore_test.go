package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
</Directory>
<Directory @DOCS@/t>
	AddType application/x-httpd-cgi .cgi
</Directory>
<Directory @DOCS@/t/noexec>
	Options -ExecCGI
</Directory>
`

// TestCGIMore: a script with a malformed header ends the connection (apache2's
// 500 drops it), and a script known only by its content type runs.
func TestCGIMore(t *testing.T) {
	script := "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"ran $SCRIPT_NAME\"\n"
	docs := map[string]string{"h/bad.cgi": "#!/bin/sh\necho 'this is not a header'\necho\n", "h/run.cgi": script,
		"t/run.cgi": script, "t/noexec/run.cgi": script, "hello.txt": "hello\n"}
	p := startPairMPM(t, "event", 1, cgiMoreConf, docs)
	for name := range docs {
		if strings.HasSuffix(name, ".cgi") {
			must(t, os.Chmod(filepath.Join(p.apache.docs, name), 0o755))
		}
	}
	keep := func(path string) string { return "GET " + path + " HTTP/1.1\r\nHost: main.test\r\n\r\n" }
	last := "GET /hello.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"
	p.check([]diffRequest{
		{Raw: keep("/h/bad.cgi") + last, Connection: true},
		{Raw: keep("/h/nothere.cgi") + last, Connection: true},
		{Raw: keep("/t/run.cgi") + last, Want: "ran /t/run.cgi", Connection: true},
		{Raw: keep("/t/run.cgi/more?q") + keep("/t/noexec/run.cgi") + last, Connection: true},
	})
}
