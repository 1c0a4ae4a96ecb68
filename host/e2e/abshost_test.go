package e2e_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// absHostConf serves a script that prints the Host it sees, logs the
// Host field, and sets a variable from it (SetEnvIf Host).
const absHostConf = mainSite + `LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
LogFormat "%{Host}i %V %U" hostlog
CustomLog logs/host_log hostlog
SetEnvIf Host ^abs ABS_HOST=1
<Directory @DOCS@/h>
	Options +ExecCGI
	AddHandler cgi-script .cgi
</Directory>
`

// TestAbsoluteTargetHostField: an absolute-form target's host replaces
// the request's Host field, as apache2's ap_update_vhost_from_headers
// does (AH02417, HttpProtocolOptions Strict): lowercased, one trailing dot
// dropped, an IPv6 address in brackets, the target's port as written; a
// request without a Host field gets none, one whose field RFC 9110 allows
// but apache2 refuses ("123", "a..b", empty) is served. A script's HTTP_HOST, SetEnvIf
// Host, the access log's %{Host}i and TRACE's echo see it (ours: the
// client's field).
func TestAbsoluteTargetHostField(t *testing.T) {
	script := "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"host=$HTTP_HOST abs=$ABS_HOST\"\n"
	p := startPair(t, 1, absHostConf, map[string]string{"h/host.cgi": script})
	must(t, os.Chmod(filepath.Join(p.apache.docs, "h/host.cgi"), 0o755))
	p.check([]diffRequest{
		{Raw: rawRequest("GET http://ABS.test./h/host.cgi HTTP/1.1", "Host: main.test", "Connection: close"), Want: "host=abs.test abs=1\n"},
		{Raw: rawRequest("GET http://abs.test:0081/h/host.cgi?q HTTP/1.1", "host: main.test", "Connection: close"), Want: "host=abs.test:0081 abs=1\n"},
		{Raw: rawRequest("GET http://[::1]:81/h/host.cgi HTTP/1.1", "Host: main.test", "Connection: close"), Want: "host=[::1]:81 abs=\n"},
		{Raw: rawRequest("GET http://abs.test/h/host.cgi HTTP/1.0"), Want: "host= abs=\n"},
		// A Host field RFC 9110 allows but apache2 does not is replaced too
		// (its strict checks, an empty label, a port over 65535, empty).
		{Raw: rawRequest("GET http://abs.test/h/host.cgi HTTP/1.1", "Host: 123", "Connection: close"), Want: "host=abs.test abs=1\n"},
		{Raw: rawRequest("GET http://abs.test/h/host.cgi HTTP/1.1", "Host: 01.2.3.4", "Connection: close"), Want: "host=abs.test abs=1\n"},
		{Raw: rawRequest("GET http://abs.test/h/host.cgi HTTP/2.0", "Host: a.1b", "Connection: close"), Want: "host=abs.test abs=1\n"},
		{Raw: rawRequest("GET http://abs.test/h/host.cgi HTTP/1.1", "Host: a..b", "Connection: close"), Want: "host=abs.test abs=1\n"},
		{Raw: rawRequest("GET http://abs.test/h/host.cgi HTTP/1.1", "Host: a:99999", "Connection: close"), Want: "host=abs.test abs=1\n"},
		{Raw: rawRequest("GET http://abs.test/h/host.cgi HTTP/1.1", "Host:", "Connection: close"), Want: "host=abs.test abs=1\n"},
		{Raw: rawRequest("GET http://abs.test/h/host.cgi HTTP/1.0", "Host:"), Want: "host=abs.test abs=1\n"},
		{Raw: rawRequest("GET /h/host.cgi HTTP/1.1", "Host: Abs.Test.", "Connection: close"), Want: "host=Abs.Test. abs=\n"},
		// TRACE echoes headers_in: the field, in the client's spelling, with the target's host.
		{Raw: rawRequest("TRACE http://Abs.test:81/h/x HTTP/1.1", "X-A: 1", "host: main.test", "Connection: close"), Want: "\r\nhost: abs.test:81\r\n"},
	})
	p.checkLogs("host_log")
}

