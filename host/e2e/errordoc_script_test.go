package e2e_test

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// errorDocScriptConf points local ErrorDocuments at CGI scripts, PHP
// scripts (php-fpm through mod_proxy_fcgi) and a ProxyPass backend that
// answer themselves (an error status, an explicit 200, none, a Location),
// at scripts whose handler fails (not executable, a bad header, missing),
// and FallbackResources and a DirectoryIndex URL at scripts answering 404,
// with ErrorDocuments of their own for that status.
const errorDocScriptConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LoadModule cgid_module /usr/lib/apache2/modules/mod_cgid.so
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
LoadModule proxy_fcgi_module /usr/lib/apache2/modules/mod_proxy_fcgi.so
CustomLog logs/access_log "%>s %b %B %U"
<Directory @DOCS@>
	Options +ExecCGI
	AddHandler cgi-script .cgi
</Directory>
<FilesMatch "\.php$">
	SetHandler "proxy:unix:@SOCK@|fcgi://localhost"
</FilesMatch>
<FilesMatch "\.fphp$">
	SetHandler "proxy:fcgi://@FCGI@"
</FilesMatch>
ProxyPass /app/ http://@BACKEND@/
<Location /poe>
	ProxyPass http://@BACKEND@
	ProxyErrorOverride On
</Location>
ErrorDocument 404 "top 404"
ErrorDocument 500 "top 500"
ErrorDocument 503 "top 503"
<Location /e/cgi404>
	ErrorDocument 404 /s/nf.cgi
</Location>
<Location /e/cgi500>
	ErrorDocument 404 /s/s500.cgi
</Location>
<Location /e/cgi200>
	ErrorDocument 404 /s/s200.cgi
</Location>
<Location /e/cgiplain>
	ErrorDocument 404 /s/plain.cgi
</Location>
<Location /e/cgiredir>
	ErrorDocument 404 /s/redir.cgi
</Location>
<Location /e/noexec>
	ErrorDocument 404 /s/noexec.cgi
</Location>
<Location /e/bad>
	ErrorDocument 404 /s/bad.cgi
</Location>
<Location /e/missing>
	ErrorDocument 404 /s/missing.cgi
</Location>
<Location /e/php404>
	ErrorDocument 404 /s/nf.php
</Location>
<Location /e/php200>
	ErrorDocument 404 /s/s200.php
</Location>
<Location /e/phpplain>
	ErrorDocument 404 /s/plain.php
</Location>
<Location /e/php503>
	ErrorDocument 404 /s/s503.php
</Location>
<Location /e/proxy404>
	ErrorDocument 404 /app/nf
</Location>
<Location /e/proxy200>
	ErrorDocument 404 /app/ok
</Location>
<Location /e/poe200>
	ErrorDocument 404 /poe/ok
</Location>
<Location /dead/>
	ProxyPass http://127.0.0.1:1/
	ErrorDocument 503 "dead 503"
</Location>
<Location /dead2/>
	ProxyPass http://127.0.0.1:1/
	ErrorDocument 503 /s/plain.cgi
</Location>
<Directory @DOCS@/down>
	<FilesMatch "\.php$">
		SetHandler "proxy:unix:/nonexistent/php.sock|fcgi://localhost"
	</FilesMatch>
	FallbackResource /down/index.php
	ErrorDocument 503 "down 503"
</Directory>
<Directory @DOCS@/so>
	ProxyErrorOverride On
</Directory>
<Location /e/php404o>
	ErrorDocument 404 /so/nf.php
</Location>
<Location /e/badheader>
	ErrorDocument 404 /f/x.fphp
</Location>
<Directory @DOCS@/fb>
	FallbackResource /fb/index.php
	ErrorDocument 404 "fb text"
</Directory>
<Directory @DOCS@/fbc>
	FallbackResource /fbc/index.cgi
	ErrorDocument 404 "fbc text"
</Directory>
<Directory @DOCS@/fbp>
	FallbackResource /app/nf
	ErrorDocument 404 "fbp text"
</Directory>
<Directory @DOCS@/di>
	DirectoryIndex index.php
	ErrorDocument 404 "di text"
</Directory>
<Directory @DOCS@/di2>
	DirectoryIndex /di2/index.php
	ErrorDocument 404 "di2 text"
</Directory>
<Directory @DOCS@/fbx>
	FallbackResource /fbx/nothere.php
	ErrorDocument 404 "fbx text"
</Directory>
<Directory @DOCS@/dix>
	DirectoryIndex /f/nothere.fphp
	ErrorDocument 403 "dix 403"
	ErrorDocument 404 "dix 404"
</Directory>
<Directory @DOCS@/fbcbad>
	FallbackResource /s/bad.cgi
	ErrorDocument 500 "fbcbad text"
</Directory>
<Directory @DOCS@/fbbadheader>
	FallbackResource /f/x.fphp
	ErrorDocument 500 "fbbadheader text"
