package e2e_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// pathInfoConf sets DirectorySlash and AcceptPathInfo in <Directory>
// sections and lets .htaccess files below ht/ set them.
const pathInfoConf = `ServerName main.test
Listen 127.0.0.1:@P0@
LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
DocumentRoot @DOCS@
<Directory @DOCS@>
	Options +ExecCGI
	AddHandler cgi-script .cgi
</Directory>
<Directory @DOCS@/ns>
	DirectorySlash Off
</Directory>
<Directory @DOCS@/ns/list>
	Options +Indexes
</Directory>
<Directory @DOCS@/on>
	AcceptPathInfo On
</Directory>
<Directory @DOCS@/off>
	AcceptPathInfo Off
</Directory>
<Directory @DOCS@/ht>
	AllowOverride FileInfo Indexes
</Directory>
<Directory @DOCS@/fb>
	FallbackResource /fb/fb.html
</Directory>
<Directory @DOCS@/fb/off>
	FallbackResource disabled
</Directory>
<Directory @DOCS@/fb/rel>
	FallbackResource fb.html
</Directory>
<Directory @DOCS@/fb/two>
	DirectoryIndex index.html index.htm
</Directory>
<Directory @DOCS@/fbmiss>
	FallbackResource /fbmiss/none.html
</Directory>
<Directory @DOCS@/cyc/a>
	FallbackResource /cyc/b/x
</Directory>
<Directory @DOCS@/cyc/b>
	FallbackResource /cyc/a/x
</Directory>
<Directory @DOCS@/cyc/c>
	FallbackResource /cyc/none/x
</Directory>
<Directory @DOCS@/fb/app>
	FallbackResource /fb/app/app.cgi
</Directory>
`

// TestDirectorySlashAcceptPathInfo: DirectorySlash Off serves a directory
// named without its slash as apache2 does (no redirect, no index: a listing
// or 403), AcceptPathInfo On serves a file followed by path info, Off
// refuses it to a script (404), FallbackResource serves a missing file
// without a handler (and a missing index) from its URL, from <Directory> and
// from .htaccess files.
func TestDirectorySlashAcceptPathInfo(t *testing.T) {
	script := "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"ran $SCRIPT_NAME $PATH_INFO\"\n"
	docs := map[string]string{
		"ns/d/index.html": "idx\n", "ns/list/x.txt": "x\n", "slash/index.html": "idx\n",
		"on/a.html": "a\n", "on/run.cgi": script, "off/a.html": "a\n", "off/run.cgi": script, "a.html": "a\n", "run.cgi": script,
		"ht/on/.htaccess": "AcceptPathInfo On\n", "ht/on/a.html": "a\n",
		"ht/off/.htaccess": "AcceptPathInfo Off\n", "ht/off/run.cgi": script,
		"ht/ns/.htaccess": "DirectorySlash Off\n", "ht/ns/d/index.html": "idx\n",
		"fb/fb.html": "fallback\n", "fb/off/x.txt": "x\n", "fb/rel/fb.html": "relative\n", "fb/d/index.html": "idx\n", "fb/two/index.htm": "second\n",
		"fbmiss/.keep": "", "cyc/a/.keep": "", "cyc/b/.keep": "", "cyc/c/.keep": "", "cyc/none/.keep": "",
		"fb/app/app.cgi":  "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"app $SCRIPT_NAME $REQUEST_URI $QUERY_STRING $PATH_INFO\"\n",
		"ht/fb/.htaccess": "FallbackResource /fb/fb.html\n",
	}
	p := startPairMPM(t, "event", 1, pathInfoConf, docs)
	for name := range docs {
		if strings.HasSuffix(name, ".cgi") {
			must(t, os.Chmod(filepath.Join(p.apache.docs, name), 0o755))
		}
	}
	h := func(path string) diffRequest {
		return diffRequest{Raw: "GET " + path + " HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"}
	}
	want := func(path, body string) diffRequest { r := h(path); r.Want = body; return r }
	p.check([]diffRequest{
		h("/ns/d"), want("/ns/d/", "idx"), h("/ns/list"), h("/ns/list/"), h("/slash"),
		want("/on/a.html/x/y", "a"), want("/on/run.cgi/x", "ran /on/run.cgi /x"), h("/on/a.html/"),
		h("/off/a.html/x"), h("/off/run.cgi/x"), want("/off/run.cgi", "ran /off/run.cgi"),
		h("/a.html/x"), want("/run.cgi/x", "ran /run.cgi /x"),
		want("/ht/on/a.html/x", "a"), h("/ht/off/run.cgi/x"), h("/ht/ns/d"),
		want("/fb/nothere?q=1", "fallback"), want("/fb/", "fallback"), want("/fb/d/", "idx"), h("/fb/fb.html/x"),
		h("/fb/off/nothere"), h("/fb/x.cgi"), want("/fb/sub/deep", "fallback"), want("/fb/rel/x", "relative"),
		want("/fb/app/some/where?a=b", "app /fb/app/app.cgi"), want("/ht/fb/nothere", "fallback"), h("/fb/d"), want("/fb/two/", "fallback"),
	})
	// A fallback that falls back again, to itself or in a cycle: apache2
	// nests subrequests to its limit and answers 500 (AH00125); one that
	// does not exist but does not fall back: the request's 404.
	p.check([]diffRequest{h("/fbmiss/x"), h("/fbmiss/"), h("/cyc/a/x"), h("/cyc/c/x")})
	must(t, p.apache.stop())
	must(t, p.ours.stop())
	// The refusals' lines: mod_cgid's AH01266, mod_autoindex's AH01276.
	lines := func(s *diffServer) []string {
		var out []string
		for _, l := range s.logLines(t, "error_log") {
			if i := strings.Index(l, "] AH012"); i >= 0 && (strings.Contains(l, "AH01266") || strings.Contains(l, "AH01276")) {
				out = append(out, s.unfill(l[i+2:]))
			}
		}
		slices.Sort(out)
		return out
	}
	if want, got := lines(p.apache), lines(p.ours); !slices.Equal(got, want) || len(want) != 4 {
		t.Errorf("error_log lines:\napache:\n  %s\nours:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	}
	nested := func(s *diffServer) (n int) {
		for _, l := range s.logLines(t, "error_log") {
			if strings.Contains(l, "AH00125: Request exceeded the limit of 10 subrequest nesting levels") {
				n++
			}
		}
		return n
	}
	if want, got := nested(p.apache), nested(p.ours); got != want || want != 3 {
		t.Errorf("AH00125 lines: apache %d, ours %d", want, got)
	}
}
