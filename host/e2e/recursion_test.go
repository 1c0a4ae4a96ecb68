package e2e_test

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// recursionConf chains per-directory rewrites, each an internal redirect
// (/r1 to /r5), under LimitInternalRecursion 3, and names the chain's
// second step as an ErrorDocument; /q1 takes three redirects to a missing
// /q4, whose ErrorDocument would be the fourth.
const recursionConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LimitInternalRecursion 3 5
<Directory @DOCS@>
	RewriteEngine On
	RewriteRule ^r1$ /r2 [L]
	RewriteRule ^r2$ /r3 [L]
	RewriteRule ^r3$ /r4 [L]
	RewriteRule ^r4$ /r5 [L]
	RewriteRule ^q1$ /q2 [L]
	RewriteRule ^q2$ /q3 [L]
	RewriteRule ^q3$ /q4 [L]
</Directory>
<Location /q4>
	ErrorDocument 404 /r5
</Location>
<Location /m>
	ErrorDocument 404 /r2
</Location>
<Directory @DOCS@/fb>
	FallbackResource /fb/missing
</Directory>
<VirtualHost *:@P0@>
	ServerName main.test
</VirtualHost>
<VirtualHost *:@P0@>
	ServerName low.test
	LimitInternalRecursion 1 2
</VirtualHost>
`

// TestLimitInternalRecursion: LimitInternalRecursion bounds the internal
// redirects of a request as apache2's: three of them pass, the fourth is a
// 500 (AH00124 naming the limit), and an ErrorDocument's redirect counts
// (the fourth one is a 500 whose page names the 404). Its second number
// bounds the nesting of subrequests (a FallbackResource that falls back
// again: a 500, AH00125 naming the limit; ours had 10 whatever the line
// said), the virtual host's its own. httpd -t warns of the main server's
// low limits (AH00119, AH00120), not of a virtual host's, as apache2.
func TestLimitInternalRecursion(t *testing.T) {
	p := startPair(t, 1, recursionConf, map[string]string{"r5": "five\n", "fb/.keep": ""})
	get := func(path string) diffRequest {
		return diffRequest{Raw: "GET " + path + " HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"}
	}
	five := get("/r2")
	five.Want = "five"
	low := diffRequest{Raw: "GET /fb/x HTTP/1.1\r\nHost: low.test\r\nConnection: close\r\n\r\n"}
	p.check([]diffRequest{five, get("/r1"), get("/m/x"), get("/q1"), get("/fb/x"), low})
	for _, s := range []*diffServer{p.apache, p.ours} {
		log := errorLog(t, s.root)
		if n := strings.Count(log, "AH00124: Request exceeded the limit of 3 internal redirects"); n != 3 {
			t.Errorf("%s: %d AH00124 lines, want 3:\n%s", s.name, n, log)
		}
		for _, limit := range []string{"5", "2"} {
			if n := strings.Count(log, "AH00125: Request exceeded the limit of "+limit+" subrequest nesting levels due to probable configuration error. "+
				"Use 'LimitInternalRecursion' to increase the limit if necessary. Use 'LogLevel debug' to get a backtrace."); n != 1 {
				t.Errorf("%s: %d AH00125 lines naming %s, want 1:\n%s", s.name, n, limit, log)
			}
		}
	}
	// The warnings of -t, each server's line prefix aside.
	warnings := func(bin string, s *diffServer) []string {
		out, _ := exec.Command(bin, "-t", "-d", s.root, "-f", filepath.Join(s.root, "httpd.conf")).CombinedOutput()
		var w []string
		for _, l := range strings.Split(string(out), "\n") {
			if i := strings.Index(l, "AH001"); i >= 0 {
				w = append(w, l[i:])
			}
		}
		return w
	}
	want := []string{"AH00119: Limiting internal redirects to very low numbers may cause normal requests to fail."}
	if got := warnings(p.apacheBin, p.apache); !slices.Equal(got, want) {
		t.Errorf("apache2 -t warns %q, the test expects %q", got, want)
	}
	if got := warnings(p.oursBin, p.ours); !slices.Equal(got, want) {
		t.Errorf("httpd -t warns %q, want %q", got, want)
	}
}
