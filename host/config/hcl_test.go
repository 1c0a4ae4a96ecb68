package config

import (
	"strings"
	"testing"
	"testing/fstest"
)

// parseHCL parses src as /srv/httpd.hcl (or the name given) with a
// ServerRoot of /srv, reading includes from fsys.
func parseHCLString(t *testing.T, name, src string, opts Options, fsys fileSystem) (*Config, Errors) {
	t.Helper()
	if opts.ServerRoot == "" {
		opts.ServerRoot = "/srv"
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = noEnv
	}
	if fsys == nil {
		fsys = emptyFS{}
	}
	cfg, err := parse(name, []byte(src), opts, fsys)
	if cfg == nil {
		t.Fatalf("parse returned nil config (err %v)", err)
	}
	return cfg, asErrors(t, err)
}

func TestHCLMapping(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"string", `ServerName = "www.example.com"`, "ServerName[www.example.com]"},
		{"number", "StartServers = 2\nFactor = 2.5", "StartServers[2]; Factor[2.5]"},
		{"bool", "KeepAlive = true\nHostnameLookups = false", "KeepAlive[On]; HostnameLookups[Off]"},
		{"list repeats Listen", `Listen = ["127.0.0.1:80", "[::1]:80"]`, "Listen[127.0.0.1:80]; Listen[[::1]:80]"},
		{"list repeats a one-argument directive", `ServerName = ["a", "b"]`, "ServerName[a]; ServerName[b]"},
		{"list is the arguments otherwise", `DirectoryIndex = ["index.html", "index.htm"]`, "DirectoryIndex[index.html|index.htm]"},
		{"AddType", `AddType = ["text/plain", ".txt", ".text"]`, "AddType[text/plain|.txt|.text]"},
		{"unknown directive takes the list as arguments", `Foo = ["a", 1, true]`, "Foo[a|1|On]"},
		{"empty list is no argument", `Options = []`, "Options"},
		{"list of lists repeats", `AddType = [["text/plain", ".txt"], ["text/html", ".html"]]`, "AddType[text/plain|.txt]; AddType[text/html|.html]"},
		{"mixed list", `Listen = ["80", ["443", "https"]]`, "Listen[80]; Listen[443|https]"},
		{"order as written", "Timeout = 1\nDirectory \"/x\" {\n}\nListen = 80\n", "Timeout[1]; Directory[/x]{}; Listen[80]"},
		{"section labels are arguments", "VirtualHost \"*:80\" \"[::]:80\" {\n  ServerName = \"a\"\n}",
			"VirtualHost[*:80|[::]:80]{ServerName[a]}"},
		{"section without label", "If \"true\" {\n}\nElse {\n}", "If[true]{}; Else{}"},
		{"nested sections", "Directory \"/\" {\n  Files \"x\" {\n    Require = [\"all\", \"denied\"]\n  }\n}",
			"Directory[/]{Files[x]{Require[all|denied]}}"},
		{"true IfModule is flattened", "IfModule \"so_module\" {\n  Timeout = 5\n}\nListen = 80", "Timeout[5]; Listen[80]"},
		{"false IfModule is skipped", "IfModule \"foo_module\" {\n  Timeout = 5\n}", ""},
		{"negated IfModule", "IfModule \"!foo_module\" {\n  Timeout = 5\n}", "Timeout[5]"},
		{"IfDefine from -D", "IfDefine \"D\" {\n  Timeout = 5\n}\nIfDefine \"!D\" {\n  Timeout = 6\n}", "Timeout[5]"},
		{"IfModule of a loaded module", "LoadModule \"x_module\" { path = \"x.so\" }\nIfModule \"mod_x.c\" {\n  Timeout = 5\n}",
			"LoadModule[x_module|x.so]; Timeout[5]"},
		{"false branch is not evaluated", "IfModule \"foo_module\" {\n  Timeout = nope()\n}", ""},
		{"Define and variables", "Define = [\"PORT\", \"8080\"]\nListen = \"127.0.0.1:${PORT}\"", "Listen[127.0.0.1:8080]"},
		{"Define takes effect where it stands", "IfDefine \"X\" {\n  A = 1\n}\nDefine = \"X\"\nIfDefine \"X\" {\n  B = 2\n}", "B[2]"},
		{"UnDefine", "Define = \"X\"\nUnDefine = \"X\"\nIfDefine \"X\" {\n  A = 1\n}", ""},
		{"escaped template", `ErrorLog = "$${X}"`, "ErrorLog[${X}]"},
		{"undefined variable stays", `ErrorLog = "${NOPE}/x"`, "ErrorLog[${NOPE}/x]"},
		{"case of names is kept", `listen = 80`, "listen[80]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, errs := parseHCLString(t, "/srv/httpd.hcl", tt.src, Options{Defines: []string{"D"}, Builtin: []string{"so_module"}}, nil)
			if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			equal(t, "directives", dump(cfg.Directives), tt.want)
		})
	}
}

