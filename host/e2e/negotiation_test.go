package e2e_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// negotiationConf: mod_negotiation and mod_mime as apache2 applies them:
// MultiViews with LanguagePriority and ForceLanguagePriority Prefer
// Fallback at the server level, None in a directory; mod_mime's lines in a
// <Directory> (AddLanguage, AddType, RemoveLanguage, DefaultLanguage,
// AddEncoding) and MultiviewsMatch Any, AddLanguage in a <Location>; a
// <Files> that denies one variant, one with SetHandler type-map;
// mod_deflate over a negotiated answer;
// DirectoryIndex naming a negotiated index; type maps, one with Body:
// variants, one found by MultiViews; prefer-language and no-gzip set by
// SetEnvIf.
const negotiationConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LogFormat "%>s %m %U %{Content-Location}o" neg
CustomLog logs/neg_log neg
AddLanguage en .en
AddLanguage fr .fr
AddLanguage de .de
AddLanguage pt-BR .pt-br
AddCharset UTF-8 .utf8
AddCharset ISO-8859-1 .latin1
AddEncoding x-gzip .gz
AddEncoding x-compress .Z
AddHandler type-map .var
LanguagePriority en fr de
ForceLanguagePriority Prefer Fallback
CacheNegotiatedDocs Off
SetEnvIf X-Pref (.+) prefer-language=$1
SetEnvIf X-No-Gzip . no-gzip
<Directory @DOCS@>
    Require all granted
    Options MultiViews
</Directory>
<Directory @DOCS@/strict>
    ForceLanguagePriority None
    LanguagePriority fr
</Directory>
<Directory @DOCS@/sec>
    AddLanguage it .it
    AddType text/x-foo .foo
    RemoveLanguage .de
    DefaultLanguage es
    AddEncoding br .brot
</Directory>
<Directory @DOCS@/any>
    MultiviewsMatch Any
</Directory>
<Directory @DOCS@/noview>
    Options -MultiViews
</Directory>
<Directory @DOCS@/idx>
    DirectoryIndex index
</Directory>
<Files "secret.html.fr">
    Require all denied
</Files>
<Files "*.tmap">
    SetHandler type-map
</Files>
<Location /loc>
    AddLanguage es .es
</Location>
<Directory @DOCS@/gz>
    AddOutputFilterByType DEFLATE text/html
