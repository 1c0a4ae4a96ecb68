package e2e_test

import (
	"os"
	"path/filepath"
	"testing"
)

// TestAbsoluteTargetOtherSchemePort: an absolute-form target of the other
// scheme than the connection's ("https://" over plain HTTP), whose host is
// ignored, keeps its port where the Host field names none, as apache2's
// r->parsed_uri: a script's SERVER_PORT and mod_dir's redirect take it (its
// scheme's default for an empty one); a port in the Host field wins.
func TestAbsoluteTargetOtherSchemePort(t *testing.T) {
	conf := mainSite + `LoadModule cgid_module /usr/lib/apache2/modules/mod_cgid.so
<Directory @DOCS@>
	Options +ExecCGI
	AddHandler cgi-script .cgi
</Directory>
`
	p := startPair(t, 1, conf, map[string]string{
		"s.cgi":   "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n[%s] [%s] [%s]\\n' \"$SERVER_PORT\" \"$SERVER_NAME\" \"$HTTP_HOST\"\n",
		"d/i.txt": "i\n",
	})
	must(t, os.Chmod(filepath.Join(p.apache.docs, "s.cgi"), 0o755))
	p.check([]diffRequest{
		{Raw: get("https://abs.test:81/s.cgi", "main.test"), Want: "[81]"},
		{Raw: get("https://abs.test:/s.cgi", "main.test"), Want: "[443]"},
		{Raw: get("https://abs.test:081/s.cgi", "main.test")},
		{Raw: get("https://abs.test:99999/s.cgi", "main.test"), Want: "[34463]"},
		{Raw: get("https://abs.test:65536/s.cgi", "main.test")},
		{Raw: get("https://abs.test:99999999999999999999999/s.cgi", "main.test")},
		{Raw: get("https://abs.test/s.cgi", "main.test")},
		{Raw: get("https://abs.test:81/s.cgi", "main.test:82"), Want: "[82]"},
		{Raw: "GET https://abs.test:81/s.cgi HTTP/1.0\r\n\r\n"},
		{Raw: get("https://abs.test:81/d", "main.test")},
		{Raw: get("http://abs.test:81/s.cgi", "main.test:82"), Want: "[81]"},
	})
}
