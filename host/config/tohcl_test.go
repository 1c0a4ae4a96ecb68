package config

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/rogpeppe/go-internal/txtar"
	"github.com/zclconf/go-cty/cty"
)

// hclwriteReference is what WriteHCL wrote with hclwrite, whose layout
// WriteHCL keeps without linking hclwrite into httpd.
func hclwriteReference(cfg *Config) []byte {
	var write func(body *hclwrite.Body, list []*Directive)
	write = func(body *hclwrite.Body, list []*Directive) {
		groups := map[string][]*Directive{}
		for _, d := range list {
			if !d.IsSection() && !isLoadModule(d) {
				key := strings.ToLower(d.Name)
				groups[key] = append(groups[key], d)
			}
		}
		for _, d := range list {
			switch {
			case d.IsSection():
				write(body.AppendNewBlock(d.Name, d.Args).Body(), d.Children)
			case isLoadModule(d):
				b := body.AppendNewBlock(d.Name, d.Args[:1])
				b.Body().SetAttributeValue("path", cty.StringVal(d.Args[1]))
			default:
				key := strings.ToLower(d.Name)
				if g := groups[key]; g != nil {
					body.SetAttributeValue(d.Name, hclGroupValue(d.Name, g))
					delete(groups, key)
				}
			}
		}
	}
	f := hclwrite.NewEmptyFile()
	write(f.Body(), cfg.Directives)
	return f.Bytes()
}

// checkAsHCLWrite fails unless WriteHCL writes cfg byte for byte as
// hclwrite does.
func checkAsHCLWrite(t *testing.T, cfg *Config) {
	t.Helper()
	var got bytes.Buffer
	if err := WriteHCL(&got, cfg); err != nil {
		t.Fatal(err)
	}
	if want := hclwriteReference(cfg); !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("WriteHCL:\n%s\n--- hclwrite:\n%s", got.Bytes(), want)
	}
}

// TestWriteHCLAsHCLWrite checks WriteHCL's layout and quoting against
// hclwrite's: nesting, aligned attributes, labels, numbers, bools, tuples,
// and strings with quotes, backslashes, template sequences, control
// characters and characters that are not printable.
func TestWriteHCLAsHCLWrite(t *testing.T) {
	src := "LoadModule mpm_event_module \"modules/mod mpm\\\"event\\\\.so\"\n" +
		"Listen 80\nListen [::1]:443 https\nServerName a\nAVeryLongDirectiveName -12 0 007 1.5 On Off on\n" +
		"Header set X \"${A} $${B} %{C} %%{D} $ % {}\"\n" +
		"<VirtualHost \"*:80\" x>\n  ServerName \"b\tc\"\n  <Directory \"/a \\\"b\\\"\">\n    Options\n  </Directory>\n" +
		"  Require all granted\n  <If \"%{X} == 'y'\">\n  </If>\n  Alias /x /y\n</VirtualHost>\n" +
		"<Directory />\n</Directory>\nFoo 1\nFoo 2 3\nFoo\n" +
		"Bar \"\u0085\u00a0\u200b\U000e0001 é q\u0301 \x7f\x01\"\n"
	cfg, errs := parseString(t, src, Options{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	checkAsHCLWrite(t, cfg)
	// hclwrite aligns the "=" by grapheme clusters, one column each, not
	// by bytes, runes or display width.
	for _, c := range []struct{ name, src string }{
		{"two-byte rune", "Ä 1\nLongerName 2\n"},
		{"combining mark", "e\u0301 1\nAb 2\nABC 3\n"},
		{"Hangul jamo", "\u1100\u1161 1\nAb 2\n"},
		{"wide", "日本 1\nAbc 2\nA 3\n"},
		{"sections", "<Sé x>\n  Äb 1\n  C 2\n  <Ü \"é\">\n    Ö 3\n    Abc 4\n  </Ü>\n</Sé>\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, errs := parseString(t, c.src, Options{})
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			checkAsHCLWrite(t, cfg)
		})
	}
	t.Run("hcl", func(t *testing.T) {
		src := "Éé = 1\nAb = 2\nx\u0301y = 3\n"
		cfg, err := parse("/srv/httpd.hcl", []byte(src), Options{ServerRoot: "/srv", LookupEnv: noEnv}, emptyFS{})
		if err != nil {
			t.Fatal(err)
		}
		checkAsHCLWrite(t, cfg)
	})
	forEachArchive(t, "testdata/equiv", func(t *testing.T, path, root string, ar *txtar.Archive, opts Options) {
		cfg, err := Load("httpd.conf", opts)
		if err != nil {
			t.Fatal(err)
		}
		checkAsHCLWrite(t, cfg)
	})
}

// TestWriteHCLUnwritable checks that a directive Apache syntax reads but
// HCL cannot hold, a name that is no HCL identifier or an argument that is
// not UTF-8 or not in NFC form, is an error naming the directive, and that nothing is written
// then.
func TestWriteHCLUnwritable(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"A 1\na.b 2\n", `/srv/httpd.conf:2: "a.b" cannot be written as HCL`},
		{"1x 1\n", `/srv/httpd.conf:1: "1x" cannot be written as HCL`},
		{"-x 1\n", `/srv/httpd.conf:1: "-x" cannot be written as HCL`},
		{"Foo{ 1\n", `/srv/httpd.conf:1: "Foo{" cannot be written as HCL`},
		{"<VirtualHost *:80>\n  <Sec.x a>\n  </Sec.x>\n</VirtualHost>\n", `/srv/httpd.conf:2: "Sec.x" cannot be written as HCL`},
		{"\"a b\" 1\n", `/srv/httpd.conf:1: "a b" cannot be written as HCL`},
		{"👍 1\n", `/srv/httpd.conf:1: "👍" cannot be written as HCL`},
		{"\xe800 1\n", `/srv/httpd.conf:1: "\xe800" cannot be written as HCL`},
		{"A \"a\xffb\"\n", `/srv/httpd.conf:1: A argument "a\xffb" cannot be written as HCL`},
		{"<Directory /\xe9>\n</Directory>\n", `/srv/httpd.conf:1: Directory argument "/\xe9" cannot be written as HCL`},
		// Not NFC: HCL would read "A" + U+030F back as U+0200.
		{"A A\\A\u030f\n", `/srv/httpd.conf:1: A argument "A\\A\u030f" cannot be written as HCL: HCL reads every string in Unicode NFC form ("A\\\u0200" here)`},
		{"<Directory /caf\u0065\u0301>\n</Directory>\n", `/srv/httpd.conf:1: Directory argument "/cafe\u0301" cannot be written as HCL`},
		// One attribute per name: the second rule's condition would go to the first.
		{"RewriteRule ^/a /b\nRewriteCond %{HTTP_HOST} x\nRewriteRule ^/c /d\n", `/srv/httpd.conf:2: RewriteCond after a RewriteRule cannot be written as HCL`},
	} {
		cfg, errs := parseString(t, c.src, Options{})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		var b bytes.Buffer
		err := WriteHCL(&b, cfg)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("WriteHCL of %q: error %v, want %s...", c.src, err, c.want)
		}
		if b.Len() > 0 {
			t.Errorf("WriteHCL of %q wrote %q", c.src, b.Bytes())
		}
	}
}
