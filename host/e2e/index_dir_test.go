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

// TestDirectoryWithoutIndex: a directory without an index file is a 403
// wherever its Options leave out Indexes (the default, None, -Indexes,
// FollowSymLinks, MultiViews, Indexes taken away below a parent that had
// it, DirectoryIndex disabled), with apache2's error log line (AH01276),
// and listed where they hold it (All, +Indexes below None), as apache2's
// mod_autoindex answers; none of them is a 404.
func TestDirectoryWithoutIndex(t *testing.T) {
	dirs := map[string]string{
		"none": "None", "minus": "-Indexes", "links": "FollowSymLinks", "views": "MultiViews", "all": "All",
		"none/plus": "+Indexes", "all/minus": "-Indexes",
	}
	conf := mainSite
	docs := map[string]string{"dflt/a.txt": "a\n", "off/a.txt": "a\n", "offno/a.txt": "a\n"}
	for d, o := range dirs {
		conf += "<Directory @DOCS@/" + d + ">\n\tOptions " + o + "\n</Directory>\n"
		docs[d+"/a.txt"] = "a\n"
	}
	conf += "<Directory @DOCS@/off>\n\tOptions Indexes\n\tDirectoryIndex disabled\n</Directory>\n" +
		"<Directory @DOCS@/offno>\n\tOptions -Indexes\n\tDirectoryIndex disabled\n</Directory>\n"
	p := startPair(t, 1, conf, docs)
	var reqs []diffRequest
	for _, d := range []string{"dflt", "none", "minus", "links", "views", "all/minus", "offno"} {
		reqs = append(reqs, diffRequest{Raw: get("/"+d+"/", "main.test"), Want: "Forbidden"})
	}
	for _, d := range []string{"all", "none/plus", "off"} {
		reqs = append(reqs, diffRequest{Raw: get("/"+d+"/", "main.test"), Want: "Index of /" + d})
	}
	p.check(reqs)
	must(t, p.apache.stop())
	must(t, p.ours.stop())
	refusal := regexp.MustCompile(`\[(autoindex:\w+)\] .*(AH01276: .*)$`)
	sameLines(t, "AH01276 lines", errorLogLines(t, p.apache, refusal), errorLogLines(t, p.ours, refusal))
}
