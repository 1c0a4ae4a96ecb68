package e2e_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// autoindexConf: Debian's stock autoindex.conf (HTMLTable, VersionSort,
// NameWidth=*, the icons, HEADER.html and README.html, IndexIgnore) at the
// top level, then directories that change it: the <pre> form with
// descriptions cut to a width, the plain list, a style sheet with XHTML,
// alt classes and icon sizes, a reset IndexIgnore, a default order, and
// ShowForbidden, and ScanHTMLTitles (a title ending in an unterminated
// entity is left out: apache2's terminate_description then reads past the
// string, and what it writes depends on memory). IndexOptions words without + or - drop the +/- words
// before them (as in apache2), so those come last.
const autoindexConf = `ServerName localhost
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
ServerSignature On
Include /etc/apache2/mods-available/autoindex.conf
IndexOptions +FoldersFirst +IgnoreCase
<Directory @DOCS@>
    Require all granted
    Options Indexes
</Directory>
<Directory @DOCS@/pre>
    IndexOptions NameWidth=12 DescriptionWidth=14 -HTMLTable +FoldersFirst +IgnoreCase
    AddDescription "A <b>bold</b> description &amp; more" *.txt
    AddDescription "the sub dir" sub
    AddAlt "Text file" *.txt
    ReadmeName README.txt
</Directory>
<Directory @DOCS@/plain>
    IndexOptions None
    HeaderName HEADER.txt
</Directory>
<Directory @DOCS@/styled>
    IndexOptions IconWidth IconHeight=16 Type=text/plain Charset= +XHTML +AddAltClass +IconsAreLinks +TrackModified +SuppressHTMLPreamble +SuppressDescription
    IndexStyleSheet /style.css
    IndexHeadInsert "<meta name=\"x\" content=\"y\">"
    DefaultIcon /icons/unknown.gif
</Directory>
<Directory @DOCS@/reset>
    IndexIgnoreReset On
    IndexIgnore *.log
    IndexOrderDefault Descending Size
    IndexOptions +SuppressColumnSorting +SuppressRules +SuppressLastModified
</Directory>
<Directory @DOCS@/reset/deny>
    Require all denied
</Directory>
<Files "secret.txt">
    Require all denied
</Files>
<Directory @DOCS@/titles>
    IndexOptions +ScanHTMLTitles
    AddDescription "described" t4.html
</Directory>
<Directory @DOCS@/noidx>
    Options -Indexes
</Directory>
<Directory @DOCS@/shown>
    IndexOptions +ShowForbidden +IgnoreClient
</Directory>
`

// TestAutoindex: listings as apache2 2.4.71 writes them, byte for byte, for
// Debian's settings and the forms and options around them, with the sort,
// format, version and pattern query arguments.
func TestAutoindex(t *testing.T) {
	docs := map[string]string{
		"HEADER.html":                   "<p>header</p>\n",
		"README.html":                   "<p>readme</p>\n",
		"a.txt":                         "a\n",
		"semi;colon.txt":                "; stays in a link\n",
		"file1.bin":                     "1\n",
		"file10.bin":                    "10\n",
		"file2.bin":                     "22\n",
		"file01.bin":                    "333\n",
		"image.png":                     "png\n",
		"we ird&<.txt":                  "w\n",
		"a:b.txt":                       "colon\n",
		".hidden":                       "h\n",
		"backup~":                       "b\n",
		"RCS/x":                         "x\n",
		"sub/inner.txt":                 "inner\n",
		"pre/a.txt":                     "a\n",
		"pre/B.txt":                     "bb\n",
		"pre/a-very-long-file-name.txt": "long\n",
		"pre/sub/x":                     "x\n",
		"pre/README.txt":                "read <me> & more\n",
		"plain/HEADER.txt":              "plain <header>\n",
		"plain/one.html":                "1\n",
		"plain/two/x":                   "x\n",
		"styled/doc.html":               "d\n",
		"styled/HEADER.html":            "<html><head><title>own</title></head><body>\n",
		"styled/pic.png":                "p\n",
		"styled/dir/x":                  "x\n",
		"reset/.hidden":                 "h\n",
		"reset/backup~":                 "b\n",
		"reset/debug.log":               "log\n",
		"reset/small":                   "s\n",
		"reset/large":                   "large file\n",
		"reset/deny/x":                  "x\n",
		"reset/adir/x":                  "x\n",
		"reset/Zfile":                   "z\n",
		"titles/t1.html":                "<html><head><TITLE>\r\nMy\nTitle &amp; <b>more</b></TITLE>\n",
		"titles/t2.html":                "<<title>missed</title>",
		"titles/t3.html":                "no title\n",
		"titles/t4.html":                "<title>not this</title>",
		"titles/t5.txt":                 "<title>text</title>",
		"titles/t6.htm":                 "<head><title></title>",
		"noidx/x":                       "x\n",
		"shown/secret.txt":              "s\n",
		"shown/open.txt":                "o\n",
	}
	p := startPair(t, 1, autoindexConf, docs)
	// Sizes apr_strfsize writes in each of its forms.
	for name, size := range map[string]int64{"k973": 973, "k1023": 1023, "k2047": 2047, "m5": 5 << 20, "m9": 9<<20 + 1000<<10, "g12": 12 << 30} {
		f, err := os.Create(filepath.Join(p.apache.docs, "sizes", name))
		if os.IsNotExist(err) {
			must(t, os.MkdirAll(filepath.Join(p.apache.docs, "sizes"), 0o755))
			f, err = os.Create(filepath.Join(p.apache.docs, "sizes", name))
		}
		must(t, err)
		must(t, f.Truncate(size))
		must(t, f.Close())
	}
	reqs := []diffRequest{
		{Raw: get("/", "localhost"), Want: `<tr><td valign="top"><img src="/icons/binary.gif" alt="[   ]"></td><td><a href="file1.bin">file1.bin</a>`},
		{Raw: get("/?C=N;O=D", "localhost")},
		{Raw: get("/?C=S;O=A", "localhost")},
		{Raw: get("/?C=M;O=D;F=1", "localhost"), Want: "<pre>"},
		{Raw: get("/?F=0", "localhost"), Want: "<ul>"},
		{Raw: get("/?V=0", "localhost")},
		{Raw: get("/?C=D&O=A&V=1&F=2", "localhost")},
		{Raw: get("/?P=file*", "localhost")},
		{Raw: get("/?P=*.txt;F=1", "localhost")},
		{Raw: get("/?P=%2A.bin&C=S&O=D", "localhost")},
		{Raw: get("/?X=1;C=S", "localhost")},
		{Raw: get("/?P=a%2F*;C=S", "localhost")},
		{Raw: get("/?P=%zz&C=Q&O=D", "localhost")},
		{Raw: get("/?P=a*", "localhost"), Want: `<a href="./a:b.txt">a:b.txt</a>`},
		{Raw: get("/sub/", "localhost"), Want: `alt="[PARENTDIR]"`},
		{Raw: get("/sizes/?C=S", "localhost"), Want: " 12G"},
		{Raw: get("/sizes/?F=1", "localhost")},
		{Raw: get("/pre/", "localhost"), Want: "read &lt;me&gt;"},
		{Raw: get("/pre/?C=D;O=D", "localhost")},
		{Raw: get("/pre/?F=2", "localhost")},
		{Raw: get("/plain/", "localhost"), Want: "plain &lt;header&gt;"},
		{Raw: get("/plain/?F=1", "localhost")},
		{Raw: get("/styled/", "localhost"), Want: "<title>own</title></head><body>\n  <table id=\"indexlist\">"},
		{Raw: get("/styled/?F=1", "localhost")},
		{Raw: "HEAD /styled/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"},
		{Raw: get("/reset/", "localhost"), Want: ".hidden"},
		{Raw: get("/reset/?C=N", "localhost")},
		{Raw: get("/titles/", "localhost"), Want: "<td>My Title &amp; </td>"},
		{Raw: get("/titles/?F=1", "localhost")},
		// mod_autoindex takes GET only: a POST is the default handler's 404.
		{Raw: "POST /sub/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", Want: "Not Found"},
		{Raw: "POST /noidx/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"},
		{Raw: get("/noidx/", "localhost")},
		{Raw: get("/shown/", "localhost"), Want: "secret.txt"},
		{Raw: get("/shown/?C=N;O=D;F=0", "localhost")},
	}
	p.check(reqs)
}

