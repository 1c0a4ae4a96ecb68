package e2e_test

import (
	"os"
	"path/filepath"
	"regexp"
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
// request without a Host field gets none. A script's HTTP_HOST, SetEnvIf
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