// TestAbsoluteTargetProxyHost: the Host and X-Forwarded-Host a
// mod_proxy_http backend gets follow the request's Host field as
// RequestHeader left it, an absolute-form target's host in it (apache2's
// saved_host; ours took the target's host, so that a client could get by
// `RequestHeader set Host`); without a field (RequestHeader unset, or
// HTTP/1.0 without one), no X-Forwarded-Host, and under ProxyPreserveHost
// the ServerName, logged as AH01092; an empty field (RequestHeader set Host "")
// is sent as it is (review46). The client's spelling of the field stays.
func TestAbsoluteTargetProxyHost(t *testing.T) {
	sections := "<Location /s>\nRequestHeader set Host set.test\n</Location>\n" +
		"<Location /u>\nRequestHeader unset Host\n</Location>\n" +
		"<Location /e>\nRequestHeader set Host \"\"\n</Location>\n"
	paths := []string{"/s/x", "/u/x", "/e/x", "/p/x"}
	for _, preserve := range []string{"On", "Off"} {
		t.Run("ProxyPreserveHost"+preserve, func(t *testing.T) {
			be := headEchoBackend(t)
			p := startPair(t, 1, proxyHTTPModules+mainSite+"ProxyPreserveHost "+preserve+"\nProxyPass / http://"+be+"/q/\n"+sections, map[string]string{"a.txt": "a\n"})
			for _, path := range paths {
				p.compareBackendHead(t, "GET http://Abs.Test:81"+path+" HTTP/1.1\r\nhost: main.test\r\nuser-agent: t\r\nConnection: close\r\n\r\n")
				p.compareBackendHead(t, "GET http://abs.test"+path+" HTTP/1.0\r\nuser-agent: t\r\n\r\n")
				p.compareBackendHead(t, "GET "+path+" HTTP/1.0\r\nuser-agent: t\r\n\r\n")
				p.compareBackendHead(t, "GET "+path+" HTTP/1.1\r\nHost: main.test\r\nuser-agent: t\r\nConnection: close\r\n\r\n")
			}
			must(t, p.apache.stop())
			must(t, p.ours.stop())
			want, got := noHostWarnings(t, p.apache), noHostWarnings(t, p.ours)
			if preserve == "On" {
				sameLines(t, "AH01092 lines", want, got)
			} else {
				compareLines(t, "AH01092 lines", want, got)
			}
		})
	}
}

// noHostWarning is mod_proxy's AH01092 line of an error log: level and message.
var noHostWarning = regexp.MustCompile(`\[(proxy:\w+)\] .*(AH01092: .*)$`)

// noHostWarnings are s's AH01092 lines (level, message), in order.
func noHostWarnings(t *testing.T, s *diffServer) []string {
	t.Helper()
	return errorLogLines(t, s, noHostWarning)
}

// absPortConf names the main server with a port (8080), so that a
// script's SERVER_PORT and a redirect tell the scheme's port from the
// ServerName's; it logs the Host field, %V, %p, %U, the query, the
// status, the type, whether SetEnvIf saw the URL-path "*", and Allow.
const absPortConf = `ServerName main.test:8080
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
LogFormat "%{Host}i %V %p %U%q %>s type=%{Content-Type}o star=%{STAR}e Allow: %{Allow}o" abslog
CustomLog logs/abs_log abslog
SetEnvIf Request_URI ^\*$ STAR=1
<Directory @DOCS@/h>
	Options +ExecCGI
	AddHandler cgi-script .cgi
</Directory>
`

// absPortScript prints the Host field, SERVER_NAME and SERVER_PORT.
const absPortScript = "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"host=$HTTP_HOST name=$SERVER_NAME port=$SERVER_PORT\"\n"