// autoindexAccessConf: entries and included files refused to the client by
// their own settings, which apache2 checks with a subrequest for each
// entry's URL: <Location> sections for an entry, a Require ip for the
// readme, a title of a refused file under ShowForbidden.
const autoindexAccessConf = `ServerName localhost
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
    Require all granted
    Options Indexes
</Directory>
<Location /d/locdir>
    Require all denied
</Location>
<Location /d/pub.txt>
    Require all denied
</Location>
<Directory @DOCS@/inc>
    HeaderName HEADER.html
    ReadmeName README.html
    <Files README.html>
        Require ip 10.9.9.9
    </Files>
</Directory>
<Location /loc/HEADER.html>
    Require all denied
</Location>
<Directory @DOCS@/loc>
    HeaderName HEADER.html
</Directory>
<Directory @DOCS@/titles>
    IndexOptions FancyIndexing ScanHTMLTitles ShowForbidden
    <Files secret.html>
        Require ip 10.9.9.9
    </Files>
</Directory>
`

// TestAutoindexAccess: a listing leaves out the entries and the header and
// readme files the client may not get, as apache2 2.4.71 does, and both log
// the same refusals.
func TestAutoindexAccess(t *testing.T) {
	docs := map[string]string{
		"d/locdir/x":         "x\n",
		"d/pub.txt":          "pub\n",
		"d/open.txt":         "open\n",
		"inc/HEADER.html":    "<p>header</p>\n",
		"inc/README.html":    "<p>secret readme</p>\n",
		"inc/a.txt":          "a\n",
		"loc/HEADER.html":    "<p>secret header</p>\n",
		"loc/a.txt":          "a\n",
		"titles/open.html":   "<title>open title</title>",
		"titles/secret.html": "<title>secret title</title>",
	}
	p := startPair(t, 1, autoindexAccessConf, docs)
	p.check([]diffRequest{
		{Raw: get("/d/", "localhost"), Want: "open.txt"},
		{Raw: get("/d/pub.txt", "localhost")},
		{Raw: get("/inc/", "localhost"), Want: "<p>header</p>"},
		{Raw: get("/inc/README.html", "localhost")},
		{Raw: get("/loc/", "localhost"), Want: "a.txt"},
		{Raw: get("/titles/", "localhost"), Want: "open title"},
	})
	// What the comparison stands on: apache2 shows none of them (asked of
	// both, for the same log lines).
	for _, path := range []string{"/d/", "/inc/", "/loc/", "/titles/"} {
		for _, s := range []*diffServer{p.apache, p.ours} {
			body := s.askFrom(t, "", "127.0.0.1", 0, get(path, "localhost")).bodies()
			for _, secret := range []string{"locdir", "pub.txt", "secret readme", "secret header", "secret title"} {
				if strings.Contains(body, secret) {
					t.Errorf("%s's %s shows %q", s.name, path, secret)
				}
			}
		}
	}
	p.checkAccessLines()
}
