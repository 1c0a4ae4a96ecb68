package e2e_test

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// scriptSiteConf is main.test on @P0@ with the scripts of @DOCS@/h run by
// mod_cgid.
const scriptSiteConf = `ServerName main.test
Listen 127.0.0.1:@P0@
LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
DocumentRoot @DOCS@
<Directory @DOCS@/h>
	Options +ExecCGI
	AddHandler cgi-script .cgi
</Directory>
`

// headerOrderConf mixes Header always and onsuccess lines, at the server
// level and in a <Location> with mod_expires, over the fields the handlers
// set themselves (a file's, a script's, a redirect's, an error page's).
const headerOrderConf = scriptSiteConf + `Header always set A 1
Header always set Z 2
Header set Y 5
Header always set M 3
Header set B 4
Header always set Cache-Control x
Header set Accept-Ranges none
Header add Multi one
Header always add Multi two
Header set x-lower y
Redirect /old /a.txt
<Files u.cgi>
	Header always unset X-Script
	Header always set B always
	Header set Set-Cookie ok
</Files>
<Location /exp>
	ExpiresActive On
	ExpiresDefault A60
	Header set Q q
	Header always unset Z
	Header always set C c
	Header unset Y
</Location>
`

// headerOrderSkipped are the fields whose place is the framing's (length,
// chunks, keep-alive), which the engine may choose otherwise.
var headerOrderSkipped = []string{"content-length", "transfer-encoding", "connection", "keep-alive"}

// fieldOrder is the response's status line and fields as sent, in their
// order, the framing's left out and the values of the time-dependent ones
// (Date, Server, Last-Modified, ETag, Expires) hidden.
func (s *diffServer) fieldOrder(t *testing.T, req string) string {
	t.Helper()
	return s.fieldLines(t, req, headerOrderSkipped)
}

// framedFieldOrder is fieldOrder with the framing's fields too
// (Content-Length, Transfer-Encoding, Connection, Keep-Alive).
func (s *diffServer) framedFieldOrder(t *testing.T, req string) string {
	t.Helper()
	return s.fieldLines(t, req, nil)
}

// fieldLines is the response's status line and fields but those skipped,
// in their order, the time-dependent values hidden.
func (s *diffServer) fieldLines(t *testing.T, req string, skipped []string) string {
	t.Helper()
	raw, _ := s.exchange(t, "127.0.0.1", 0, req, 10*time.Second)
	r := bufio.NewReader(raw)
	status, _ := r.ReadString('\n')
	out := []string{strings.TrimSpace(status)}
	for {
		line, err := r.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if err != nil || line == "" {
			break
		}
		name, value, _ := strings.Cut(line, ":")
		switch strings.ToLower(name) {
		case "date", "server", "last-modified", "etag", "expires":
			value = " ..."
		}
		if !slices.ContainsFunc(skipped, func(v string) bool { return strings.EqualFold(v, name) }) {
			out = append(out, name+":"+value)
		}
	}
	return strings.Join(out, "\n  ")
}

// TestHeaderOrder: the response fields come out in apache2's order: Date
// and Server, err_headers_out (a script's fields but ETag, Last-Modified,
// Content-Range and Location, in the order of their lines, Set-Cookie
// last, then the Header always fields in the order of theirs: those lines
// act on the script's fields), the handler's fields (a field an onsuccess
// line sets that the handler had keeps its place), then the fields
// mod_expires and the onsuccess lines added, in the order of their lines;
// over a file, a 304, a 206, a HEAD, scripts, a redirect, the server's 404
// page and mod_expires, and a script's fields without any Header line;
// a script's field is spelled as its first line (zed, x-Script2, B,
// set-Cookie).
func TestHeaderOrder(t *testing.T) {
	script := "#!/bin/sh\necho 'Content-Type: text/plain'\necho 'X-Script: 1'\necho 'set-Cookie: c=1'\necho 'B: script'\n" +
		"echo 'ETag: \"e\"'\necho 'zed: z'\necho 'b: again'\necho 'x-Script2: 2'\necho\necho hi\n"
	docs := map[string]string{
		"a.txt":     "a\n",
		"exp/e.txt": "e\n",
		"h/s.cgi":   script,
		"h/u.cgi":   script,
	}
	bare := startPair(t, 1, scriptSiteConf, docs)
	p := startPair(t, 1, headerOrderConf, docs)
	for _, s := range []*diffServer{bare.apache, p.apache} {
		for _, name := range []string{"h/s.cgi", "h/u.cgi"} {
			must(t, os.Chmod(filepath.Join(s.docs, name), 0o755))
		}
	}
	bare.compareEach([]string{get("/h/s.cgi", "main.test")}, (*diffServer).fieldOrder)
	p.compareEach([]string{
		get("/a.txt", "main.test"),
		request("GET", "/a.txt", "main.test", "", "If-None-Match: *"),
		request("GET", "/a.txt", "main.test", "", "Range: bytes=0-0"),
		request("HEAD", "/a.txt", "main.test", ""),
		get("/h/s.cgi", "main.test"),
		get("/h/u.cgi", "main.test"),
		get("/old", "main.test"),
		get("/nothere", "main.test"),
		get("/exp/e.txt", "main.test"),
		get("/exp/nothere", "main.test"),
	}, (*diffServer).fieldOrder)
}
