package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// typeLinesConf has Header lines that add, set or always add Content-Type
// over a file, the 404 page, a script and a backend's answer.
const typeLinesConf = proxyHTTPModules + scriptSiteConf + `ProxyPass /p http://@BE@/q
<Location /a>
	Header always add Content-Type cta
	Header always add X-A a
</Location>
<Location /h>
	ExpiresActive On
	ExpiresDefault A60
	Header add Content-Type extra
	Header add X-A one
	Header always set X-B b
</Location>
<Location /set>
	Header always set Content-Type cts
</Location>
<Location /oset>
	Header add X-A 1
	Header set Content-Type cto
	Header add X-B 2
</Location>
<Directory @DOCS@/sie>
	Options +ExecCGI
	AddHandler cgi-script .cgi
</Directory>
<Location /sie>
	Header add X-A 1
	Header setifempty Content-Type sie
	Header merge Content-Type m
</Location>
<Location /p>
	Header always add content-type cta
	Header add X-A one
	Header add Content-Type ct2
</Location>
ProxyPass /r http://@BE@/q
<Location /u>
	Header unset Content-Type
	Header add Content-Type zz
	Header add X-Z z
</Location>
<Location /au>
	Header always unset Content-Type
</Location>
<Files un.cgi>
	Header always unset Content-Type
</Files>
`

// TestContentTypeLines: as apache2 sets the response's type on the first
// Content-Type line of its table (err_headers_out's before headers_out's),
// a Content-Type that Header add or always add gives only that line's
// place and spelling to the handler's type (a file's, the 404 page's, a
// script's, a backend's), which is no line of the table: set and
// setifempty change the type, at their line's place (review14). Without a
// type, after Header unset Content-Type (apache2 2.4.71 unsets the type
// too) or on a 304 (the header filter drops it), the table's lines are sent
// as they are, each at its place (parity16).
func TestContentTypeLines(t *testing.T) {
	script := "#!/bin/sh\necho 'Content-Type: text/plain'\necho 'X-Script: 1'\necho\necho hi\n"
	resp := "HTTP/1.1 200 OK\r\nX-First: 1\r\nContent-Type: text/plain\r\nX-Last: 2\r\n" +
		"Content-Length: 3\r\nConnection: close\r\n\r\nhi\n"
	notModified := "HTTP/1.1 304 Not Modified\r\nX-First: 1\r\nContent-Type: text/plain\r\nX-Last: 2\r\nConnection: close\r\n\r\n"
	be := rawBackend(t, func(line string) string {
		if strings.Contains(line, "/q/n ") {
			return notModified
		}
		return resp
	})
	docs := map[string]string{"a/f.txt": "a\n", "h/f.txt": "h\n", "h/s.cgi": script, "h/un.cgi": script, "set/f.txt": "s\n", "oset/f.txt": "o\n",
		"sie/f.txt": "s\n", "sie/s.cgi": script, "u/f.txt": "u\n", "au/f.txt": "u\n"}
	p := startPair(t, 1, strings.ReplaceAll(typeLinesConf, "@BE@", be), docs)
	must(t, os.Chmod(filepath.Join(p.apache.docs, "h/s.cgi"), 0o755))
	must(t, os.Chmod(filepath.Join(p.apache.docs, "h/un.cgi"), 0o755))
	must(t, os.Chmod(filepath.Join(p.apache.docs, "sie/s.cgi"), 0o755))
	var reqs []string
	for _, path := range []string{"/a/f.txt", "/a/missing", "/h/f.txt", "/h/s.cgi", "/set/f.txt", "/oset/f.txt", "/sie/f.txt",
		"/sie/s.cgi", "/p/x", "/p/n", "/r/n", "/u/f.txt", "/au/f.txt", "/au/missing", "/h/un.cgi"} {
		reqs = append(reqs, get(path, "main.test"))
	}
	for _, path := range []string{"/a/f.txt", "/h/f.txt", "/set/f.txt", "/oset/f.txt"} {
		reqs = append(reqs, request("GET", path, "main.test", "", "If-None-Match: *"))
	}
	p.compareEach(reqs, (*diffServer).fieldOrder)
}