</Directory>
`

// negotiationAnswer is a response as the test compares it: the status,
// whether Last-Modified and ETag are there, every other field but the
// skipped ones (sorted) and the body; Expires, which apache2 sets to the
// time of an HTTP/1.0 request's negotiated answer, only as there or not.
func (s *diffServer) negotiationAnswer(t *testing.T, req string) string {
	t.Helper()
	raw, _ := s.exchange(t, "127.0.0.1", 0, req, 10*time.Second)
	resp, err := http.ReadResponse(bufio.NewReader(raw), nil)
	if err != nil {
		return "unparseable: " + raw.String()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("Content-Encoding") == "gzip" && len(b) > 2 && b[0] == 0x1f {
		// mod_deflate's bytes are zlib's: compare what they decompress to.
		if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
			b, _ = io.ReadAll(zr)
			b = append([]byte("(gunzipped) "), b...)
		}
	}
	out := fmt.Sprintf("%d Last-Modified=%t ETag=%t Expires=%t", resp.StatusCode, resp.Header.Get("Last-Modified") != "", resp.Header.Get("Etag") != "", resp.Header.Get("Expires") != "")
	lines := fieldLines(resp.Header, headerFieldsSkipped)
	return out + "\n  " + strings.Join(lines, "\n  ") + "\n  body: " + strings.ReplaceAll(string(b), "\n", `\n`)
}

// TestNegotiation: Options MultiViews and type maps answer as apache2's
// mod_negotiation does for a table of Accept, Accept-Language,
// Accept-Charset and Accept-Encoding fields: the variant chosen (body,
// Content-Type, Content-Language, Content-Encoding as x-gzip or as the
// request names it), Vary, TCN, Content-Location, the 406 with its
// Alternates and variant list, the access log's %U of the variant.
func TestNegotiation(t *testing.T) {
	docs := map[string]string{
		"page.html.en":      "english page\n",
		"page.html.fr":      "page française\n",
		"page.html.de":      "deutsche Seite, etwas länger\n",
		"doc.html":          "<p>doc</p>\n",
		"doc.txt":           "doc\n",
		"pt.html.pt-br":     "português\n",
		"pt.html.en":        "portuguese page in english\n",
		"cs.txt.utf8":       "utf-8 text\n",
		"cs.txt.latin1":     "latin-1 text\n",
		"enc.txt":           "plain enc, the longest of three\n",
		"enc.txt.gz":        "gzipped\n",
		"enc.txt.Z":         "compressed\n",
		"only.html.gz":      "only gzipped\n",
		"foo.bar.html":      "unknown bar\n",
		"idx/index.html.en": "index en\n",
		"idx/index.html.fr": "index fr\n",
		"strict/p.html.en":  "strict en, longer\n",
		"strict/p.html.fr":  "strict fr\n",
		"sec/s.html.it":     "italiano\n",
		"sec/s.html.de":     "no language: DefaultLanguage\n",
		"sec/t.foo":         "a foo\n",
		"sec/z.txt.brot":    "brotli\n",
		"any/a.html.zzz":    "any\n",
		"noview/n.html":     "no views\n",
		"secret.html.en":    "secret en\n",
		"secret.html.fr":    "secret fr\n",
		"map.html.en":       "map en\n",
		"map.html.fr":       "map fr\n",
		"map.var":           "URI: map\n\nURI: map.html.en\nContent-Type: text/html\nContent-Language: en\n\nURI: map.html.fr\nContent-Type: text/html;qs=0.5\nContent-Language: fr\n",
		"body.var":          "Content-Type: text/plain\nContent-Language: en\nBody:----en--\nHello\n----en--\n\nContent-Type: text/plain; charset=utf-8\nContent-Language: fr\nBody:----fr--\nBonjour\n----fr--\n",
		"tm/v.var":          "URI: v.txt.en\nContent-Type: text/plain\nContent-Language: en\n\nURI: v.txt.de\nContent-Type: text/plain\nContent-Language: de\n",
		"tm/v.txt.en":       "v en\n",
		"size.var":          "URI: size\n\nURI: size.big.txt\nContent-Type: text/plain\n\nURI: size.small.txt\nContent-Type: text/plain\n\nURI: size.mid.txt\nContent-Type: text/plain\nContent-Length: 100\n",
		"size.big.txt":      "the biggest of the variants\n",
		"size.small.txt":    "small\n",
		"size.mid.txt":      "middle one\n",
		"miss.var":          "URI: size.big.txt\nContent-Type: text/plain\n\nURI: size.none.txt\nContent-Type: text/plain\n",
		"tm/v.txt.de":       "v de\n",
		"x.tmap":            "URI: page.html.en\nContent-Type: text/html\nContent-Language: en\n\nURI: page.html.fr\nContent-Type: text/html\nContent-Language: fr\n",
		"loc/l.html.es":     "l es\n",
		"loc/l.html.en":     "l en\n",
		"gz/g.html.en":      strings.Repeat("<p>english, compressed</p>\n", 30),
		"gz/g.html.fr":      strings.Repeat("<p>français, compressé</p>\n", 30),
	}
	p := startPair(t, 1, negotiationConf, docs)
	h := func(method, path string, fields ...string) string {
		req := method + " " + path + " HTTP/1.1\r\nHost: main.test\r\n"
		for _, f := range fields {
			req += f + "\r\n"
		}
		if method == "POST" {
			req += "Content-Length: 0\r\n"
		}
		return req + "Connection: close\r\n\r\n"
	}
	reqs := []string{
		h("GET", "/page"),
		h("GET", "/page", "Accept-Language: fr"),
		h("GET", "/page", "Accept-Language: de;q=0.5, fr;q=0.4"),
		h("GET", "/page", "Accept-Language: it"),
		h("GET", "/page", "Accept-Language: en-US"),
		h("GET", "/page", "Accept-Language: *;q=0.5, fr;q=0.1"),
		h("GET", "/page", "Accept: text/plain"),
		h("GET", "/page", "Accept: text/html;q=0.5, */*;q=0.1", "Accept-Language: de"),
		h("GET", "/page.html", "Accept-Language: fr"),
		h("GET", "/page", "Accept-Language: fr", "X-Pref: de"),
		h("GET", "/page", "Accept-Language: fr", "X-Pref: it"),
		h("GET", "/enc", "Accept-Encoding: gzip", "X-No-Gzip: 1"),
		h("HEAD", "/page", "Accept-Language: fr"),
		h("POST", "/page", "Accept-Language: fr"),
		h("GET", "/doc"),
		h("GET", "/doc", "Accept: text/plain"),
		h("GET", "/doc", "Accept: text/html"),
		h("GET", "/doc", "Accept: text/*, text/plain;q=0.2"),
		h("GET", "/doc", "Accept: text/html;level=1"),
		h("GET", "/doc", "Accept: image/*"),
		h("GET", "/pt", "Accept-Language: pt"),
		h("GET", "/pt", "Accept-Language: pt-BR, en;q=0.5"),
		h("GET", "/cs", "Accept-Charset: utf-8"),
		h("GET", "/cs", "Accept-Charset: iso-8859-1"),
		h("GET", "/cs", "Accept-Charset: koi8-r"),
		h("GET", "/cs"),
		h("GET", "/enc"),
		h("GET", "/enc", "Accept-Encoding: gzip"),
		h("GET", "/enc", "Accept-Encoding: x-gzip"),
		h("GET", "/enc", "Accept-Encoding: compress;q=0.5, gzip;q=0.4"),
		h("GET", "/enc", "Accept-Encoding: identity;q=0, gzip;q=0, x-compress;q=0"),
		h("GET", "/only", "Accept-Encoding: identity"),
		h("GET", "/only"),
		h("GET", "/enc.txt.gz", "Accept-Encoding: gzip, deflate"),
		h("GET", "/enc.txt.gz"),
		h("GET", "/idx/", "Accept-Language: fr"),
		h("GET", "/idx/", "Accept: image/png"),
		h("GET", "/strict/p", "Accept-Language: it"),
		h("GET", "/strict/p"),
		h("GET", "/sec/s", "Accept-Language: es"),
		h("GET", "/sec/s", "Accept-Language: it, es;q=0.9"),
		h("GET", "/sec/t"),
		h("GET", "/sec/z", "Accept-Encoding: br"),
		h("GET", "/any/a"),
		h("GET", "/foo"),
		h("GET", "/noview/n"),
		h("GET", "/secret", "Accept-Language: fr"),
		h("GET", "/map.var", "Accept-Language: fr"),
		h("GET", "/map.var", "Accept-Language: fr", "Accept: text/html"),
		h("GET", "/body.var", "Accept-Language: fr"),
		h("GET", "/body.var", "Accept-Language: en"),
		h("GET", "/tm/v", "Accept-Language: de"),
		h("GET", "/size.var"),
		h("GET", "/size.var", "Accept: image/png"),
		h("GET", "/miss.var"),
		h("GET", "/missing", "Accept-Language: fr"),
		h("GET", "/x.tmap", "Accept-Language: fr"),
		"GET /page HTTP/1.0\r\nAccept-Language: fr\r\n\r\n",
		"GET /sec/t HTTP/1.0\r\n\r\n",
		"GET /map.var HTTP/1.0\r\nAccept-Language: fr\r\n\r\n",
		h("GET", "/loc/l", "Accept-Language: es"),
		h("GET", "/loc/l", "Accept-Language: en"),
		h("GET", "/gz/g", "Accept-Language: fr", "Accept-Encoding: gzip"),
		h("GET", "/gz/g", "Accept-Language: en"),
	}
	p.compareEach(reqs, (*diffServer).negotiationAnswer)
	p.checkLogs("neg_log")
}

// typeMapAccessConf: type maps by content type (AddType) and by handler
// (AddHandler, the map's extension without a type), found by MultiViews
// with MultiViewsMatch Any, whose variants a <Directory> or <Files> denies
// or which climb out of the map's directory.
const typeMapAccessConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LogFormat "%>s %m %U" tm
CustomLog logs/tm_log tm
AddType application/x-type-map .var
<Directory @DOCS@>
    Require all granted
</Directory>
<Directory @DOCS@/pub>
    Options +MultiViews
    MultiViewsMatch Any
</Directory>
<Directory @DOCS@/adm>
    Require all denied
</Directory>
<Files "*.secret.txt">
    Require all denied
</Files>
<Directory @DOCS@/hd>
    Options +MultiViews
    MultiViewsMatch Any
    RemoveType .var
    AddHandler type-map var
</Directory>
`

