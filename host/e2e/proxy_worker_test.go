package e2e_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestProxyWorkerNames: a worker is named by its line's URL, as apache2
// 2.4's ap_proxy_define_worker: two lines to one backend host:port whose
// URLs neither prefixes make two workers, each with its own parameters
// (ours kept one worker per host:port, the first line's, so a <Location>'s
// disablereuse=On next to a top-level line's worker was ignored); a line
// whose URL an earlier worker's name prefixes shares that worker and its
// parameters are ignored (here its disablereuse=On: the connections are
// kept). The sharing follows the lines' order in the file: a <Location>
// line before a top-level one whose URL it starts gives it its worker
// (disablereuse=On here).
func TestProxyWorkerNames(t *testing.T) {
	b1 := newReuseBackend(t)
	b2 := newReuseBackend(t)
	b3 := newReuseBackend(t)
	conf := proxyHTTPModules + mainSite + `<Location /loc3/>
	ProxyPass http://` + b3.addr + `/ disablereuse=On
</Location>
ProxyPass /t3/ http://` + b3.addr + `/a/
ProxyPass /top/ http://` + b1.addr + `/a/
<Location /loc/>
	ProxyPass http://` + b1.addr + `/b/ disablereuse=On
</Location>
ProxyPass /t2/ http://` + b2.addr + `/a/
ProxyPass /t2off/ http://` + b2.addr + `/b/ disablereuse=On
ProxyPass /t2sub/ http://` + b2.addr + `/a/sub/ disablereuse=On
`
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	for _, c := range []struct {
		b    *reuseBackend
		path string
	}{{b1, "/top/x"}, {b1, "/loc/x"}, {b2, "/t2/x"}, {b2, "/t2off/x"}, {b2, "/t2sub/x"}, {b3, "/t3/x"}, {b3, "/loc3/x"}} {
		compareReuse(t, p, c.b, c.path, 6)
	}
}

