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

// TestAbsoluteTargetSignedPort: an absolute-form target's port is what
// apache2's apr_uri_parse reads with strtol: a sign allowed ("-1", "+1"),
// any size, stored in 16 bits (SERVER_PORT, mod_dir's redirect: "-1" is
// 65535, 65536 is 0), the Host field and so %{Host}i as written; fix_hostname
// does not look at it (ours: 400, at the request line for a sign). What
// strtol does not read whole ("--1", "-", "1-") is a 400 at the request
// line; a bad IPv6 literal with a signed port once the fields are read.
func TestAbsoluteTargetSignedPort(t *testing.T) {
	p := startPair(t, 1, absPortConf, map[string]string{"h/env.cgi": absPortScript, "h/x/a.txt": "a\n"})
	must(t, os.Chmod(filepath.Join(p.apache.docs, "h/env.cgi"), 0o755))
	target := func(hp, path string) string {
		return rawRequest("GET http://"+hp+path+" HTTP/1.1", "Host: main.test", "Connection: close")
	}
	p.check([]diffRequest{
		{Raw: target("[::1]:-1", "/h/env.cgi"), Want: "host=[::1]:-1 name=[::1] port=65535\n"},
		{Raw: target("ABS.test:+1", "/h/env.cgi"), Want: "host=abs.test:+1 name=abs.test port=1\n"},
		{Raw: target("abs.test:-0", "/h/env.cgi"), Want: "host=abs.test:-0 name=abs.test port=0\n"},
		{Raw: target("abs.test:0", "/h/env.cgi"), Want: "host=abs.test:0 name=abs.test port=0\n"},
		{Raw: target("[::1]:65536", "/h/env.cgi"), Want: "host=[::1]:65536 name=[::1] port=0\n"},
		{Raw: target("abs.test:99999999999", "/h/env.cgi?q"), Want: "port=59391\n"},
		{Raw: target("abs.test:-99999", "/h/env.cgi"), Want: "port=31073\n"},
		{Raw: target("abs.test:99999999999999999999", "/h/env.cgi"), Want: "port=65535\n"},
		{Raw: target("abs.test:-1", "/h/x")},
		{Raw: target("[::1]:+81", "/h/x")},
		{Raw: rawRequest("GET https://abs.test:-1/h/env.cgi HTTP/1.1", "Host: main.test", "Connection: close"), Want: "host=main.test name=main.test port=65535\n"},
		{Raw: rawRequest("GET http://abs.test:-1/h/env.cgi HTTP/1.0"), Want: "host= name=abs.test port=65535\n"},
		{Raw: target("abs.test:--1", "/h/env.cgi"), Want: "Bad Request"},
		{Raw: target("abs.test:-", "/h/env.cgi"), Want: "Bad Request"},
		{Raw: target("abs.test:+", "/h/env.cgi"), Want: "Bad Request"},
		{Raw: target("abs.test:1-", "/h/env.cgi"), Want: "Bad Request"},
		{Raw: target("[::g]:-1", "/h/env.cgi"), Want: "Bad Request"},
		{Raw: target("a..b:-1", "/h/env.cgi"), Want: "Bad Request"},
		// CONNECT's port is apr_uri_parse_hostinfo's strtol too (405).
		{Raw: rawRequest("CONNECT abs.test:-1 HTTP/1.1", "Host: main.test", "Connection: close"), Want: "Method Not Allowed"},
		{Raw: rawRequest("CONNECT [::1]:99999 HTTP/1.1", "Host: main.test", "Connection: close"), Want: "Method Not Allowed"},
		// A Host field's port is apr_parse_addr_port's: digits, at most 65535.
		{Raw: rawRequest("GET /h/env.cgi HTTP/1.1", "Host: abs.test:-1", "Connection: close"), Want: "Bad Request"},
		{Raw: rawRequest("GET /h/env.cgi HTTP/1.1", "Host: abs.test:65536", "Connection: close"), Want: "Bad Request"},
	})
	p.checkServedLogs("abs_log")
}
