package e2e_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// rewriteMapConf: RewriteMap's txt, rnd and int maps in RewriteRule
// substitutions and RewriteCond test strings, nested, with and without
// defaults, a map no line defines, a name defined twice (the later wins), a
// map value with a "?", a directory as a map (no value, nothing logged), a
// .htaccess file using the server's map (and one defining a map: 500), and
// virtual hosts on their own port (the main server answers the first) that
// inherit the main server's maps (Inherit: their own of a name win;
// InheritBefore: the main server's win) or do not.
const rewriteMapConf = `ServerName main.test
Listen 127.0.0.1:@P0@
Listen 127.0.0.1:@P1@
DocumentRoot @DOCS@
<Directory @DOCS@>
    Require all granted
    AllowOverride FileInfo
</Directory>
RewriteEngine On
RewriteMap redirects txt:@DOCS@/../maps/redirects.txt
RewriteMap other @DOCS@/../maps/other.txt
RewriteMap lc int:tolower
RewriteMap uc int:toupper
RewriteMap esc int:escape
RewriteMap unesc int:unescape
RewriteMap pool rnd:@DOCS@/../maps/pool.txt
RewriteMap gone txt:@DOCS@/../maps/gone.txt
RewriteMap dir txt:@DOCS@/../maps
RewriteMap dup int:tolower
RewriteMap dup int:toupper
RewriteRule ^/dup/(.*) /x/${dup:$1} [R,L]
RewriteRule ^/old/(.*) ${redirects:$1|/fallback.html} [R=301,L]
RewriteRule ^/other/(.*) /x/${other:$1|none}/${other:${lc:$1}|none} [R,L]
RewriteRule ^/lc/(.*) /x/${lc:$1}/${uc:${lc:$1}x} [R,L]
RewriteRule ^/esc/(.*) /x/${esc:$1} [R,NE,L]
RewriteRule ^/unesc/(.*) /x/${unesc:$1} [R,NE,L]
RewriteRule ^/pool$ /${pool:servers|none} [R,L]
RewriteRule ^/nomap/(.*) /x/${nomap:$1}-${nomap:$1|d$1} [R,L]
RewriteRule ^/local/(.*) ${redirects:$1} [L]
RewriteRule ^/gone/(.*) /x/${gone:$1|fallback} [R,L]
RewriteRule ^/dir/(.*) /x/${dir:$1|none} [R,L]
RewriteCond ${lc:%{HTTP:X-Case}} =yes
RewriteRule ^/cond$ /page.html [L]
<VirtualHost *:@P1@>
    ServerName inherit.test
    RewriteEngine On
    RewriteOptions Inherit
    RewriteMap redirects txt:@DOCS@/../maps/other.txt
    RewriteRule ^/v/(.*) /x/${redirects:$1|none}/${lc:$1} [R,L]
</VirtualHost>
<VirtualHost *:@P1@>
    ServerName before.test
    RewriteEngine On
    RewriteOptions InheritBefore
    RewriteMap redirects txt:@DOCS@/../maps/other.txt
    RewriteRule ^/v/(.*) /x/${redirects:$1|none}/${lc:$1} [R,L]
</VirtualHost>
<VirtualHost *:@P1@>
    ServerName alone.test
    RewriteEngine On
    RewriteRule ^/v/(.*) /x/${redirects:$1|none}/${lc:$1|none} [R,L]
</VirtualHost>
`

