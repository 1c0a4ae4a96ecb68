package e2e_test

import "testing"

// TestIndexRewritePT: a DirectoryIndex or FallbackResource URL that a
// RewriteRule [PT] maps elsewhere gives the request the rewritten URL-path
// (%U) and query (%q), as apache2's fast redirect to the subrequest gives
// it rr->uri and rr->args. A per-directory rule of an index name that
// does not exist leaves it missing (r5). Not compared: an index file's own
// per-directory rules, which apache2's subrequest runs (README).
func TestIndexRewritePT(t *testing.T) {
	p := startPair(t, 1, mainSite+`
RewriteEngine On
RewriteRule ^/pt$ /real.html [PT]
RewriteRule ^/ptdir$ /hasidx/ [PT]
RewriteRule ^/ptq$ /real.html?z=1 [PT]
<Directory @DOCS@/r1>
	DirectoryIndex /pt
</Directory>
<Directory @DOCS@/r2>
	DirectoryIndex /ptdir
</Directory>
<Directory @DOCS@/r3>
	DirectoryIndex /ptq
</Directory>
<Directory @DOCS@/r4>
	FallbackResource /pt
</Directory>
<Directory @DOCS@/r5>
	RewriteEngine On
	RewriteRule ^idx$ /real.html [PT]
	DirectoryIndex idx
</Directory>
LogFormat "%r %s %>s %U %>U %q" ptlog
CustomLog logs/pt_log ptlog
`, map[string]string{"real.html": "real\n", "hasidx/index.html": "ih\n", "r1/x": "x", "r2/x": "x", "r3/x": "x",
		"r4/x": "x", "r5/x": "x"})
	var reqs []diffRequest
	for _, path := range []string{"/r1/", "/r2/", "/r3/", "/r4/missing", "/r5/", "/r1/?a=b"} {
		reqs = append(reqs, diffRequest{Raw: get(path, "main.test")})
	}
	p.check(reqs)
	p.checkLogs("pt_log")
}