func TestHCLJSONMapping(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"attributes", `{"ServerName": "a", "StartServers": 2, "KeepAlive": false, "Listen": ["80", "81"]}`,
			"ServerName[a]; StartServers[2]; KeepAlive[Off]; Listen[80]; Listen[81]"},
		{"LoadModule", `{"LoadModule": {"mpm_event_module": {"path": "modules/mod_mpm_event.so"}}}`,
			"LoadModule[mpm_event_module|modules/mod_mpm_event.so]"},
		{"sections in order", `{"Directory": {"/a": {"Options": "None"}, "/b": {}}, "Location": [{"/x": {}}, {"/y": {}}]}`,
			"Directory[/a]{Options[None]}; Directory[/b]{}; Location[/x]{}; Location[/y]{}"},
		{"VirtualHost label is split", `{"VirtualHost": {"*:80 [::]:80": {"ServerName": "a"}}}`,
			"VirtualHost[*:80|[::]:80]{ServerName[a]}"},
		{"Else has no label", `{"If": {"true": {}}, "Else": {"Timeout": 1}}`, "If[true]{}; Else{Timeout[1]}"},
		{"IfModule", `{"IfModule": {"so_module": {"Timeout": 5}, "!so_module": {"Timeout": 6}}}`, "Timeout[5]"},
		{"variables", `{"Define": ["P", "8080"], "Listen": "${P}"}`, "Listen[8080]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, errs := parseHCLString(t, "/srv/httpd.json", tt.src, Options{Builtin: []string{"so_module"}}, nil)
			if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			equal(t, "directives", dump(cfg.Directives), tt.want)
		})
	}
}

func TestHCLModulesAndPositions(t *testing.T) {
	src := "ServerRoot = \"/\"\n\nLoadModule \"mpm_event_module\" {\n  path = \"modules/ev.so\"\n}\nListen = [\"80\",\n  \"81\"]\n"
	cfg, errs := parseHCLString(t, "/srv/httpd.hcl", src, Options{}, memFS{fstest.MapFS{}})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	equal(t, "root", cfg.ServerRoot, "/")
	equal(t, "modules", cfg.Modules, []Module{{Name: "mpm_event_module", Path: "modules/ev.so", AbsPath: "/modules/ev.so", File: "/srv/httpd.hcl", Line: 3}})
	d := cfg.Directives
	equal(t, "LoadModule span", d[1].Span, Span{Start: Pos{3, 1, 18}, End: Pos{3, 30, 47}})
	equal(t, "first Listen", []int{d[2].Line, d[2].Span.Start.Column}, []int{6, 11})
	equal(t, "second Listen", []int{d[3].Line, d[3].Span.Start.Column, d[3].Span.End.Column}, []int{7, 3, 7})
}

