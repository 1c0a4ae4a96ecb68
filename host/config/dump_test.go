package config

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestDumpNormalises(t *testing.T) {
	src := `ServerRoot /
LoadModule b_module /mods/b.so
LoadModule a_module mods/a.so
LoadModule b_module mods/again.so
keepalive on
HostnameLookups OFF
Listen *:80
Listen 443 https
Listen 127.0.0.1:8080 HTTP
Listen [::1]:81 ftp
ErrorLog "|/usr/bin/logger"
CustomLog logs/access "%h %l" env=x
PidFile run/httpd.pid
Unknown b "with space" 'it"s' ""
Another x
<Directory "/a\\b">
    Require all denied
</Directory>
`
	cfg, errs := parseHCLString(t, "/srv/httpd.conf", src, Options{}, memFS{fstest.MapFS{}})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var b strings.Builder
	Dump(&b, cfg)
	want := `ServerRoot /
LoadModule b_module /mods/b.so
LoadModule a_module /mods/a.so
Listen 80
Listen 443
Listen 127.0.0.1:8080
Listen [::1]:81 ftp
PidFile /run/httpd.pid
ErrorLog |/usr/bin/logger
CustomLog /logs/access "%h %l" env=x
KeepAlive On
HostnameLookups Off
Another x
Unknown b "with space" it"s ""
<Directory /a\b>
    Require all denied
</Directory>
`
	equal(t, "dump", b.String(), want)
}

func TestQuoteArg(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"", `""`},
		{"a b", `"a b"`},
		{`\.php$`, `\.php$`},
		{`a\\b`, `"a\\\b"`},
		{`end\`, `"end\\"`},
		{`say "hi"`, `"say \"hi\""`},
		{"#x", `"#x"`},
		{"'x", `"'x"`},
		{"tab\there", "\"tab\there\""},
	}
	for _, tt := range tests {
		got := quoteArg(tt.in)
		if got != tt.want {
			t.Errorf("quoteArg(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if w, rest := nextWord(got); w != tt.in || rest != "" {
			t.Errorf("quoteArg(%q) = %s reads back as %q, rest %q", tt.in, got, w, rest)
		}
	}
}

// FuzzQuoteArg checks that every argument reads back as it was.
func FuzzQuoteArg(f *testing.F) {
	for _, s := range []string{"a", "", `\"`, `a\`, `"a b"`, "x\ty", `\\\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsAny(s, "\n\r") {
			return // one line only
		}
		q := quoteArg(s)
		if w, rest := nextWord(q); w != s || rest != "" {
			t.Errorf("quoteArg(%q) = %s reads back as %q, rest %q", s, q, w, rest)
		}
	})
}

func TestWriteHCL(t *testing.T) {
	src := `LoadModule mpm_event_module modules/mod_mpm_event.so
Listen 80
ServerName a
Listen 443 https
AddType text/plain .txt
AddType text/html .html
DirectoryIndex index.html
DirectoryIndex
Foo 1
Foo 2
KeepAlive On
Timeout 007
ErrorLog "${NOT_EXPANDED}"
<Directory /srv>
    Options
</Directory>
<If "%{X} == 1">
</If>
`
	cfg, errs := parseString(t, src, Options{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var b strings.Builder
	if err := WriteHCL(&b, cfg); err != nil {
		t.Fatal(err)
	}
	want := `LoadModule "mpm_event_module" {
  path = "modules/mod_mpm_event.so"
}
Listen         = [80, [443, "https"]]
ServerName     = "a"
AddType        = [["text/plain", ".txt"], ["text/html", ".html"]]
DirectoryIndex = [["index.html"], []]
Foo            = [[1], [2]]
KeepAlive      = true
Timeout        = "007"
ErrorLog       = "$${NOT_EXPANDED}"
Directory "/srv" {
  Options = []
}
If "%%{X} == 1" {
}
`
	equal(t, "hcl", b.String(), want)
	back, errs := parseHCLString(t, "/srv/httpd.hcl", b.String(), Options{}, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var got, orig strings.Builder
	Dump(&got, back)
	Dump(&orig, cfg)
	equal(t, "read back", got.String(), orig.String())
}
