package e2e_test

import (
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
`

// TestLimitInternalRecursion: LimitInternalRecursion bounds the internal
// redirects of a request as apache2's: three of them pass, the fourth is a
// 500 (AH00124 naming the limit), and an ErrorDocument's redirect counts
// (the fourth one is a 500 whose page names the 404).
func TestLimitInternalRecursion(t *testing.T) {
	p := startPair(t, 1, recursionConf, map[string]string{"r5": "five\n"})
	get := func(path string) diffRequest {
		return diffRequest{Raw: "GET " + path + " HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"}
	}
	five := get("/r2")
	five.Want = "five"
	p.check([]diffRequest{five, get("/r1"), get("/m/x"), get("/q1")})
	for _, s := range []*diffServer{p.apache, p.ours} {
		if n := strings.Count(errorLog(t, s.root), "AH00124: Request exceeded the limit of 3 internal redirects"); n != 3 {
			t.Errorf("%s: %d AH00124 lines, want 3:\n%s", s.name, n, errorLog(t, s.root))
		}
	}
}