// TestAbsoluteTargetEmptyPort: an absolute-form target's empty port
// ("http://abs.test:/") is its scheme's, as apache2's apr_uri_parse
// reads it: the Host field becomes "abs.test:", %V and SERVER_NAME
// abs.test, SERVER_PORT 80 (not the ServerName's 8080, which a target
// without a port gets), and a redirect leaves the port out (ours: 400).
// In a Host field an empty port or port 0 is a 400 (apr_parse_addr_port)
// unless the target names the host; port 0 in a target is served.
func TestAbsoluteTargetEmptyPort(t *testing.T) {
	p := startPair(t, 1, absPortConf, map[string]string{"h/env.cgi": absPortScript, "h/x/a.txt": "a\n"})
	must(t, os.Chmod(filepath.Join(p.apache.docs, "h/env.cgi"), 0o755))
	p.check([]diffRequest{
		{Raw: rawRequest("GET http://ABS.test:/h/env.cgi HTTP/1.1", "Host: main.test", "Connection: close"), Want: "host=abs.test: name=abs.test port=80\n"},
		{Raw: rawRequest("GET http://[::1]:/h/env.cgi?q HTTP/1.1", "Host: main.test", "Connection: close"), Want: "host=[::1]: name=[::1] port=80\n"},
		{Raw: rawRequest("GET http://abs.test:/h/env.cgi HTTP/1.0"), Want: "host= name=abs.test port=80\n"},
		{Raw: rawRequest("GET http://abs.test/h/env.cgi HTTP/1.1", "Host: main.test", "Connection: close"), Want: "host=abs.test name=abs.test port=8080\n"},
		{Raw: rawRequest("GET http://abs.test:/h/x HTTP/1.1", "Host: main.test", "Connection: close")},
		{Raw: rawRequest("GET http://abs.test/h/x HTTP/1.1", "Host: main.test", "Connection: close")},
		{Raw: rawRequest("GET http://abs.test:0/h/env.cgi HTTP/1.1", "Host: main.test:0", "Connection: close"), Want: "host=abs.test:0 name=abs.test port=0\n"},
		{Raw: rawRequest("GET http://abs.test/h/env.cgi HTTP/1.1", "Host: main.test:", "Connection: close"), Want: "host=abs.test name=abs.test port=8080\n"},
		{Raw: rawRequest("GET /h/env.cgi HTTP/1.1", "Host: abs.test:", "Connection: close"), Want: "Bad Request"},
		{Raw: rawRequest("GET /h/env.cgi HTTP/1.0", "Host: abs.test:"), Want: "Bad Request"},
		{Raw: rawRequest("GET /h/env.cgi HTTP/1.1", "Host: abs.test:00", "Connection: close"), Want: "Bad Request"},
		{Raw: rawRequest("GET /h/env.cgi HTTP/1.1", "Host: [::1]:0", "Connection: close"), Want: "Bad Request"},
		// A port with leading zeros is a number to SERVER_PORT and redirects (ours kept the zeros).
		{Raw: rawRequest("GET /h/env.cgi HTTP/1.1", "Host: abs.test:081", "Connection: close"), Want: "host=abs.test:081 name=abs.test port=81\n"},
		{Raw: rawRequest("GET http://abs.test:0081/h/x HTTP/1.1", "Host: main.test", "Connection: close")},
		{Raw: rawRequest("GET /h/env.cgi HTTP/1.1", "Host: abs.test:000", "Connection: close"), Want: "Bad Request"},
		// More than 5 digits, leading zeros (ours: 400).
		{Raw: rawRequest("GET /h/env.cgi HTTP/1.1", "Host: abs.test:000080", "Connection: close"), Want: "host=abs.test:000080 name=abs.test port=80\n"},
		{Raw: rawRequest("GET http://abs.test:000081/h/env.cgi HTTP/1.1", "Host: main.test", "Connection: close"), Want: "host=abs.test:000081 name=abs.test port=81\n"},
		{Raw: rawRequest("GET https://abs.test:000443/h/env.cgi HTTP/1.1", "Host: main.test", "Connection: close"), Want: "host=main.test name=main.test port=443\n"},
		{Raw: rawRequest("GET http://abs.test:0000081/h/x HTTP/1.1", "Host: main.test", "Connection: close")},
	})
	p.checkLogs("abs_log")
}