// TestNegotiationTypeMapAccess: each type map variant is a subrequest, as
// apache2's: refused by its own <Files> or <Directory>, 400 for a URI with a
// ".." segment, whether MultiViews or the map's handler chose it; a file of
// type application/x-type-map is a type map; the 406 variant list escapes
// as apache2's.
func TestNegotiationTypeMapAccess(t *testing.T) {
	const secretMap = "URI: foo\n\nURI: foo.secret.txt\nContent-Type: text/plain\n"
	docs := map[string]string{
		"pub/foo.var":        secretMap,
		"pub/foo.secret.txt": "the secret\n",
		"pub/bar.var":        "URI: bar\n\nURI: ../adm/x.txt\nContent-Type: text/plain\n",
		"pub/ok.var":         "URI: ok\n\nURI: ok.txt.en\nContent-Type: text/plain\nContent-Language: en\n\nURI: ok.txt.fr\nContent-Type: text/plain\nContent-Language: fr\n",
		"pub/ok.txt.en":      "ok en\n",
		"pub/ok.txt.fr":      "ok fr\n",
		"pub/q.var":          "URI: q\n\nURI: q\"a\"'.txt\nContent-Type: text/plain\n\nURI: q<b>&.txt\nContent-Type: text/html\n",
		"adm/x.txt":          "admin only\n",
		"hd/foo.var":         secretMap,
		"hd/foo.secret.txt":  "the secret\n",
		"hd/up.var":          "URI: ../adm/x.txt\nContent-Type: text/plain\n",
		"pub/dd.var":         "URI: dd\n\nURI: sub/../ok.txt.en\nContent-Type: text/plain\n",
		"top.var":            "URI: ../x.txt\nContent-Type: text/plain\n",
		"x.txt":              "x\n",
		"pub/gone.var":       "URI: gone\n\nURI: gone.txt\nContent-Type: text/plain\n",
	}
	p := startPair(t, 1, typeMapAccessConf, docs)
	h := func(path string, fields ...string) string {
		req := "GET " + path + " HTTP/1.1\r\nHost: main.test\r\n"
		for _, f := range fields {
			req += f + "\r\n"
		}
		return req + "Connection: close\r\n\r\n"
	}
	reqs := []string{
		h("/pub/foo"),
		h("/pub/bar"),
		h("/pub/ok", "Accept-Language: fr"),
		h("/pub/ok.var", "Accept-Language: fr"),
		h("/pub/foo.var"),
		h("/pub/bar.var"),
		h("/pub/q", "Accept: image/png"),
		h("/hd/foo"),
		h("/hd/foo.var"),
		h("/hd/up.var"),
		h("/pub/dd"),
		h("/top.var"),
		h("/pub/gone"),
		h("/pub/gone.var"),
	}
	p.compareEach(reqs, (*diffServer).negotiationAnswer)
	p.checkLogs("tm_log")
}
