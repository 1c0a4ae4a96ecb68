package e2e_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// logLevelConf sets modules' own levels in the main server, in virtual hosts
// (merged over the main server's) and in <Directory> and <Location> sections
// (merged over the server's for the requests they apply to, proxied ones
// too), as apache2's LogLevel does.
const logLevelConf = `LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
ServerName main.test
Listen 127.0.0.1:@P0@
Listen 127.0.0.1:@P1@
Listen 127.0.0.1:@P2@
DocumentRoot @DOCS@
<Directory @DOCS@/private>
    Require all denied
</Directory>
<Directory @DOCS@/quiet>
    Require all denied
    LogLevel authz_core:crit
</Directory>
<Directory @DOCS@/silent>
    LogLevel crit
</Directory>
<Location /loud>
    LogLevel warn core:info
</Location>
ProxyPass /down http://127.0.0.1:1/
ProxyPass /quietdown http://127.0.0.1:1/
<Location /quietdown>
    LogLevel proxy_http:crit
</Location>
<VirtualHost 127.0.0.1:@P1@>
    ServerName one.test
    LogLevel info authz_core:crit
</VirtualHost>
<VirtualHost 127.0.0.1:@P2@>
    ServerName two.test
    LogLevel core:warn
    <Directory @DOCS@/loud>
        LogLevel mod_authz_core.c:crit core_module:info
    </Directory>
</VirtualHost>
LogLevel warn core:info
`

// requestLogLine is an error log line about a request: module:level, the
// errno's text, if any, and the message (with its AH number, if any).
var requestLogLine = regexp.MustCompile(`\[(\w+:\w+)\] \[pid [^\]]*\] (\(\d+\)[^\[]*)?\[client [^\]]*\] (.*)$`)

// TestLogLevelModules: per-module LogLevel words ("warn core:info",
// "authz_core:crit") in the main server, a virtual host and sections decide
// which request lines (AH00128 at info, AH01630 at error) reach the error
// log, as apache2's.
func TestLogLevelModules(t *testing.T) {
	docs := map[string]string{"private/x.txt": "x\n", "quiet/x.txt": "x\n", "silent/x.txt": "x\n", "loud/x.txt": "x\n"}
	p := startPair(t, 3, logLevelConf, docs)
	var reqs []diffRequest
	for port := range 3 {
		for _, path := range []string{"/missing", "/private/x.txt", "/quiet/x.txt", "/silent/missing", "/loud/missing", "/down/x", "/quietdown/x"} {
			reqs = append(reqs, diffRequest{Port: port, Raw: "GET " + path + "?p" + string(rune('0'+port)) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"})
		}
	}
	p.check(reqs)
	p.sameRequestLines()
}

// sameRequestLines stops both servers and compares the lines of their
// error logs about requests (requestLogLine), sorted.
func (p *diffPair) sameRequestLines() {
	t := p.t
	t.Helper()
	must(t, p.apache.stop())
	must(t, p.ours.stop())
	lines := func(s *diffServer) []string {
		var out []string
		for _, l := range s.logLines(t, "error_log") {
			// apache2 logs AH00957 about the worker, not the request: no
			// client, and at the server's level (ours names the client).
			if m := requestLogLine.FindStringSubmatch(l); m != nil && !strings.Contains(l, "AH00957") {
				out = append(out, m[1]+" "+m[2]+strings.ReplaceAll(m[3], s.docs, "@DOCS@"))
			}
		}
		slices.Sort(out)
		return out
	}
	sameLines(t, "request lines", lines(p.apache), lines(p.ours))
}

// TestLogLevelSubrequest: the levels a mod_dir subrequest's sections set
// (a FallbackResource URL into a <Directory> with "LogLevel core:info")
// are the subrequest's own, as apache2's r->log: the main request's later
// line (AH00128 at info) keeps the server's levels and is not logged. A
// subrequest that answers (a DirectoryIndex URL's CGI script) does so as
// its main request, with its levels: the script's stderr (AH01215) is
// logged, though "cgid:crit" hides it when the script is asked for. A
// DirectoryIndex name's subrequest into "<Files index.*> LogLevel crit"
// leaves the main request's autoindex AH01276 logged.
func TestLogLevelSubrequest(t *testing.T) {
	p := startPair(t, 1, `LoadModule cgid_module `+apacheModuleDir+`/mod_cgid.so
DocumentRoot @DOCS@
Listen 127.0.0.1:@P0@
<Directory @DOCS@/f>
    FallbackResource /idx/none.html
</Directory>
<Directory @DOCS@/idx>
    LogLevel core:info cgid:crit
    Options +ExecCGI
    AddHandler cgi-script .cgi
</Directory>
<Directory @DOCS@/served>
    DirectoryIndex /idx/page.cgi
</Directory>
<Directory @DOCS@/broken>
    DirectoryIndex /idx/bad.cgi
</Directory>
<Directory @DOCS@/noidx>
    Options -Indexes
</Directory>
<Files "index.*">
    LogLevel crit
</Files>
LogLevel warn
`, map[string]string{"f/x.txt": "x\n", "idx/page.cgi": "#!/bin/sh\necho oops >&2\necho 'Content-Type: text/plain'\necho\necho page\n", "served/x.txt": "x\n",
		"idx/bad.cgi": "#!/bin/sh\nexit 0\n", "broken/x.txt": "x\n", "noidx/x.txt": "x\n"})
	for _, name := range []string{"idx/page.cgi", "idx/bad.cgi"} {
		must(t, os.Chmod(filepath.Join(p.apache.docs, name), 0o755))
	}
	var reqs []diffRequest
	for _, path := range []string{"/f/missing", "/served/", "/idx/missing", "/idx/page.cgi", "/broken/", "/idx/bad.cgi", "/noidx/"} {
		reqs = append(reqs, diffRequest{Raw: "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"})
	}
	p.check(reqs)
	p.sameRequestLines()
}

// TestLogLevelLocationEarly: a <Location>'s LogLevel applies before the URL
// is translated, as apache2 walks the locations first: an encoded slash or
// NUL (404) is logged (core:info AH00026, with the URL as sent) under
// "<Location /x> LogLevel core:info", not elsewhere at the server's warn.
func TestLogLevelLocationEarly(t *testing.T) {
	p := startPair(t, 1, `DocumentRoot @DOCS@
Listen 127.0.0.1:@P0@
RewriteEngine On
RewriteRule ^/x/r(.*) /x/b$1
<Location /x>
    LogLevel core:info
</Location>
LogLevel warn
`, map[string]string{"x/a.txt": "x\n"})
	var reqs []diffRequest
	for _, path := range []string{"/x/a%2fb?q=1", "/y/a%2fb", "/x/a%00b", "/x/rmissing", "/x/a.txt/more"} {
		reqs = append(reqs, diffRequest{Raw: "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"})
	}
	p.check(reqs)
	p.sameRequestLines()
}
