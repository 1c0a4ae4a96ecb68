package e2e_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Differential tests (apache_test.go) of details where apache2's answer is
// easy to get wrong: the ErrorDocument of a Redirect's status,
// AddDefaultCharset and UseCanonicalName.

// redirectErrorDocConf: a Redirect of every kind (3xx with a target, gone,
// 4xx and 5xx without one, in a <Location> too) with ErrorDocuments as
// text and as a local URL, at the top level and in a <Location>, and an
// ErrorDocument 301 for the directory redirect.
const redirectErrorDocConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
    Require all granted
</Directory>
ErrorDocument 410 "Custom gone
ErrorDocument 403 /err.html
ErrorDocument 404 "Custom not found
ErrorDocument 500 "Custom error
ErrorDocument 302 "Custom found
ErrorDocument 301 /err.html
Redirect gone /gone
Redirect 403 /forbidden
Redirect 404 /missing
Redirect 400 /bad
Redirect 500 /broken
Redirect 204 /nothing
Redirect 302 /temp /x.txt
Redirect 301 /perm /x.txt
Redirect seeother /other /x.txt
RedirectMatch gone ^/old/
<Location /in>
    Redirect gone
</Location>
<Location /loc>
    ErrorDocument 410 "Gone from loc
    ErrorDocument 302 default
</Location>
Redirect gone /loc/gone
Redirect temp /loc/temp /x.txt
`

// TestRedirectErrorDocument: apache2 answers a Redirect with the
// ErrorDocument of its status, whatever the status (a 3xx keeps its
// Location), from the server's and the covering <Location>'s
// ErrorDocuments; mod_dir's 301 too.
func TestRedirectErrorDocument(t *testing.T) {
	docs := map[string]string{
		"x.txt":          "x\n",
		"err.html":       "<p>err page</p>\n",
		"sub/index.html": "sub\n",
	}
	p := startPair(t, 1, redirectErrorDocConf, docs)
	p.check([]diffRequest{
		{Raw: get("/gone", "main.test"), Want: "Custom gone"},
		{Raw: get("/gone/deeper?q=1", "main.test"), Want: "Custom gone"},
		{Raw: get("/forbidden", "main.test"), Want: "err page"},
		{Raw: get("/missing", "main.test"), Want: "Custom not found"},
		{Raw: get("/bad", "main.test"), Want: "Bad Request"},
		{Raw: get("/broken", "main.test"), Want: "Custom error"},
		{Raw: get("/nothing", "main.test")},
		{Raw: get("/temp", "main.test"), Want: "Custom found"},
		{Raw: get("/perm?a=b", "main.test"), Want: "err page"},
		{Raw: get("/other", "main.test"), Want: "See Other"},
		{Raw: get("/old/page", "main.test"), Want: "Custom gone"},
		{Raw: get("/in/side", "main.test"), Want: "Custom gone"},
		{Raw: get("/loc/gone", "main.test"), Want: "Gone from loc"},
		{Raw: get("/loc/temp", "main.test"), Want: "x.txt"},
		{Raw: get("/sub", "main.test"), Want: "err page"},
	})
}

// charsetConf: AddDefaultCharset at the top level (On), in <Directory>
// (a name, Off), in <Files>, in <Location> and in a <VirtualHost>; types
// with and without a charset, and one that holds "text/html" only as a
// part (apache2 looks for the words anywhere in the type).
const charsetConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
    Require all granted
</Directory>
AddDefaultCharset On
AddType "text/html; charset=koi8-r" .koi
AddType text/html-sandboxed .sbx
AddType TEXT/PLAIN .up
ErrorDocument 404 /missing.txt
<Directory @DOCS@/utf>
    AddDefaultCharset UTF-8
</Directory>
<Directory @DOCS@/off>
    AddDefaultCharset off
</Directory>
<Files "*.forced">
    ForceType text/plain
    AddDefaultCharset utf-16
</Files>
<Location /utf/loc>
    AddDefaultCharset windows-1252
</Location>
<VirtualHost 127.0.0.1:@P0@>
    ServerName main.test
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName v.test
    DocumentRoot @DOCS@
    AddDefaultCharset Off
    <Directory @DOCS@/utf>
        AddDefaultCharset On
    </Directory>
</VirtualHost>
`

// TestAddDefaultCharset: apache2 adds "; charset=..." to text/plain and
// text/html without one, per directory, file, location and virtual host.
func TestAddDefaultCharset(t *testing.T) {
	docs := map[string]string{}
	for _, d := range []string{"", "utf/", "off/", "utf/loc/"} {
		for _, f := range []string{"a.txt", "a.html", "a.css", "a.json", "a.koi", "a.sbx", "a.up", "a.forced", "a.noext"} {
			docs[d+f] = d + f + "\n"
		}
	}
	docs["missing.txt"] = "missing\n"
	p := startPair(t, 1, charsetConf, docs)
	var reqs []diffRequest
	for _, host := range []string{"main.test", "v.test"} {
		for _, d := range []string{"/", "/utf/", "/off/", "/utf/loc/"} {
			for _, f := range []string{"a.txt", "a.html", "a.css", "a.json", "a.koi", "a.sbx", "a.up", "a.forced", "a.noext"} {
				reqs = append(reqs, diffRequest{Raw: get(d+f, host), Want: d[1:] + f})
			}
		}
		reqs = append(reqs,
			diffRequest{Raw: get("/utf/nothere", host), Want: "missing"},
		)
	}
	p.check(reqs)
	// The parts of a multipart/byteranges answer carry the type with the
	// charset too (the boundaries differ: only the parts' types are compared).
	for _, host := range []string{"main.test", "v.test"} {
		req := "GET /utf/a.txt HTTP/1.1\r\nHost: " + host + "\r\nRange: bytes=0-1,3-4\r\nConnection: close\r\n\r\n"
		want := partTypes.FindAllString(p.apache.ask(t, "127.0.0.1", 0, req).bodies(), -1)
		got := partTypes.FindAllString(p.ours.ask(t, "127.0.0.1", 0, req).bodies(), -1)
		if len(want) != 2 || !slices.Equal(got, want) {
			t.Errorf("%s: the parts' types: apache %q, ours %q", host, want, got)
		}
	}
}

