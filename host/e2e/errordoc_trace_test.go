package e2e_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// traceConf gives each virtual host its TraceEnable and ErrorDocuments: a
// file and a script for the 405 of TraceEnable Off (and a <Location>'s,
// which a refused TRACE never sees), none, and a file for the 413 of a
// TRACE with a body under On, a script for the 413 past the 64 KiB of
// Extended; and one without TraceEnable (On, apache2's default).
const traceConf = scriptSiteConf + `<VirtualHost 127.0.0.1:@P0@>
	ServerName file.test
	TraceEnable off
	ErrorDocument 405 /err.html
	<Location /loc>
		ErrorDocument 405 "the location's
	</Location>
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
	ServerName plain.test
	TraceEnable off
	<Location />
		ErrorDocument 405 /err.html
	</Location>
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
	ServerName script.test
	TraceEnable off
	SetEnvIf Request_URI . SEEN=yes
	ErrorDocument 405 /h/env.cgi
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
	ServerName on.test
	TraceEnable on
	ErrorDocument 405 /h/env.cgi
	ErrorDocument 413 /err.html
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
	ServerName ext.test
	TraceEnable extended
	ErrorDocument 413 /h/env.cgi
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
	ServerName default.test
	ErrorDocument 413 /err.html
</VirtualHost>
`

// TestErrorDocumentTrace: a TRACE that TraceEnable refuses (405 when Off,
// 413 for a body under On or past 64 KiB under Extended) is answered with
// the ErrorDocument of its virtual host's own level, as apache2's ap_die
// answers what map_to_storage refuses, once the server's SetEnvIf ran: a
// script sees the error notes and the method; the TRACEs allowed still
// echo, by default too (TraceEnable On, as apache2's; parity18). A TRACE of
// "*" is a 400, whatever TraceEnable says (parity18fix).
func TestErrorDocumentTrace(t *testing.T) {
	env := "#!/bin/sh\necho 'Content-Type: text/plain'\necho\n" +
		"echo \"$REQUEST_METHOD $REDIRECT_REQUEST_METHOD $REDIRECT_STATUS $REDIRECT_URL $REDIRECT_SEEN\"\necho \"$REDIRECT_ERROR_NOTES\"\n"
	docs := map[string]string{"a.txt": "a\n", "err.html": "<p>the error document</p>\n", "h/env.cgi": env}
	p := startPair(t, 1, traceConf, docs)
	must(t, os.Chmod(filepath.Join(p.apache.docs, "h/env.cgi"), 0o755))
	trace := func(host, body string) string {
		return request("TRACE", "/a.txt", host, body, "Content-Type: text/plain")
	}
	p.check([]diffRequest{
		{Raw: trace("file.test", ""), Want: "<p>the error document</p>"},
		{Raw: request("TRACE", "/loc/x", "file.test", ""), Want: "<p>the error document</p>"},
		{Raw: trace("plain.test", ""), Want: "<p>The requested method TRACE is not allowed for this URL.</p>"},
		{Raw: trace("script.test", ""), Want: "GET TRACE 405 /a.txt yes\nTRACE denied by server configuration\n"},
		{Raw: trace("on.test", ""), Want: "TRACE /a.txt HTTP/1.1\r\nHost: on.test\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"},
		{Raw: trace("on.test", "hello"), Want: "<p>the error document</p>"},
		{Raw: trace("ext.test", "hello"), Want: "Connection: close\r\n\r\nhello"},
		{Raw: trace("default.test", ""), Want: "TRACE /a.txt HTTP/1.1\r\nHost: default.test\r\n"},
		{Raw: trace("default.test", "hello"), Want: "<p>the error document</p>"},
		{Raw: request("TRACE", "*", "default.test", ""), Want: "could not understand"},
		{Raw: request("TRACE", "*", "file.test", ""), Want: "could not understand"},
	})
	// Chunked, so that apache2 reads it all (one too long by its length
	// it would not read, and the close could reset the answer), past the
	// 72 KiB it reads chunked; the request is not logged.
	big := "TRACE /a.txt HTTP/1.1\r\nHost: ext.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
		"186a0\r\n" + strings.Repeat("x", 100000) + "\r\n0\r\n\r\n"
	want, got := p.apache.ask(t, "127.0.0.1", 0, big), p.ours.ask(t, "127.0.0.1", 0, big)
	if notes := "GET TRACE 413 /a.txt \nExtended TRACE request bodies cannot exceed 64k\n\n"; !strings.Contains(want.bodies(), notes) {
		t.Errorf("TRACE of 100000 bytes: apache answers %v, the test expects a body with %q", want, notes)
	}
	if !slices.Equal(got, want) {
		t.Errorf("TRACE of 100000 bytes:\n  apache: %v\n  ours:   %v", want, got)
	}
}
