package e2e_test

import (
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
// errno's text, if any, and the message.
var requestLogLine = regexp.MustCompile(`\[(\w+:\w+)\] \[pid [^\]]*\] (\(\d+\)[^\[]*)?\[client [^\]]*\] (AH\d+: .*)$`)

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
	want, got := lines(p.apache), lines(p.ours)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("request lines:\napache:\n  %s\nours:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	} else {
		t.Logf("request lines, both:\n  %s", strings.Join(want, "\n  "))
	}
}
