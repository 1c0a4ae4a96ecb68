package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// logStatusConf serves requests that go through internal redirects: local
// ErrorDocuments (a file, CGI scripts with and without a Status, one whose
// handler fails, one that is missing or refused), mod_rewrite's per-directory
// redirects, a script's local Location, a type map's variant, and the fast
// redirects of DirectoryIndex and FallbackResource (scripts whose Status
// has a reason of its own: "503 Busy"); mod_proxy's own errors through
// ErrorDocuments. The log shows the original request's status and
// method, the final one's and a status condition (on the final status);
// CustomLog conditions test the original request's status and variables.
const logStatusConf = mainSite + proxyHTTPModules + `LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
LogFormat "%U %<s %s %>s %404s %!200>s %b %<m %m %>m q=%q %<q <U=%<U >U=%>U <b=%<b <B=%<B e=%{rwreq}e <e=%<{rwreq}e re=%{REDIRECT_rwreq}e <re=%<{REDIRECT_rwreq}e" st
CustomLog logs/status_log st
CustomLog logs/expr_log "%U %s %>s" "expr=%{REQUEST_STATUS} == 404"
SetEnvIf Request_URI ^/rw/ rwreq
CustomLog logs/env_log "%U %s %>s" env=rwreq
CustomLog logs/notenv_log "%U %s %>s" env=!rwreq
<Directory @DOCS@>
	Options +ExecCGI
	AddHandler cgi-script .cgi
	AddHandler type-map .var
</Directory>
<Directory @DOCS@/denied>
	Require all denied
</Directory>
<Location /st/>
	ErrorDocument 404 /e.html
</Location>
<Location /cgi200/>
	ErrorDocument 404 /s/s200.cgi
</Location>
<Location /cgiplain/>
	ErrorDocument 404 /s/plain.cgi
</Location>
<Location /cgi503/>
	ErrorDocument 404 /s/s503.cgi
</Location>
<Location /ddir/>
	ErrorDocument 404 /dir/
</Location>
<Location /gone/>
	ErrorDocument 404 /nothere.html
</Location>
<Location /bad/>
	ErrorDocument 404 /s/bad.cgi
</Location>
<Location /den/>
	ErrorDocument 404 /denied/x.html
</Location>
<Location /poe/>
	ProxyPass http://@BACKEND@/
	ProxyErrorOverride On
	ErrorDocument 500 /e.html
</Location>
<Location /poe/nf>
	ErrorDocument 404 /e.html
</Location>
<Location /dead/>
	ProxyPass http://127.0.0.1:1/
	ErrorDocument 503 /e.html
</Location>
<Location /dead2/>
	ProxyPass http://127.0.0.1:1/
	ErrorDocument 503 /s/s200.cgi
</Location>
<Location /dead3/>
	ProxyPass http://127.0.0.1:1/
	ErrorDocument 503 /nothere.html
</Location>
<Directory @DOCS@/rw>
	RewriteEngine On
	RewriteRule ^a$ /a.txt
	RewriteRule ^b$ /nothere.txt
	RewriteRule ^c$ /st/nothere
</Directory>
<Directory @DOCS@/fbd>
	FallbackResource /a.txt
</Directory>
<Directory @DOCS@/fbc>
	FallbackResource /s/s404.cgi
</Directory>
<Location /cgifine/>
	ErrorDocument 404 /s/fine.cgi
</Location>
<Directory @DOCS@/dic>
	DirectoryIndex s.cgi
</Directory>
<Directory @DOCS@/diu>
	DirectoryIndex /s/s404.cgi
</Directory>
`