// TestAbsoluteTargetWithoutPath: an absolute-form target without a path
// is "*" to OPTIONS, as apache2's ap_parse_uri makes it: 200 without
// Allow, type or body, %U and SetEnvIf's Request_URI "*", the server
// chosen by the target's host (ours: "/", its DirectoryIndex's answer,
// Allow and type); to the other methods "/". A scheme without "//"
// ("http:x") leaves a path that does not start with "/": 400 (ours
// served it as "/").
func TestAbsoluteTargetWithoutPath(t *testing.T) {
	p := startPair(t, 1, absPortConf, map[string]string{"index.html": "index\n"})
	p.check([]diffRequest{
		{Raw: rawRequest("OPTIONS http://abs.test HTTP/1.1", "Host: main.test", "Connection: close")},
		{Raw: rawRequest("OPTIONS HTTP://ABS.TEST:?q HTTP/1.1", "Host: main.test", "Connection: close")},
		{Raw: rawRequest("OPTIONS https://abs.test HTTP/1.1", "Host: main.test", "Connection: close")},
		{Raw: rawRequest("OPTIONS http://abs.test HTTP/1.0")},
		{Raw: rawRequest("OPTIONS http://abs.test/ HTTP/1.1", "Host: main.test", "Connection: close")},
		{Raw: rawRequest("OPTIONS * HTTP/1.1", "Host: main.test", "Connection: close")},
		{Raw: rawRequest("GET http://abs.test HTTP/1.1", "Host: main.test", "Connection: close"), Want: "index\n"},
		{Raw: rawRequest("HEAD http://abs.test?q HTTP/1.1", "Host: main.test", "Connection: close")},
		{Raw: rawRequest("GET http:index.html HTTP/1.1", "Host: main.test", "Connection: close"), Want: "Bad Request"},
		{Raw: rawRequest("OPTIONS http:x HTTP/1.1", "Host: main.test", "Connection: close"), Want: "Bad Request"},
	})
	p.checkServedLogs("abs_log")
}

// TestAbsoluteTargetScheme: a target of another scheme than http and
// https is a 400, as apache2's ap_post_read_request (without a forward
// proxy) makes it (ours served it); https on a plain connection leaves
// the Host field in charge.
func TestAbsoluteTargetScheme(t *testing.T) {
	p := startPair(t, 1, absPortConf, map[string]string{"h/env.cgi": absPortScript})
	must(t, os.Chmod(filepath.Join(p.apache.docs, "h/env.cgi"), 0o755))
	p.check([]diffRequest{
		{Raw: rawRequest("GET ftp://abs.test/h/env.cgi HTTP/1.1", "Host: main.test", "Connection: close"), Want: "Bad Request"},
		{Raw: rawRequest("OPTIONS httpx://abs.test HTTP/1.1", "Host: main.test", "Connection: close"), Want: "Bad Request"},
		{Raw: rawRequest("GET HTTPS://abs.test/h/env.cgi HTTP/1.1", "Host: main.test", "Connection: close"), Want: "host=main.test name=main.test port=8080\n"},
		{Raw: rawRequest("GET HTTP://abs.test/h/env.cgi HTTP/1.1", "Host: main.test", "Connection: close"), Want: "host=abs.test name=abs.test port=8080\n"},
	})
	p.checkServedLogs("abs_log")
}

// checkServedLogs is checkLogs for the lines of answers other than 400:
// apache2 logs the target or path of a target it refuses as %U, without
// the Host field when it refuses it before it reads the fields (ours "/"
// and the field, as for every refused target). The order of apache2's
// Allow varies from run to run (a hash table's): sorted.
func (p *diffPair) checkServedLogs(names ...string) {
	t := p.t
	t.Helper()
	must(t, p.apache.stop())
	must(t, p.ours.stop())
	served := func(s *diffServer, log string) []string {
		return sortAllow(slices.DeleteFunc(s.logLines(t, log), func(l string) bool { return strings.Contains(l, " 400 ") }))
	}
	for _, log := range names {
		compareLines(t, "logs/"+log+" (sorted), 400s aside", served(p.apache, log), served(p.ours, log))
	}
}