// TestProxyWorkerTimeout: a backend answering after 3.2 s, reached by a
// top-level line with timeout=2 and by <Location> lines to other paths of
// it, without a timeout and with timeout=10: apache2 answers those two
// (their own workers, the server's Timeout and 10 s; ours took the
// top-level line's worker and its 2 s, a 502), and a 502 for a line whose
// URL the top-level one's prefixes (it shares that worker; its timeout=10
// is ignored).
func TestProxyWorkerTimeout(t *testing.T) {
	be := slowHeadBackend(t)
	conf := proxyHTTPModules + mainSite + `ProxyPass /top/ http://` + be + `/a/ timeout=2
<Location /loc/>
	ProxyPass http://` + be + `/b/
</Location>
<Location /loc10/>
	ProxyPass http://` + be + `/c/ timeout=10
</Location>
ProxyPass /sub/ http://` + be + `/a/sub/ timeout=10
`
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	var reqs []string
	for _, path := range []string{"/loc/late", "/loc10/late", "/sub/late"} {
		reqs = append(reqs, "GET "+path+" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
	}
	p.compareEach(reqs, (*diffServer).statusAnswer)
}

// TestProxyWorkerParams: which worker's timeout= serves a request, as
// apache2 2.4.71 resolves the lines in the files' order (a backend
// answering after 3.2 s): two top-level lines to other paths of one
// backend have their own workers (timeout=2 and timeout=10: 502 and 200);
// a top-level ProxySet after a <Location> line names the worker that line
// defined, although ours reads the top level first (502 for the
// <Location>'s path, and for a top-level line whose URL that worker's
// name starts: it shares it, its timeout=10 ignored); a ProxySet naming a
// URL a shared worker's name starts sets that worker's timeout for every
// line that shares it.
func TestProxyWorkerParams(t *testing.T) {
	be := slowHeadBackend(t)
	conf := proxyHTTPModules + mainSite + `ProxyPass /t2/ http://` + be + `/p/ timeout=2
ProxyPass /t10/ http://` + be + `/q/ timeout=10
<Location /sl/>
	ProxyPass http://` + be + `/s/
</Location>
ProxySet http://` + be + `/s/ timeout=2
ProxyPass /ss/ http://` + be + `/s/x/ timeout=10
ProxyPass /ps/ http://` + be + `/ps/
ProxyPass /ps2/ http://` + be + `/ps/two/ timeout=10
ProxySet http://` + be + `/ps/two/ timeout=2
`
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	var reqs []string
	for _, path := range []string{"/t2/late", "/t10/late", "/sl/late", "/ss/late", "/ps/late", "/ps2/late"} {
		reqs = append(reqs, "GET "+path+" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
	}
	p.compareEach(reqs, (*diffServer).statusAnswer)
}

// TestProxyWorkerVhost: a virtual host's lines define workers in its own
// list, the main server's coming first in it (apache2's merge of
// conf->workers): its line to the URL of a main server's line is served
// by the main server's worker (the first of equal names; timeout=2: 502),
// its line to a longer URL by its own (timeout=10: 200; ours took the main
// server's worker of the backend), and so is the main server's line to a
// URL that worker's name starts, in that virtual host only (the main
// server's worker in the others).
func TestProxyWorkerVhost(t *testing.T) {
	be := slowHeadBackend(t)
	conf := proxyHTTPModules + mainSite + `ProxyPass /m/ http://` + be + `/ timeout=2
<VirtualHost 127.0.0.1:@P0@>
    ServerName main.test
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName v.test
    ProxyPass /v/ http://` + be + `/ timeout=10
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName w.test
    ProxyPass /w/ http://` + be + `/x/ timeout=10
</VirtualHost>
`
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	var reqs []string
	for _, hp := range [][2]string{{"v.test", "/v/late"}, {"w.test", "/w/late"}, {"w.test", "/m/x/late"}, {"v.test", "/m/x/late"}, {"main.test", "/m/x/late"}} {
		reqs = append(reqs, "GET "+hp[1]+" HTTP/1.1\r\nHost: "+hp[0]+"\r\nConnection: close\r\n\r\n")
	}
	p.compareEach(reqs, (*diffServer).statusAnswer)
}

// TestProxyWorkerConfig: what apache2 -t says of lines naming workers, the
// workers resolved in the files' order whatever order ours reads the lines
// in: ProxySet names a worker whose name starts its URL, the scheme's
// default port left out of the name but not of the URL (the first is
// Syntax OK; the reverted first naming refused it); before the line that
// defines it, or with a URL no name starts, it finds none; after a
// <Location>'s line (which ours reads after the top level) it finds that
// line's worker; a virtual host's ProxySet finds only the workers of its
// own lines, not the main server's, whatever its ProxyPassInherit (apache2
// reads its lines into its own list; ours was Syntax OK); a line sharing a
// worker has its parameters ignored, bad or unknown ones too (apache2's
// AH01146 warning, one per parameter, and AH01145 at info, as the
// LogLevel lines read so far show them: ours logged neither; ours refused
// them, checking each line as a defining one), a defining line's bad ones
// refused.
func TestProxyWorkerConfig(t *testing.T) {
	apache := apacheBin(t)
	httpd, modules := build(t)
	for _, snippet := range []string{
		"ProxyPass /a/ http://localhost:80/\nProxySet http://localhost/ timeout=5\n",
		"ProxyPass /a/ http://localhost/\nProxySet http://localhost:80/ timeout=5\n",
		"ProxySet http://localhost/ timeout=5\nProxyPass /a/ http://localhost/\n",
		"ProxyPass /a/ http://localhost/x/\nProxySet http://localhost/ timeout=5\n",
		"ProxyPass /a/ http://LocalHost/\nProxySet HTTP://localhost/x timeout=5\n",
		"ProxyPass /a/ http://localhost/\nProxyPass /b/ http://localhost/b/ timeout=10\n",
		"ProxyPass /a/ http://localhost/b/ timeout=0\n",
		"<Location /l/>\nProxyPass http://localhost/l/\n</Location>\nProxySet http://localhost/l/x timeout=5\n",
		"ProxyPass /f/ fcgi://localhost:8000/x/\nProxySet fcgi://localhost/x/ timeout=5\n",
		"ProxyPassMatch ^/m/(.*)$ http://localhost/img/$1\nProxySet http://localhost/img/$1 timeout=5\n",
		"<Proxy *>\nProxySet timeout=5\n</Proxy>\n",
		"ProxyPassMatch ^/(.*)$ $1\n",
		"ProxyPass /a/ /b/\n",
		"ProxyPass /a http://localhost/a\nProxyPass /b http://localhost/a/b timeout=x\n",
		"ProxyPass /a http://localhost/a\nProxyPass /b http://localhost/a/b bogus=1 timeout=5\n",
		"ProxyPass /a http://localhost/a\n<Location /l/>\nProxyPass http://localhost/a/l ttl=x\n</Location>\n",
		"ProxyPass /a http://localhost/a\nProxyPass /b http://localhost/b timeout=x\n",
		"ProxyPass /a http://localhost/a\nProxyPass /b http://localhost/b bogus=1\n",
		"ProxyPass /a http://localhost/a\n<VirtualHost *:1>\nServerName v\nProxyPass /b http://localhost/a/b bogus=1\n</VirtualHost>\n",
		"ProxyPass /a http://localhost/a\n<VirtualHost *:1>\nServerName v\nProxySet http://localhost/a timeout=5\n</VirtualHost>\n",
		"ProxyPass /a http://localhost/a\n<VirtualHost *:1>\nServerName v\nProxyPassInherit Off\nProxySet http://localhost/a timeout=5\n</VirtualHost>\n",
		"ProxyPass /a http://localhost/a\n<VirtualHost *:1>\nServerName v\nProxyPass /b http://localhost/a/b\nProxySet http://localhost/a/b/c timeout=5\n</VirtualHost>\n",
		"ProxyPass /a/ http://localhost/ mapping=bogus\n",
		"ProxyPass /a/ http://localhost/ mapping=Servlet timeout=5\n",
		"ProxyPass /a/ http://localhost/\nProxySet http://localhost/ mapping=encoded\n",
		"<Proxy balancer://b>\nBalancerMember /x\n</Proxy>\n",
		"LogLevel info\nProxyPass /a/ http://localhost/\nProxyPass /b/ http://localhost/b/ timeout=10 retry=3 Timeout=4 upgrade=websocket mapping=encoded\n",
		"ProxyPass /a/ http://localhost/\nProxyPass /b/ http://localhost/b/ timeout=10\nLogLevel info\nProxyPass /c/ http://localhost/c/ ttl=1\nProxyPass /d/ http://LOCALHOST:80/d/ ttl=1\n",
		"LogLevel proxy:info\nProxyPass /w unix:/run/f.sock|fcgi:///x timeout=5\nProxyPass /y unix:/run/f.sock|fcgi://localhost/x/y timeout=6\n" +
			"ProxyPass /z unix:/run/f.sock|fcgi: timeout=6\nProxyPass /z2 unix:/run/f.sock|fcgi:// timeout=6\n<Location /l>\nProxyPass fcgi://localhost/x/l ttl=3\n</Location>\n" +
			"ProxyPassMatch ^/m(.*) http://localhost/$1 timeout=3\nProxyPassMatch ^/n(.*) http://localhost/$1/n timeout=3\n",
		"LogLevel error\nProxyPass /a/ http://localhost/\nProxyPass /b/ http://localhost/b/ timeout=10\n",
		"LogLevel info\nProxyPass /a/ http://localhost/\n<VirtualHost *:1>\nServerName v\nProxyPass /b/ http://localhost/b/ timeout=10\n" +
			"ProxyPass /c/ http://localhost/c/\nProxyPass /d/ http://localhost/c/d timeout=3\n</VirtualHost>\n",
		"ProxyPass /a/ http://localhost/\n<VirtualHost *:1>\nServerName v\nProxyPass /c/ http://localhost/c/\nLogLevel info\n" +
			"ProxyPass /d/ http://localhost/c/d timeout=3\n<Location /l>\nProxyPass http://localhost/c/l ttl=1\n</Location>\n</VirtualHost>\n",
	} {
		want, got := syntaxBoth(t, apache, httpd, modules,
			proxyHTTPModules+"LoadModule proxy_fcgi_module /usr/lib/apache2/modules/mod_proxy_fcgi.so\n", snippet)
		// apache2's AH01145 (info) and AH01146 (warning) lines, a line
		// sharing a worker and its parameters ignored, without their
		// time and process.
		want, got = logPrefix.ReplaceAllString(want, "$1"), logPrefix.ReplaceAllString(got, "$1")
		if got != want {
			t.Errorf("%q:\n apache: %s ours:   %s", snippet, want, got)
		} else {
			t.Logf("%q: both %s", snippet, want)
		}
	}
}

// logPrefix is an error log line's time and process before its
// [module:level], which it keeps ($1).
var logPrefix = regexp.MustCompile(`(?m)^\[[^\]]*\] (\[\w+:\w+\]) \[pid [^\]]*\] `)

// TestProxyWorkerSharingLog: the error log's AH01145 (info, the server's
// LogLevel) and AH01146 lines of the ProxyPass lines that share a worker,
// at start (-D FOREGROUND: apache2 reads the configuration again once its
// error log is open) and at a graceful restart, as apache2 2.4.71 writes
// them (ours wrote neither).
func TestProxyWorkerSharingLog(t *testing.T) {
	be := balancerBackend(t, "A")
	for _, tc := range []struct{ name, conf, path string }{
		{"main server", `ProxyPass /a/ http://@A@/
ProxyPass /b/ http://@A@/b/ timeout=10 retry=3
<Location /l/>
    ProxyPass http://@A@/l/ ttl=5
</Location>
ProxyPass /c/ http://@A@/c/
ProxyPassMatch ^/m/(.*)$ http://@A@/m/$1 timeout=3
ProxyPassMatch ^/n/(.*)$ http://@A@/m/$1 keepalive=On
`, "/l/x"},
		// A virtual host's lines at its own LogLevel, above the main
		// server's, in the main error log (review rv61: ours dropped its
		// info line while serving).
		{"virtual host", `LogLevel warn
ProxyPass /a/ http://@A@/
ProxyPass /b/ http://@A@/b/ timeout=10
<VirtualHost *:@P0@>
ServerName v.test
ErrorLog logs/v_log
LogLevel info
ProxyPass /c/ http://@A@/c/
ProxyPass /d/ http://@A@/c/d/ retry=3
</VirtualHost>
`, "/a/x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conf := strings.ReplaceAll(proxyHTTPModules+mainSite+tc.conf, "@A@", be)
			p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
			p.compareEach([]string{get("/b/x", "main.test"), get(tc.path, "main.test")}, (*diffServer).proxyAnswer)
			sharing := func(s *diffServer) []string {
				b, err := os.ReadFile(filepath.Join(s.root, "logs/error_log"))
				must(t, err)
				var out []string
				for _, line := range strings.Split(string(b), "\n") {
					if m := logPrefix.FindStringSubmatch(line); m != nil && strings.Contains(line, "AH0114") {
						out = append(out, m[1]+line[len(m[0]):])
					}
				}
				return out
			}
			check := func(when string) {
				want, got := sharing(p.apache), sharing(p.ours)
				if len(want) == 0 || !slices.Equal(got, want) {
					t.Errorf("%s: error log's sharing lines:\n apache: %q\n ours:   %q", when, want, got)
				} else {
					t.Logf("%s: both %q", when, want)
				}
			}
			check("start")
			n := len(sharing(p.apache))
			p.reload(conf+"# again\n", func(s *diffServer) bool { return len(sharing(s)) >= 2*n })
			check("graceful restart")
		})
	}
}
