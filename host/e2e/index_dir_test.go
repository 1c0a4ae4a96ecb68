package e2e_test

import (
	"regexp"
	"testing"
)

// TestIndexURLDirectory: a DirectoryIndex or FallbackResource URL naming a
// directory is used only when that directory's own index is found (mod_dir
// fast-redirects to a subrequest that is a regular file): one without an
// index is skipped, the next name tried, whatever its Options Indexes. A
// FallbackResource to its own directory without an index (/j/) nests each
// name's subrequest and its fallback's, 2^5 lookups to the limit (AH00125
// each), as apache2's: ours nested fallbacks alone, 2^10 (with Debian's six
// names one request ran for minutes, filling the error log).
func TestIndexURLDirectory(t *testing.T) {
	p := startPair(t, 1, mainSite+`
<Directory @DOCS@/a>
	DirectoryIndex /nix/ index.html
</Directory>
<Directory @DOCS@/b>
	DirectoryIndex /nix/ index.html
</Directory>
<Directory @DOCS@/c>
	Options Indexes
	DirectoryIndex /nix/ index.html
</Directory>
<Directory @DOCS@/d>
	Options Indexes
	DirectoryIndex /nixi/
</Directory>
<Directory @DOCS@/e>
	DirectoryIndex /nixi/ /hasidx/ index.html
</Directory>
<Directory @DOCS@/f>
	DirectoryIndex /f/ index.html
</Directory>
<Directory @DOCS@/g>
	DirectoryIndex /g/ index.html
</Directory>
<Directory @DOCS@/h>
	FallbackResource /nix/
</Directory>
<Directory @DOCS@/i>
	FallbackResource /nixi/
</Directory>
<Directory @DOCS@/nixi>
	Options Indexes
</Directory>
<Directory @DOCS@/j>
	DirectoryIndex idx1 idx2
	FallbackResource /j/
</Directory>
LogFormat "%r %>s %U %>U" dirlog
CustomLog logs/dir_log dirlog
`, map[string]string{"a/index.html": "ia\n", "b/x": "x", "c/x": "x", "d/x": "x", "e/index.html": "ie\n",
		"f/x": "x", "g/index.html": "ig\n", "h/x": "x", "i/x": "x", "j/x": "x",
		"nix/x": "x", "nixi/y": "y", "hasidx/index.html": "ih\n"})
	var reqs []diffRequest
	for _, path := range []string{"/a/", "/b/", "/c/", "/d/", "/e/", "/f/", "/g/", "/h/missing", "/i/missing", "/nix/", "/nixi/", "/j/missing"} {
		reqs = append(reqs, diffRequest{Raw: get(path, "main.test")})
	}
	p.check(reqs)
	p.checkLogs("dir_log")
	compareLines(t, "error_log", errorLogLines(t, p.apache, ahLine), errorLogLines(t, p.ours, ahLine))
}

// ahLine is a request's error log line with an AH number: module and
// level, message.
var ahLine = regexp.MustCompile(`\[(\w+:\w+)\] .*\[client [^]]*\] (AH\d+: .*)$`)