var partTypes = regexp.MustCompile(`(?m)^Content-[Tt]ype: .*$`)

// canonicalConf: UseCanonicalName On in the main server (ServerName
// without a port) and in virtual hosts with and without a port in
// ServerName, Off in one that inherits On, DNS in another (127.0.0.1 is
// "localhost" in /etc/hosts); the signature on, to show host and port.
const canonicalConf = `ServerName main.test
Listen 127.0.0.1:@P0@
Listen 127.0.0.1:@P1@
DocumentRoot @DOCS@
ServerSignature On
UseCanonicalName On
<Directory @DOCS@>
    Require all granted
</Directory>
Redirect /r /x.txt
<VirtualHost 127.0.0.1:@P1@>
    ServerName v.test:8888
</VirtualHost>
<VirtualHost 127.0.0.1:@P1@>
    ServerName w.test
    UseCanonicalName off
</VirtualHost>
<VirtualHost 127.0.0.1:@P1@>
    ServerName n.test
</VirtualHost>
<VirtualHost 127.0.0.1:@P1@>
    ServerName d.test
    UseCanonicalName DNS
</VirtualHost>
`

// TestUseCanonicalName: with On, apache2 names the server by ServerName
// and its port (else 80) in directory redirects, mod_alias's redirects and
// the error-page signature, whatever the request's Host; Off takes Host;
// DNS takes the local address's name and Host's port.
func TestUseCanonicalName(t *testing.T) {
	docs := map[string]string{"x.txt": "x\n", "sub/index.html": "sub\n"}
	p := startPair(t, 2, canonicalConf, docs)
	var reqs []diffRequest
	for _, host := range []string{"main.test", "Other.Test:1234", "v.test", "w.test:77", "n.test:99", "d.test", "d.test:5555"} {
		for _, path := range []string{"/sub", "/r?q=1", "/nothere"} {
			reqs = append(reqs, diffRequest{Port: 0, Raw: get(path, host)}, diffRequest{Port: 1, Raw: get(path, host)})
		}
	}
	reqs = append(reqs,
		diffRequest{Raw: "GET /sub HTTP/1.0\r\n\r\n"},
		diffRequest{Port: 1, Raw: "GET /nothere HTTP/1.0\r\n\r\n"},
		diffRequest{Port: 1, Raw: "GET http://d.test:4444/sub HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"},
	)
	p.check(reqs)
}

// TestUseCanonicalNameCGI: a CGI script's SERVER_NAME and SERVER_PORT and the
// access log's %V and %p (ap_get_server_name and ap_get_server_port) under
// canonicalConf: with On, ServerName's host and port, else 80, whatever the
// Host field or an absolute target names (not the listening port); Off
// (w.test, and the main server in a second run) takes Host's.
func TestUseCanonicalNameCGI(t *testing.T) {
	script := "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"host=$HTTP_HOST sn=$SERVER_NAME sp=$SERVER_PORT\"\n"
	conf := canonicalConf + `LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
LogFormat "%{Host}i|%V|%v|%p" hostlog
CustomLog logs/host_log hostlog
<Directory @DOCS@/h>
    Options +ExecCGI
    AddHandler cgi-script .cgi
</Directory>
`
	// Off in the main server too (n.test then inherits Off).
	for _, conf := range []string{conf, strings.Replace(conf, "UseCanonicalName On\n", "UseCanonicalName Off\n", 1)} {
		p := startPair(t, 2, conf, map[string]string{"h/host.cgi": script})
		must(t, os.Chmod(filepath.Join(p.apache.docs, "h/host.cgi"), 0o755))
		var reqs []diffRequest
		for _, host := range []string{"main.test", "other.test:81", "v.test", "v.test:82", "w.test", "w.test:83", "n.test:84"} {
			for port := range 2 {
				reqs = append(reqs,
					diffRequest{Port: port, Raw: rawRequest("GET /h/host.cgi HTTP/1.1", "Host: "+host, "Connection: close")},
					diffRequest{Port: port, Raw: rawRequest("GET http://"+host+"/h/host.cgi HTTP/1.1", "Host: main.test", "Connection: close")})
			}
		}
		reqs = append(reqs, diffRequest{Port: 1, Raw: "GET /h/host.cgi HTTP/1.0\r\n\r\n"})
		p.check(reqs)
		p.checkLogs("host_log")
	}
}