func TestHCLWarnings(t *testing.T) {
	cfg, errs := parseHCLString(t, "/srv/httpd.hcl", "LoadModule \"a_module\" { path = \"a.so\" }\nErrorLog = \"${NOPE}\"\nLoadModule \"a_module\" { path = \"b.so\" }\n", Options{}, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var got []string
	for _, w := range cfg.Warnings {
		got = append(got, w.Error())
	}
	equal(t, "warnings", got, []string{
		"/srv/httpd.hcl:2:15: AH00111: Config variable ${NOPE} is not defined",
		"/srv/httpd.hcl:3:1: AH01574: module a_module is already loaded, skipping",
	})
}

func TestHCLErrors(t *testing.T) {
	const f = "/srv/httpd.hcl"
	tests := []struct {
		name, file, src string
		want            []string
	}{
		{"syntax", f, "Listen = \n", []string{f + ":1:10: Invalid expression; Expected the start of an expression, but found an invalid expression token."}},
		{"repeated name", f, "Listen = 80\nListen = 81\n", []string{f + ":2:1: Attribute redefined; The argument \"Listen\" was already set at /srv/httpd.hcl:1,1-7. Each argument may be set only once."}},
		{"object value", f, "Listen = { a = 1 }\n", []string{f + ":1:10: Unsupported value; The value of a directive must be a string, a number, a bool or a list of them."}},
		{"null value", f, "Listen = null\n", []string{f + ":1:10: Unsupported value; The value of a directive must be a string, a number, a bool or a list of them."}},
		{"list too deep", f, "AddType = [[\"a\", [\"b\"]], [\"c\", \".c\"]]\nTimeout = 1\n", []string{f + ":1:12: Unsupported value; An element of the list must be a string, a number, a bool or a list of them."}},
		{"function call", f, "Listen = upper(\"a\")\n", []string{f + ":1:10: Function calls not allowed; Functions may not be called here."}},
		{"LoadModule without path", f, "LoadModule \"a\" {\n}\n", []string{f + ":1:16: Missing required argument; The argument \"path\" is required, but no definition was found."}},
		{"LoadModule with extra", f, "LoadModule \"a\" {\n  path = \"a.so\"\n  mode = 1\n}\n", []string{f + ":3:3: Unsupported argument; An argument named \"mode\" is not expected here."}},
		{"LoadModule without label", f, "LoadModule {\n  path = \"a.so\"\n}\n", []string{f + ":1:1: LoadModule takes two arguments, a module name and the name of a shared object file to load it from"}},
		{"IfModule without label", f, "IfModule {\n}\n", []string{f + ":1:1: <IfModule> directive requires additional arguments"}},
		{"Define with colon", f, "Define = [\"a:b\", \"c\"]\n", []string{f + ":1:1: Variable name must not contain ':'"}},
		{"Include missing", f, "Include = \"nope.conf\"\n", []string{f + ":1:1: Could not open configuration file /srv/nope.conf: No such file or directory"}},
		{"JSON syntax", "/srv/httpd.json", "{\"Listen\": }", []string{"/srv/httpd.json:1:12: Missing JSON value; A JSON value must start with a brace, a bracket, a number, a string, or a keyword."}},
		{"JSON object for a directive", "/srv/httpd.json", "{\"Listen\": {\"a\": 1}}", []string{"/srv/httpd.json:1:12: Unsupported value; The value of a directive must be a string, a number, a bool or a list of them."}},
		{"JSON name that is no directive's", "/srv/httpd.json", `{"my directive": 1}`, []string{"/srv/httpd.json:1:2: Invalid directive name; \"my directive\" is not a directive name: it must be a letter followed by letters, digits, '_' and '-'."}},
		{"invalid UTF-8", f, "Timeout = 1\nServerName = \"h\xc3\xa9\xcf0\"\n", []string{f + ":2:17: Invalid UTF-8; HCL files are UTF-8 text; byte 0xcf is not part of a UTF-8 character."}},
		{"invalid UTF-8 in JSON", "/srv/httpd.json", "{\"A\": \"\xff\"}", []string{"/srv/httpd.json:1:8: Invalid UTF-8; HCL files are UTF-8 text; byte 0xff is not part of a UTF-8 character."}},
		{"every problem", f, "Listen = {}\nTimeout = null\n", []string{
			f + ":1:10: Unsupported value; The value of a directive must be a string, a number, a bool or a list of them.",
			f + ":2:11: Unsupported value; The value of a directive must be a string, a number, a bool or a list of them.",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := parseHCLString(t, tt.file, tt.src, Options{}, nil)
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			equal(t, "errors", got, tt.want)
		})
	}
}

func TestHCLIncludeMixesSyntaxes(t *testing.T) {
	fsys := memFS{fstest.MapFS{
		"srv/conf.d/a.conf": {Data: []byte("Timeout 5\nInclude conf.d/b.hcl\n")},
		"srv/conf.d/b.hcl":  {Data: []byte("KeepAlive = false\n")},
		"srv/conf.d/c.json": {Data: []byte(`{"ServerName": "c"}`)},
	}}
	cfg, errs := parseHCLString(t, "/srv/httpd.hcl", "Include = \"conf.d/*.conf\"\nIncludeOptional = \"conf.d/*.json\"\nListen = 80\n", Options{}, fsys)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	equal(t, "directives", dump(cfg.Directives), "Timeout[5]; KeepAlive[Off]; ServerName[c]; Listen[80]")
	equal(t, "file of an included HCL directive", cfg.Directives[1].File, "/srv/conf.d/b.hcl")

	// And the other way round, with an error in the included HCL file.
	fsys.m["srv/conf.d/bad.hcl"] = &fstest.MapFile{Data: []byte("\nListen = [\n")}
	_, errs = parseHCLString(t, "/srv/httpd.conf", "Include conf.d/bad.hcl\n", Options{}, fsys)
	if len(errs) == 0 || errs[0].File != "/srv/conf.d/bad.hcl" || errs[0].Span.Start.Line != 3 {
		t.Errorf("errors = %v, want one in bad.hcl at line 3", errs)
	}
}

func TestHCLCommandLineDirectives(t *testing.T) {
	cfg, errs := parseHCLString(t, "/srv/httpd.hcl", "IfDefine \"X\" {\n  Timeout = 5\n}\n", Options{Pre: []string{"Define X"}, Post: []string{"Listen 80"}}, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	equal(t, "directives", dump(cfg.Directives), "Timeout[5]; Listen[80]")
}

func TestValidateHCLPositions(t *testing.T) {
	cfg, errs := parseHCLString(t, "/srv/httpd.hcl", "Listen = [\"80\", \"x\"]\nDirectory \"/\" {\n  Listen = 81\n}\n", Options{}, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var got []string
	for _, e := range Validate(cfg, Core) {
		got = append(got, e.Error())
	}
	equal(t, "errors", got, []string{
		"/srv/httpd.hcl:1:17: Port must be specified",
		"/srv/httpd.hcl:3:3: Listen not allowed in <Directory> context",
	})
	cfg, _ = parseHCLString(t, "/srv/httpd.hcl", "Listen = [\"80\", \"80\"]\n", Options{}, nil)
	_, errs = Resolve(cfg)
	if len(errs) != 1 || errs[0].Error() != "/srv/httpd.hcl:1:17: Cannot define multiple Listeners on the same IP:port" {
		t.Errorf("Resolve errors = %v", errs)
	}
}

func TestLocate(t *testing.T) {
	cfg, _ := parseHCLString(t, "/srv/httpd.hcl", "ServerName = [\"a\", \"b\"]\nThreadsPerChild = 0\n", Options{}, nil)
	tests := []struct {
		line    int
		message string
		col     int
	}{
		{1, "ServerName: b is refused", 20},
		{1, "something else", 15},
		{2, "ThreadsPerChild: 0 is out of range", 1},
		{3, "nowhere", 0},
	}
	for _, tt := range tests {
		d := cfg.Locate("/srv/httpd.hcl", tt.line, tt.message)
		if d.Span.Start.Column != tt.col || d.Message != tt.message || d.Line != tt.line {
			t.Errorf("Locate(%d, %q) = %+v, want column %d", tt.line, tt.message, d, tt.col)
		}
	}
	// Apache syntax has no columns: the diagnostic keeps Apache's form.
	conf, _ := parseString(t, "StartServers 0\n", Options{})
	if got := conf.Locate("/srv/httpd.conf", 1, "bad").Error(); !strings.HasPrefix(got, "AH00526: Syntax error on line 1 of /srv/httpd.conf:") {
		t.Errorf("Apache-syntax Locate gives %q", got)
	}
}