// TestRewriteMap compares answers and the error log's map lines with
// apache2's, then edits a txt map while both serve.
func TestRewriteMap(t *testing.T) {
	docs := map[string]string{
		"page.html":     "<p>page</p>\n",
		"fallback.html": "<p>fallback</p>\n",
		"new/a.html":    "<p>a</p>\n",
		"ht/.htaccess":  "RewriteEngine On\nRewriteRule ^(.*)$ ${redirects:$1|/nope} [R,L]\n",
		"bad/.htaccess": "RewriteEngine On\nRewriteMap x int:tolower\n",
		"bad/f":         "f\n",
		"../maps/redirects.txt": "# old URLs\nabout /new/about.html\nteam /new/team.html\nteam /new/second.html\n" +
			"  indented /indented\nnovalue\nnovalue /new/novalue.html extra words\nq /page.html?x=1\nabs http://else.test/p\n" +
			"a /new/a.html\nnul /N\x00UL\nn\x00k /K\n",
		"../maps/other.txt": "about /other/about\nAB /ab-upper\nab /ab-lower\n",
		"../maps/pool.txt":  "servers one|two|three\n",
		"../maps/gone.txt":  "a /a\n",
	}
	p := startPair(t, 2, rewriteMapConf, docs)
	must(t, os.Remove(filepath.Join(p.ours.docs, "../maps/gone.txt"))) // after the start's check: looked up, it is missing
	p.check([]diffRequest{
		{Raw: get("/old/about", "main.test")},
		{Raw: get("/old/team", "main.test")},
		{Raw: get("/old/indented", "main.test")},
		{Raw: get("/old/novalue", "main.test")},
		{Raw: get("/old/unknown", "main.test"), Want: "fallback.html"},
		{Raw: get("/old/", "main.test")},
		{Raw: get("/old/abs", "main.test")},
		{Raw: get("/old/a%20b", "main.test")},
		{Raw: get("/old/nul", "main.test")},
		{Raw: get("/old/n", "main.test")},
		{Raw: get("/other/AB", "main.test")},
		{Raw: get("/other/about", "main.test")},
		{Raw: get("/lc/MiXeD%C3%89", "main.test")},
		{Raw: get("/esc/a%20b%3F%25%C3%A9;x", "main.test")},
		{Raw: get("/unesc/a%2520b%25zz%2541", "main.test")},
		{Raw: get("/nomap/k", "main.test")},
		{Raw: get("/local/a", "main.test"), Want: "<p>a</p>"},
		{Raw: get("/local/q", "main.test")},
		{Raw: get("/gone/a", "main.test")},
		{Raw: get("/dir/a", "main.test"), Want: "/x/none"},
		{Raw: get("/dir/b", "main.test"), Want: "/x/none"},
		{Raw: get("/dup/aB", "main.test"), Want: "/x/AB"},
		{Raw: request("GET", "/cond", "main.test", "", "X-Case: YES"), Want: "page"},
		{Raw: request("GET", "/cond", "main.test", "", "X-Case: no")},
		{Raw: get("/ht/about", "main.test")},
		{Raw: get("/ht/elsewhere", "main.test")},
		{Raw: get("/bad/f", "main.test")},
		{Raw: get("/v/about", "inherit.test"), Port: 1},
		{Raw: get("/v/team", "inherit.test"), Port: 1},
		{Raw: get("/v/about", "before.test"), Port: 1},
		{Raw: get("/v/AB", "before.test"), Port: 1},
		{Raw: get("/v/about", "alone.test"), Port: 1},
	})

	// A txt map edited while serving answers with its new lines (its
	// modification time changed: apache2's cache and ours read it again).
	maps := filepath.Join(filepath.Dir(p.ours.docs), "maps")
	write(t, filepath.Join(maps, "redirects.txt"), "about /changed/about.html\n")
	later := time.Now().Add(time.Minute)
	must(t, os.Chtimes(filepath.Join(maps, "redirects.txt"), later, later))
	p.check([]diffRequest{
		{Raw: get("/old/about", "main.test"), Want: "/changed/about.html"},
		{Raw: get("/old/team", "main.test"), Want: "fallback.html"},
		{Raw: get("/ht/about", "main.test"), Want: "/changed/about.html"},
	})

	p.checkLogs()
	mapLines := func(s *diffServer) []string {
		return slices.DeleteFunc(requestErrors(t, s), func(l string) bool {
			return !strings.Contains(l, "RewriteMap") && !strings.Contains(l, "not allowed here")
		})
	}
	sameLines(t, "error_log map lines (sorted)", mapLines(p.apache), mapLines(p.ours))
}

// TestRewriteMapRandom: an rnd map's value is one of the line's values,
// each of them over many requests, nothing else, in both servers.
func TestRewriteMapRandom(t *testing.T) {
	docs := map[string]string{"page.html": "p\n", "../maps/pool.txt": "servers one|two|three\n", "../maps/redirects.txt": "\n",
		"../maps/other.txt": "\n", "../maps/gone.txt": "\n"}
	p := startPair(t, 2, rewriteMapConf, docs)
	for _, s := range []*diffServer{p.apache, p.ours} {
		seen := map[string]int{}
		for range 60 {
			for _, a := range s.ask(t, "127.0.0.1", 0, get("/pool", "main.test")) {
				seen[a.Location]++
			}
		}
		want := []string{"http://main.test/one", "http://main.test/two", "http://main.test/three"}
		if len(seen) != len(want) {
			t.Errorf("%s: Locations %v, want each of %v and nothing else", s.name, seen, want)
		}
		for _, w := range want {
			if seen[w] == 0 {
				t.Errorf("%s: Locations %v, never %s", s.name, seen, w)
			}
		}
	}
}
