package e2e_test

import (
	"os"
	"path/filepath"
	"testing"
)

// TestEmptyHostHTTP10: an HTTP/1.0 request with an empty Host field is
// served as one without a host, the field kept, as apache2's (fix_hostname
// leaves it no host): a file, a script's HTTP_HOST and SERVER_NAME, mod_dir's
// redirect, and through mod_proxy_http an empty Host (ProxyPreserveHost On)
// and X-Forwarded-Host, RequestHeader's edits of it too, whatever the
// target; HTTP/1.1's is a 400.
func TestEmptyHostHTTP10(t *testing.T) {
	sections := "<Location /e>\nRequestHeader set Host \"\"\n</Location>\n" +
		"<Location /a>\nRequestHeader append Host \"x\"\n</Location>\n" +
		"<Location /m>\nRequestHeader edit Host ^$ \"m.test\"\n</Location>\n" +
		"LoadModule cgid_module /usr/lib/apache2/modules/mod_cgid.so\n" +
		"<Directory @DOCS@>\nOptions +ExecCGI\nAddHandler cgi-script .cgi\n</Directory>\n" +
		`LogFormat "%r|%U|%V|%{Host}i|%s" hostlog` + "\nCustomLog logs/host_log hostlog\n"
	for _, preserve := range []string{"On", "Off"} {
		t.Run("ProxyPreserveHost"+preserve, func(t *testing.T) {
			be := headEchoBackend(t)
			p := startPair(t, 1, proxyHTTPModules+mainSite+"ProxyPreserveHost "+preserve+"\nProxyPass /p http://"+be+"/q\nProxyPass /e http://"+be+"/q\nProxyPass /a http://"+be+"/q\nProxyPass /m http://"+be+"/q\n"+sections, map[string]string{
				"a.txt":   "a\n",
				"d/i.txt": "i\n",
				"s.cgi":   "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n[%s] [%s] [%s]\\n' \"${HTTP_HOST-unset}\" \"$SERVER_NAME\" \"$SERVER_PORT\"\n",
			})
			must(t, os.Chmod(filepath.Join(p.apache.docs, "s.cgi"), 0o755))
			for _, path := range []string{"/p/x", "/e/x", "/a/x", "/m/x"} {
				p.compareBackendHead(t, "GET "+path+" HTTP/1.0\r\nHost: \r\nuser-agent: t\r\n\r\n")
				p.compareBackendHead(t, "GET "+path+" HTTP/1.1\r\nHost:\r\nuser-agent: t\r\nConnection: close\r\n\r\n")
			}
			p.check([]diffRequest{
				{Raw: "GET /a.txt HTTP/1.0\r\nHost: \r\n\r\n", Want: "a\n"},
				{Raw: "GET /a.txt HTTP/1.0\r\nHost:\r\n\r\n", Want: "a\n"},
				{Raw: "GET /s.cgi HTTP/1.0\r\nHost: \r\n\r\n", Want: "[] [main.test]"},
				{Raw: "GET /d HTTP/1.0\r\nHost: \r\n\r\n"},
				{Raw: "GET /a.txt HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n"},
				{Raw: "OPTIONS * HTTP/1.0\r\nHost: \r\n\r\n"},
				{Raw: "OPTIONS * HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n"},
				// Any target: one naming the host replaces the field, one of
				// the other scheme (https on plain HTTP) leaves it in charge.
				{Raw: "GET http://main.test/a.txt HTTP/1.0\r\nHost: \r\n\r\n", Want: "a\n"},
				{Raw: "GET https://main.test/a.txt HTTP/1.0\r\nHost: \r\n\r\n", Want: "a\n"},
			})
			p.checkLogs("host_log")
		})
	}
}
