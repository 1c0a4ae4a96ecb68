package e2e_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

const negDeniedConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
AddLanguage en .en
AddLanguage fr .fr
<Directory @DOCS@>
    Require all granted
    Options MultiViews
</Directory>
AddHandler type-map .var
<Files "*.fr">
    Require all denied
</Files>
<Directory @DOCS@/idx>
    DirectoryIndex index
</Directory>
<Directory @DOCS@/no>
    Require all denied
</Directory>
`

var ah01630 = regexp.MustCompile(`\[client [0-9.]+:\d+\] (AH01630: .*)$`)

// TestNegotiationDeniedLoggedOnce: a variant its own <Files> or <Directory>
// denies is logged (AH01630) as often as apache2's variant subrequests log it:
// once by MultiViews, once more for a type map's variant, through DirectoryIndex.
func TestNegotiationDeniedLoggedOnce(t *testing.T) {
	docs := map[string]string{"page.html.en": "en\n", "page.html.fr": "fr\n", "only.html.fr": "fr\n",
		"idx/index.html.en": "en\n", "idx/index.html.fr": "fr\n",
		"m.var":    "URI: m\n\nURI: m.txt.fr\nContent-Type: text/plain\nContent-Language: fr\n\nURI: no/m.txt\nContent-Type: text/html\n",
		"m.txt.fr": "fr\n", "no/m.txt": "no\n", "no/x.html": "x\n", "t.var.fr": "URI: t\n"}
	p := startPair(t, 1, negDeniedConf, docs)
	h := func(path string, fields ...string) diffRequest {
		return diffRequest{Raw: "GET " + path + " HTTP/1.1\r\nHost: main.test\r\n" + strings.Join(fields, "") + "Connection: close\r\n\r\n"}
	}
	p.check([]diffRequest{h("/page", "Accept-Language: fr\r\n"), h("/page"), h("/only", "Accept-Language: fr\r\n"), h("/page.html.fr"),
		h("/idx/", "Accept-Language: fr\r\n"), h("/idx/"),
		h("/m", "Accept-Language: fr\r\n"), h("/m", "Accept: text/html\r\n"), h("/m.var", "Accept-Language: fr\r\n"), h("/m.var", "Accept: text/html\r\n"),
		h("/no/x"), h("/t", "Accept-Language: fr\r\n"),
		{Raw: "HEAD /page HTTP/1.1\r\nHost: main.test\r\nAccept-Language: fr\r\nConnection: close\r\n\r\n"}})
	must(t, p.apache.stop())
	must(t, p.ours.stop())
	lines := func(s *diffServer) []string {
		var out []string
		for _, l := range s.logLines(t, "error_log") {
			if m := ah01630.FindStringSubmatch(l); m != nil {
				out = append(out, s.unfill(m[1]))
			}
		}
		slices.Sort(out)
		return out
	}
	compareLines(t, "AH01630 lines", lines(p.apache), lines(p.ours))
}
