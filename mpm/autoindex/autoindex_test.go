package autoindex

import (
	"strings"
	"testing"
	"time"
)

func TestSize(t *testing.T) {
	// apr_strfsize's forms, checked against apache2's listings.
	cases := map[int64]string{
		-1: "  - ", 0: "  0 ", 2: "  2 ", 972: "972 ", 973: "1.0K", 1023: "1.0K", 2047: "2.0K",
		9*1024 + 972: "9.9K", 9*1024 + 973: " 10K", 10 * 1024: " 10K", 972 * 1024: "972K",
		5000000: "4.8M", 5 << 20: "5.0M", 9<<20 + 1000<<10: " 10M", 12 << 30: " 12G",
	}
	for n, want := range cases {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestNatCompare(t *testing.T) {
	ordered := []string{"file01.bin", "file1.bin", "file2.bin", "file10.bin", "file10a.bin", "fileb"}
	for i := 0; i+1 < len(ordered); i++ {
		if natCompare(ordered[i], ordered[i+1], false) >= 0 {
			t.Errorf("%q not before %q", ordered[i], ordered[i+1])
		}
	}
	if natCompare("ABC", "abc", true) != 0 || natCompare("ABC", "abc", false) >= 0 {
		t.Error("case folding")
	}
	// C's signed char: a byte above 0x7f sorts before ASCII.
	if natCompare("\xc3\xa9", "a", false) >= 0 {
		t.Error("bytes above 0x7f compare as signed")
	}
	if natCompare(" x", "x", false) != 0 {
		t.Error("leading blanks are skipped")
	}
}

func TestMatch(t *testing.T) {
	wild := []struct {
		s, p string
		fold bool
		want bool
	}{
		{"/d/x.txt", "*.txt", false, true},
		{"/d/x.TXT", "*.txt", false, false},
		{"text/plain", "TEXT/*", true, true},
		{"abc", "a?c", false, true},
		{"ac", "a?c", false, false},
		{"^^DIRECTORY^^", "*^^DIRECTORY^^", false, true},
	}
	for _, c := range wild {
		if got := wildMatch(c.s, c.p, c.fold); got != c.want {
			t.Errorf("wildMatch(%q, %q) = %v", c.s, c.p, got)
		}
	}
	fn := []struct {
		p, s   string
		period bool
		want   bool
	}{
		{"*.txt", "a.txt", true, true},
		{"*", ".hidden", true, false},
		{".*", ".hidden", true, true},
		{"*", ".hidden", false, true},
		{"[ab]*", "b1", true, true},
		{"[!ab]*", "b1", true, false},
		{"[a-c]x", "bx", true, true},
		{"*/sub*", "/d/sub", false, true},
		{"[x", "[x", true, true},
		{"*[0-9]?[!a]", "ab12cd", true, true},
		{"a*b*c", "aXbXbXc", true, true},
		{"a*b*c", "aXbXbXd", true, false},
		// CVE-2011-0419: this took a backtracking matcher minutes.
		{"*?*?*?*?*?*?*?*?*?*?*?*?*[X]", strings.Repeat("a", 45), true, false},
	}
	for _, c := range fn {
		if got := fnmatch(c.p, c.s, true, c.period); got != c.want {
			t.Errorf("fnmatch(%q, %q) = %v", c.p, c.s, got)
		}
	}
}

func TestTerminateDescription(t *testing.T) {
	cases := []struct {
		desc  string
		width int
		want  string
	}{
		{"short", 23, "short"},
		{"A <b>bold</b> description &amp; more", 14, "A <b>bold</b> descri>"},
		{"caf&eacute; au lait", 6, "caf&eacute; >"},
	}
	for _, c := range cases {
		if got := terminateDescription(c.desc, 0, c.width, noAdjust); got != c.want {
			t.Errorf("terminateDescription(%q, %d) = %q, want %q", c.desc, c.width, got, c.want)
		}
	}
}

func set(t *testing.T, path string, lines ...string) *Config {
	t.Helper()
	c := &Config{Path: path}
	for _, l := range lines {
		f := strings.Fields(l)
		if err := c.Set(f[0], f[1:]); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	return c
}

func TestMerge(t *testing.T) {
	top := set(t, "", "IndexOptions FancyIndexing HTMLTable +FoldersFirst", "IndexIgnore *.log", "HeaderName H.html")
	// Incremental options inherit; a plain word replaces what is inherited.
	inc := Merge(Merge(nil, top), set(t, "/d/", "IndexOptions -HTMLTable +IgnoreCase", "IndexIgnoreReset On", "IndexIgnore *.tmp"))
	if inc.opts&(fancyIndexing|tableIndexing|ignoreCase|foldersFirst) != fancyIndexing|ignoreCase|foldersFirst {
		t.Errorf("incremental merge: opts %b", inc.opts)
	}
	if inc.Listing("").HeaderName() != "H.html" {
		t.Errorf("HeaderName not inherited")
	}
	if !inc.ignored("/d/x.tmp") || inc.ignored("/d/x.log") || inc.ignored("/e/x.tmp") {
		t.Errorf("IndexIgnoreReset: the reset list applies below /d/ only")
	}
	abs := Merge(Merge(nil, top), set(t, "/d/", "IndexOptions SuppressSize"))
	if abs.opts&fancyIndexing != 0 || abs.opts&suppressSize == 0 {
		t.Errorf("absolute IndexOptions: opts %b", abs.opts)
	}
	if Merge(top, &Config{}) != top {
		t.Errorf("a level without directives changes nothing")
	}
	// A first level with only "+" options has them (over the defaults).
	only := Merge(nil, set(t, "/d/", "IndexOptions +ShowForbidden +FancyIndexing", "IndexIgnore *.log"))
	if l := only.Listing(""); !l.ShowForbidden() || l.opts&fancyIndexing == 0 {
		t.Errorf("incremental options of a first level: opts %b", only.opts)
	}
	if !only.ignored("/d/x.log") {
		t.Errorf("IndexIgnore of a first level lost in the merge")
	}
	// A plain word drops the +/- words before it on the same line.
	if c := set(t, "", "IndexOptions +XHTML IconWidth"); c.incOpts != 0 {
		t.Errorf("+XHTML kept before IconWidth")
	}
}

func TestListingQuery(t *testing.T) {
	c := set(t, "", "IndexOptions FancyIndexing")
	l := c.Listing("C=S;O=D&F=2;V=1;P=%2a.txt;X=1;C=M")
	if l.key != 'S' || l.dir != 'D' || l.opts&tableIndexing == 0 || l.opts&versionSort == 0 || l.pattern != "*.txt" {
		t.Errorf("query: key %c dir %c opts %b pattern %q", l.key, l.dir, l.opts, l.pattern)
	}
	if l.colargs != ";F=2;V=1;P=*.txt" {
		t.Errorf("colargs %q", l.colargs)
	}
	if !l.Skip("/d/", "a.bin") || l.Skip("/d/", "a.txt") || !l.Skip("/d/", "..") {
		t.Error("P= pattern")
	}
	ic := set(t, "", "IndexOptions IgnoreClient FancyIndexing").Listing("C=S")
	if ic.key != 'N' || ic.opts&suppressColSort == 0 {
		t.Error("IgnoreClient")
	}
}

func TestRenderPlain(t *testing.T) {
	var c *Config
	l := c.Listing("")
	p := &Page{URI: "/a/", Dir: "/srv/a/", Entries: []Entry{
		{Name: "b", ModTime: time.Unix(0, 0)}, {Name: "A dir", Dir: true}, {Name: "we&<", Size: 3},
	}}
	want := `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">
<html>
 <head>
  <title>Index of /a</title>
 </head>
 <body>
<h1>Index of /a</h1>
<ul><li><a href="/"> Parent Directory</a></li>
<li><a href="A%20dir/"> A dir/</a></li>
<li><a href="b"> b</a></li>
<li><a href="we&amp;%3c"> we&amp;&lt;</a></li>
</ul>
</body></html>
`
	if got := string(l.Render(p)); got != want {
		t.Errorf("plain listing:\n%s\nwant:\n%s", got, want)
	}
	if l.ContentType() != "text/html;charset=ISO-8859-1" {
		t.Errorf("type %q", l.ContentType())
	}
}

// TestSetErrors: the messages apache2 -t gives for the same lines.
func TestSetErrors(t *testing.T) {
	cases := map[string]string{
		"IndexOptions Bogus":              "Invalid directory indexing option",
		"IndexOptions +None":              "Cannot combine '+' or '-' with 'None' keyword",
		"IndexOptions None FancyIndexing": "Cannot combine other IndexOptions keywords with 'None'",
		"IndexOptions NameWidth=3":        "NameWidth value must be greater than 5",
		"IndexOptions NameWidth":          "NameWidth with no value may only appear as '-NameWidth'",
		"IndexOptions -NameWidth=4":       "Cannot combine '-' with NameWidth=n",
		"IndexOptions DescriptionWidth=5": "DescriptionWidth value must be greater than 12",
		"IndexOptions -IconWidth=5":       "Cannot combine '-' with IconWidth=n",
		"IndexOrderDefault Up Name":       "First keyword must be 'Ascending' or 'Descending'",
		"IndexOrderDefault Ascending Age": "Second keyword must be 'Name', 'Date', 'Size', or 'Description'",
		"IndexIgnoreReset maybe":          "IndexIgnoreReset must be On or Off",
		"AddIcon (x,y foo":                "missing closing paren",
		"FancyIndexing on":                "The FancyIndexing directive is no longer supported. Use IndexOptions FancyIndexing.",
	}
	for line, want := range cases {
		f := strings.Fields(line)
		var c Config
		if err := c.Set(f[0], f[1:]); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", line, err, want)
		}
	}
	for _, line := range []string{"IndexOptions -NameWidth -DescriptionWidth NameWidth=* IconWidth=16", "AddIcon (TXT,/t.gif) .txt"} {
		f := strings.Fields(line)
		var c Config
		if err := c.Set(f[0], f[1:]); err != nil {
			t.Errorf("%s: %v", line, err)
		}
	}
}

func TestFindTitle(t *testing.T) {
	cases := []struct {
		head, want string
		ok         bool
	}{
		{"<html><TITLE>\r\nMy\nTitle</TITLE>", "My Title", true},
		{"<<title>missed</title>", "", false},
		{"<title></title>", "", true},
		{"<title>open", "open", true},
		{"none", "", false},
		{"<title>a\x00b</title>", "a", true},
	}
	for _, c := range cases {
		if got, ok := FindTitle([]byte(c.head)); got != c.want || ok != c.ok {
			t.Errorf("FindTitle(%q) = %q, %v; want %q, %v", c.head, got, ok, c.want, c.ok)
		}
	}
}