</Directory>
`

// errorDocBackend is a backend answering /nf with a 404 and a page of its
// own, /boom with a 500, anything else with a 200.
func errorDocBackend(t *testing.T) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		switch r.URL.Path {
		case "/nf":
			w.WriteHeader(404)
			io.WriteString(w, "backend nf\n")
		case "/boom":
			w.WriteHeader(500)
			io.WriteString(w, "backend boom\n")
		default:
			io.WriteString(w, "backend ok "+r.URL.Path+"\n")
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln
}

// framing is what TestErrorDocumentScript leaves out of the answers: a CGI
// script's answer is chunked or not as its output comes (apache2's too),
// and a HEAD's has a Content-Length, which proxyAnswer's read of a body
// then misses, or not.
var framing = regexp.MustCompile(`length -?\d+ te \[\w*\]|(?m)^body error unexpected EOF\n`)

// TestErrorDocumentScript: as apache2's handlers that set r->status and
// return OK (mod_cgi, mod_proxy_fcgi, mod_proxy_http without
// ProxyErrorOverride), a script's or a backend's own answer is sent as it
// is, an error status included: served as a local ErrorDocument (its
// status, else the error's; a Location without a Status not followed), as
// a FallbackResource or a DirectoryIndex URL (not the request's
// ErrorDocument; one that does not exist is not run, as mod_dir
// fast-redirects only to a regular file), or directly; a document's
// backend under a ProxyErrorOverride that covers the error keeps the
// error's status (but for a HEAD), as mod_proxy_http. A document whose handler fails gets the
// error's "Additionally" page, which the access log shows with the
// failure's status and no body (%b "-"), as apache2 logs its last request;
// a ProxyErrorOverride backend's error, a static 404 and a failing
// script's 500 still get the ErrorDocument. An FCGI backend's bad header
// is a bare 500 (mod_proxy_fcgi sent it already), as a document or a
// FallbackResource too.
func TestErrorDocumentScript(t *testing.T) {
	sock, _ := startPHPFPM(t)
	ln := errorDocBackend(t)
	fl, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	rawFCGI(t, fl)
	conf := strings.NewReplacer("@SOCK@", sock, "@BACKEND@", ln.Addr().String(), "@FCGI@", fl.Addr().String()).Replace(errorDocScriptConf)
	cgi := func(status, body string) string {
		s := "#!/bin/sh\n"
		if status != "" {
			s += "echo 'Status: " + status + "'\n"
		}
		return s + "echo 'Content-Type: text/plain'\necho 'X-S: 1'\necho\necho '" + body + "'\n"
	}
	docs := map[string]string{
		"a.txt": "a\n", "e/x.txt": "x\n",
		"s/nf.cgi": cgi("404 Nope", "cgi nf"), "s/s500.cgi": cgi("500 Bad", "cgi 500"), "s/s200.cgi": cgi("200 OK", "cgi 200"),
		"s/plain.cgi": cgi("", "cgi plain"), "s/redir.cgi": "#!/bin/sh\necho 'Location: /a.txt'\necho\n",
		"s/noexec.cgi": cgi("", "noexec"), "s/bad.cgi": "#!/bin/sh\necho 'not a header'\necho\n",
		"s/nf.php":       "<?php http_response_code(404); header('X-S: 1'); echo \"php nf\\n\";",
		"s/s200.php":     "<?php http_response_code(200); echo \"php 200\\n\";",
		"down/index.php": "<?php echo 1;",
		"so/nf.php":      "<?php http_response_code(404); echo \"php so nf\\n\";",
		"s/plain.php":    "<?php echo \"php plain \", $_SERVER['REDIRECT_STATUS'], \"\\n\";",
		"s/s503.php":     "<?php http_response_code(503); echo \"php 503\\n\";",
		"fb/index.php":   "<?php http_response_code(404); echo \"fb php 404\\n\";",
		"fbc/index.cgi":  cgi("404 Nope", "fbc cgi 404"),
		"fbp/x.txt":      "x\n",
		"di/index.php":   "<?php http_response_code(404); echo \"di php 404\\n\";",
		"di2/index.php":  "<?php http_response_code(404); echo \"di2 php 404\\n\";",
		"fbx/y":          "y", "dix/y": "y", "f/x.fphp": "x", "fbbadheader/y": "y", "fbcbad/y": "y",
	}
	p := startPair(t, 1, conf, docs)
	for _, name := range []string{"s/nf.cgi", "s/s500.cgi", "s/s200.cgi", "s/plain.cgi", "s/redir.cgi", "s/bad.cgi", "fbc/index.cgi"} {
		must(t, os.Chmod(filepath.Join(p.apache.docs, name), 0o755))
	}
	req := func(line string) string { return line + " HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n" }
	var reqs []string
	for _, path := range []string{
		"/e/cgi404/m", "/e/cgi500/m", "/e/cgi200/m", "/e/cgiplain/m", "/e/cgiredir/m", "/e/noexec/m", "/e/bad/m", "/e/missing/m",
		"/e/php404/m", "/e/php200/m", "/e/phpplain/m", "/e/php503/m", "/e/proxy404/m", "/e/proxy200/m",
		"/fb/some/page", "/fbc/some/page", "/fbp/some", "/di/", "/di2/",
		"/s/nf.cgi", "/s/s500.cgi", "/s/nf.php", "/s/s503.php", "/app/nf", "/poe/nf", "/s/noexec.cgi", "/s/bad.cgi", "/nothing",
		"/e/poe200/m", "/e/php404o/m", "/dead/x", "/dead2/x", "/down/zz", "/down/index.php", "/fbx/zz", "/dix/", "/e/badheader/m", "/fbbadheader/zz", "/fbcbad/zz",
	} {
		reqs = append(reqs, req("GET "+path))
	}
	reqs = append(reqs, req("HEAD /e/cgi404/m"), req("HEAD /e/php404/m"), req("HEAD /e/poe200/m"))
	for _, req := range reqs {
		want := framing.ReplaceAllString(p.apache.proxyAnswer(t, req), "")
		got := framing.ReplaceAllString(p.ours.proxyAnswer(t, req), "")
		if got != want {
			t.Errorf("%.40q:\n apache: %s\n ours:   %s", req, want, got)
		} else {
			t.Logf("%.40q: both %s", req, want)
		}
	}
	p.checkLogs("access_log")
}
