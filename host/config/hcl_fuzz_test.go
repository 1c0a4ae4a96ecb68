package config

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"
)

// FuzzParseHCL feeds arbitrary text to the HCL front-end, as native syntax
// and as JSON, then to Validate, Resolve, Dump, WriteHCL and
// WriteDiagnostics. None may panic. WriteHCL must write what hclwrite
// would, and that must read back without error and dump the same, but for
// the spelling of directive names (one attribute holds every spelling of
// a name, written as the first).
func FuzzParseHCL(f *testing.F) {
	seeds := []string{
		"LoadModule \"mpm_event_module\" { path = \"modules/mod_mpm_event.so\" }\nIfModule \"mpm_event_module\" {\n  StartServers = 2\n}\n",
		"Listen = [\"127.0.0.1:80\", [\"[::1]:443\", \"https\"]]\nKeepAlive = true\nTimeout = 2.5\n",
		"Define = [\"X\", \"a b\"]\nIfDefine \"!X\" {\n  A = 1\n}\nB = \"${X} ${Y} $${Z}\"\n",
		"VirtualHost \"*:80\" {\n  Directory \"/a b\" {\n    Options = [\"+Indexes\"]\n  }\n}\nElse {\n}\n",
		"Include = \"conf.d/*.conf\"\nIncludeOptional = \"missing/*/x.hcl\"\nInclude = \"self.hcl\"\n",
		"A = { b = 1 }\nC = null\nD = [[[1]]]\nE = upper(\"x\")\nF = 1 +\n",
		"IfModule {\n}\nLoadModule {\n}\nLoadModule \"a\" \"b\" {\n  path = 1\n  x = 2\n}\n",
		`{"LoadModule": {"m": {"path": "p"}}, "Directory": {"/": {"Options": []}}, "VirtualHost": {"a b": {}}}`,
		`{"Listen": [80, ["443", "https"]], "IfModule": {"!x": {"If": {"true": {}}, "Else": {}}}}`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	fsys := memFS{fstest.MapFS{
		"srv/conf.d/a.conf": {Data: []byte("A\n<Directory />\n</Directory>\n")},
		"srv/self.hcl":      {Data: []byte("Include = \"self.hcl\"\n")},
	}}
	f.Fuzz(func(t *testing.T, src string) {
		opts := Options{ServerRoot: "/srv", Defines: []string{"D"}, Builtin: []string{"so_module"}, LookupEnv: noEnv}
		for _, name := range []string{"/srv/httpd.hcl", "/srv/httpd.json"} {
			cfg, err := parse(name, []byte(src), opts, fsys)
			if cfg == nil {
				t.Fatalf("nil config (err %v)", err)
			}
			var b bytes.Buffer
			if errs, ok := err.(Errors); ok {
				WriteDiagnostics(&b, errs)
			} else if err != nil {
				t.Fatalf("error of type %T", err)
			}
			WriteDiagnostics(&b, Validate(cfg, Core))
			_, rerrs := Resolve(cfg)
			WriteDiagnostics(&b, rerrs)
			Dump(&b, cfg)
			if err != nil {
				continue
			}
			checkWriteHCL(t, cfg, opts, emptyFS{})
		}
	})
}

// checkWriteHCL fails unless WriteHCL writes cfg as hclwrite would, and
// that reads back without error and dumps the same, but for the spelling
// of directive names (one attribute holds every spelling of a name,
// written as the first), unless checkHCL finds what HCL cannot hold.
func checkWriteHCL(t *testing.T, cfg *Config, opts Options, fsys fileSystem) {
	t.Helper()
	var h, d1, d2 bytes.Buffer
	if err := WriteHCL(&h, cfg); err != nil {
		if checkHCL(cfg.Directives) == nil {
			t.Fatal(err)
		}
		return
	}
	if want := hclwriteReference(cfg); !bytes.Equal(h.Bytes(), want) {
		t.Fatalf("WriteHCL:\n%s\n--- hclwrite:\n%s", h.Bytes(), want)
	}
	back, err := parse("/srv/converted.hcl", h.Bytes(), opts, fsys)
	if err != nil {
		t.Fatalf("converted HCL does not read back: %v\n%s", err, h.Bytes())
	}
	foldNames(cfg.Directives)
	foldNames(back.Directives)
	Dump(&d1, cfg)
	Dump(&d2, back)
	if !bytes.Equal(d1.Bytes(), d2.Bytes()) {
		t.Fatalf("converted HCL dumps differently:\n%s\n--- dumps:\n%s\n---\n%s", h.Bytes(), d1.Bytes(), d2.Bytes())
	}
}

// foldNames lower-cases the names of the directives in list and below,
// sections excepted: directive names are case-insensitive, and WriteHCL
// spells a name as its first occurrence in the body.
func foldNames(list []*Directive) {
	for _, d := range list {
		if d.IsSection() {
			foldNames(d.Children)
		} else {
			d.Name = strings.ToLower(d.Name)
		}
	}
}