// TestLogStatusRedirects: the access log's %s is the original request's
// status, %>s the final one's, as apache2's mod_log_config, whose %s
// defaults to the first request of an internal redirect chain: an error
// that a local ErrorDocument answers (whatever the document's status), a
// per-directory rewrite or a script's Location (200, whatever the target
// gives), a type map's variant; DirectoryIndex and FallbackResource are fast
// redirects, one request. A status condition tests the final status; the
// CustomLog conditions (expr=, env=) the first request as it was when it
// was redirected: its status, its variables (not the REDIRECT_ ones). %m is
// the final request's method (a local ErrorDocument's GET, for a POST or a
// HEAD), %<m the original's (but a script's Location makes it a GET). The
// answers are apache2's, status lines too: a script's "503 Busy" as an
// ErrorDocument, a FallbackResource or a DirectoryIndex. %b is the last
// request's body bytes, %<b the first one's (none after a redirect but
// the "Additionally" page of an error whose document failed); %{VAR}e
// the last request's variables, %<{VAR}e the first one's.
func TestLogStatusRedirects(t *testing.T) {
	ln := errorDocBackend(t)
	conf := strings.NewReplacer("@BACKEND@", ln.Addr().String()).Replace(logStatusConf)
	cgi := func(status, body string) string {
		s := "#!/bin/sh\n"
		if status != "" {
			s += "echo 'Status: " + status + "'\n"
		}
		return s + "echo 'Content-Type: text/plain'\necho\necho '" + body + "'\n"
	}
	docs := map[string]string{
		"a.txt": "a\n", "e.html": "<p>error</p>\n", "denied/x.html": "x\n",
		"s/s200.cgi": cgi("200 OK", "cgi 200"), "s/plain.cgi": cgi("", "cgi plain"), "s/s503.cgi": cgi("503 Busy", "cgi 503"),
		"s/s404.cgi": cgi("404 Nope", "cgi 404"), "s/bad.cgi": "#!/bin/sh\necho 'not a header'\necho\n",
		"s/redir.cgi": "#!/bin/sh\necho 'Location: /a.txt'\necho\n", "s/redirnf.cgi": "#!/bin/sh\necho 'Location: /nothere.txt'\necho\n",
		"tm.var": "URI: tm\n\nURI: tm.en.txt\nContent-Type: text/plain\n", "tmok.var": "URI: tmok\n\nURI: a.txt\nContent-Type: text/plain\n",
		"dir/index.html": "index\n", "fbd/y": "y", "fbc/y": "y", "rw/y": "y",
		"s/tmc.var":  "URI: tmc\n\nURI: plain.cgi\nContent-Type: text/plain\n",
		"s/fine.cgi": cgi("200 Fine", "cgi fine"), "dic/s.cgi": cgi("503 Busy", "index 503"), "diu/y": "y",
	}
	p := startPair(t, 1, conf, docs)
	for name := range docs {
		if strings.HasSuffix(name, ".cgi") {
			must(t, os.Chmod(filepath.Join(p.apache.docs, name), 0o755))
		}
	}
	var reqs []string
	for _, path := range []string{
		"/a.txt", "/nothere", "/st/x", "/cgi200/x", "/cgiplain/x", "/cgi503/x", "/gone/x", "/bad/x", "/den/x",
		"/poe/nf", "/poe/boom", "/dead/x", "/dead2/x", "/dead3/x",
		"/rw/a", "/rw/b", "/rw/c", "/s/redir.cgi", "/s/redirnf.cgi", "/tm.var", "/tmok.var",
		"/dir/", "/fbd/zz", "/fbc/zz", "/cgifine/x", "/dic/", "/diu/", "/s/tmc.var",
	} {
		reqs = append(reqs, get(path, "main.test"))
	}
	reqs = append(reqs, request("POST", "/st/post", "main.test", "x"), request("POST", "/s/redir.cgi", "main.test", "x"), request("HEAD", "/cgi503/head", "main.test", ""),
		request("POST", "/rw/b", "main.test", "x"), request("POST", "/rw/c", "main.test", "x"), request("HEAD", "/s/redir.cgi", "main.test", ""),
		get("/st/q?a=1", "main.test"), get("/rw/a?b=2", "main.test"), get("/cgi200/q?c=3", "main.test"), get("/tmok.var?d=4", "main.test"), get("/dir/?e=5", "main.test"), get("/ddir/x?f=6", "main.test"))
	// The answers with their status lines (a script's reason, "503 Busy",
	// kept as an ErrorDocument's and a FallbackResource's), without framing.
	p.compareEach(reqs, func(s *diffServer, t *testing.T, req string) string {
		return framing.ReplaceAllString(s.statusAnswer(t, req), "")
	})
	p.checkLogs("status_log", "expr_log", "env_log", "notenv_log")
}
