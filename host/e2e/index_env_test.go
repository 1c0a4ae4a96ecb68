package e2e_test

import "testing"

// TestIndexLookupEnv: a DirectoryIndex or FallbackResource URL that finds
// nothing leaves the request's variables as they were, as apache2's
// subrequest, whose table is its own: the SetEnv of the URL's <Location>
// neither shows in the log nor hides the value of the index found next
// (review45). A URL through a directory that does not exist (/nope2/)
// finds nothing: the next name is tried (e5). A URL naming a directory
// (DirectoryIndex, nested, FallbackResource) is served as its index, whose
// URL-path %U logs (e4, e6, e7).
func TestIndexLookupEnv(t *testing.T) {
	p := startPair(t, 1, mainSite+`
<Location /nope.html>
	SetEnv FOO nope
</Location>
<Directory @DOCS@/e1>
	SetEnv BAR e1
	DirectoryIndex /nope.html
</Directory>
<Directory @DOCS@/e2>
	DirectoryIndex /nope.html index.html
</Directory>
<Directory @DOCS@/e3>
	FallbackResource /nope.html
</Directory>
<Directory @DOCS@/e4>
	DirectoryIndex /nope.html /e4b/
</Directory>
<Directory @DOCS@/e5>
	DirectoryIndex /nope2/ index.html
</Directory>
<Directory @DOCS@/e6>
	DirectoryIndex /e6b/
</Directory>
<Directory @DOCS@/e6b>
	DirectoryIndex /e4b/index.html
</Directory>
<Directory @DOCS@/e7>
	FallbackResource /e4b/
</Directory>
<Directory @DOCS@/e4b>
	SetEnv FOO e4b
</Directory>
<Files index.html>
	SetEnv BAR idx
</Files>
LogFormat "%r %>s %U foo=%{FOO}e bar=%{BAR}e" envlog
CustomLog logs/env_log envlog
`, map[string]string{"e1/x": "x", "e2/index.html": "i2\n", "e3/x": "x", "e4/x": "x", "e4b/index.html": "i4b\n", "e5/index.html": "i5\n", "e6/x": "x", "e6b/x": "x", "e7/x": "x"})
	var reqs []diffRequest
	for _, path := range []string{"/e1/", "/e2/", "/e3/missing", "/e3/", "/e4/", "/e5/", "/e6/", "/e7/missing"} {
		reqs = append(reqs, diffRequest{Raw: get(path, "main.test")})
	}
	p.check(reqs)
	p.checkLogs("env_log")
}
