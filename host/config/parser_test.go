package config

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"
)

func TestSections(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"nested", "<VirtualHost *:80>\n<Directory /x>\nOptions None\n</Directory>\nServerName a\n</VirtualHost>\n",
			"VirtualHost[*:80]{Directory[/x]{Options[None]}; ServerName[a]}"},
		{"empty section has children", "<Location />\n</Location>", "Location[/]{}"},
		{"close is case-insensitive", "<directory /x>\n</DIRECTORY>", "directory[/x]{}"},
		{"quoted section argument", "<Directory \"/a b\">\n</Directory>", "Directory[/a b]{}"},
		{"text after > is ignored", "<Directory /x>foo\n</Directory>", "Directory[/x]{}"},
		{"regex form", "<Directory ~ \"^/x\">\n</Directory>", "Directory[~|^/x]{}"},
		{"If expression", "<If \"%{HTTP_HOST} == 'a'\">\nSetHandler none\n</If>", "If[%{HTTP_HOST} == 'a']{SetHandler[none]}"},
		{"unknown section kept", "<Foo a b>\nBar\n</Foo>", "Foo[a|b]{Bar}"},
		{"Limit kept", "<Directory />\n<Limit GET POST>\nRequire all denied\n</Limit>\n</Directory>",
			"Directory[/]{Limit[GET|POST]{Require[all|denied]}}"},
		{"no arguments", "<Else>\n</Else>", "Else{}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, errs := parseString(t, tt.src, Options{})
			if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			equal(t, "directives", dump(cfg.Directives), tt.want)
			for _, d := range cfg.Directives {
				if !d.IsSection() {
					t.Errorf("%s is not a section", d.Name)
				}
			}
		})
	}
}

func TestSectionMissingCloseBracketIsKept(t *testing.T) {
	// Apache builds the tree first; the section's own handler reports the
	// missing '>' later, so this is a Validate error, not a read error.
	cfg, errs := parseString(t, "<Directory /x\nOptions None\n</Directory>\n", Options{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	equal(t, "tree", dump(cfg.Directives), "Directory[/x]{Options[None]}")
	if !cfg.Directives[0].noClose {
		t.Error("noClose not recorded")
	}
}

// The messages below are Apache 2.4.71's, captured with `apache2 -t` on the
// same text (with "apache2:" replaced by "httpd:").
func TestReadErrors(t *testing.T) {
	const f = "/srv/httpd.conf"
	tests := []struct {
		name, src string
		want      []string
	}{
		{"unclosed", "<Directory /x>\nOptions None\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": " + f + ":1: <Directory> was not closed."}},
		{"unclosed nested", "ServerName x\n<Directory /x>\nServerName x\n<Files y>\nOptions None\n\n\n",
			[]string{"httpd: Syntax error on line 2 of " + f + ": " + f + ":4: <Files> was not closed.\\n" + f + ":2: <Directory> was not closed."}},
		{"stray close", "</Directory>\nServerName x\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": </Directory> without matching <Directory> section"}},
		{"mismatched close", "<Directory /x>\n</Location>\n",
			[]string{"httpd: Syntax error on line 2 of " + f + ": Expected </Directory> but saw </Location>"}},
		{"close without >", "<Directory /x>\n</Directory\n",
			[]string{"httpd: Syntax error on line 2 of " + f + ": </Directory> directive missing closing '>'"}},
		{"close with arguments", "<Directory /x>\n</Directory foo>\n",
			[]string{"httpd: Syntax error on line 2 of " + f + ": </Directory> directive missing closing '>'"}},
		{"close with junk", "<Directory /x>\n</Directory>foo\n",
			[]string{"httpd: Syntax error on line 2 of " + f + ": </Directory>foo> directive missing closing '>'"}},
		{"unknown section unclosed", "<Foo /x>\nBar\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": " + f + ":1: <Foo> was not closed."}},
		{"empty name", "< Directory /x>\n</Directory>\n",
			[]string{"httpd: Syntax error on line 2 of " + f + ": Expected </> but saw </Directory>"}},
		{"continued opening line", "<Directory \\\n /x>\n",
			[]string{"httpd: Syntax error on line 2 of " + f + ": " + f + ":2: <Directory> was not closed."}},
		{"IfModule unclosed", "<IfModule foo>\nBar\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": Expected </IfModule> before end of configuration"}},
		{"IfModule stray close", "</IfModule>\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": </IfModule> without matching <IfModule> section"}},
		{"IfModule without argument", "<IfModule>\n</IfModule>\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": <IfModule> directive requires additional arguments"}},
		{"IfModule without >", "<IfModule a\n</IfModule>\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": <IfModule> directive missing closing '>'"}},
		{"IfDefine bang only", "<IfDefine !>\n</IfDefine>\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": <IfDefine> directive requires additional arguments"}},
		{"true IfModule, wrong close", "<IfModule so_module>\n</IfDefine>\n",
			[]string{"httpd: Syntax error on line 2 of " + f + ": </IfDefine> without matching <IfDefine> section"}},
		{"section left open in true IfModule", "<IfModule so_module>\n<Directory /x>\n</IfModule>\n</Directory>\n",
			[]string{
				"httpd: Syntax error on line 3 of " + f + ": Expected </Directory> but saw </IfModule>",
				// Recovery takes </IfModule> to close both, so the crossed
				// </Directory> is stray.
				"httpd: Syntax error on line 4 of " + f + ": </Directory> without matching <Directory> section",
			}},
		{"close of outer section inside IfModule", "<Directory /x>\n<IfModule so_module>\n</Directory>\n</IfModule>\n",
			[]string{
				"httpd: Syntax error on line 3 of " + f + ": </Directory> without matching <Directory> section",
				// Apache stops at the first error; we go on and find the
				// section left open.
				"httpd: Syntax error on line 1 of " + f + ": " + f + ":1: <Directory> was not closed.",
			}},
		{"false IfModule, section left open", "<IfModule foo>\n<Directory /x>\n</IfModule>\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": Expected </Directory> but saw </IfModule>"}},
		{"false IfModule, stray close", "<IfModule foo>\n</Directory>\n</IfModule>\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": Expected </IfModule> but saw </Directory>"}},
		{"false IfModule, close with argument", "<IfModule foo>\n</IfModule foo>\n",
			[]string{
				"httpd: Syntax error on line 1 of " + f + ": Expected </IfModule> but saw </IfModul>",
				"httpd: Syntax error on line 1 of " + f + ": Expected </IfModule> before end of configuration",
			}},
		{"false IfDefine unclosed", "<IfDefine X>\nListen 80\n\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": Expected </IfDefine> before end of configuration"}},
		{"Define without arguments", "Define\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": Define takes 1-2 arguments, Define a variable, optionally to a value.  Same as passing -D to the command line."}},
		{"Define with three", "Define a b c\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": Define takes 1-2 arguments, Define a variable, optionally to a value.  Same as passing -D to the command line."}},
		{"Define name with colon", "Define a:b c\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": Variable name must not contain ':'"}},
		{"UnDefine name with colon", "UnDefine a:b\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": Variable name must not contain ':'"}},
		// apache2's set_loglevel: a module that is not loaded (yet).
		{"LogLevel unknown module", "LogLevel warn foo:info\n",
			[]string{"AH00526: Syntax error on line 1 of " + f + ":\nCannot find module foo"}},
		{"LogLevel module loaded later", "LogLevel cgi:debug\nLoadModule cgi_module m/mod_cgi.so\nLogLevel cgi:info\n",
			[]string{"AH00526: Syntax error on line 1 of " + f + ":\nCannot find module cgi"}},
		{"LogLevel module name is case-sensitive", "LogLevel INFO CORE:info\n",
			[]string{"AH00526: Syntax error on line 1 of " + f + ":\nCannot find module CORE"}},
		{"LogLevel bad level before unknown module", "LogLevel foo:bad bar:info\n", nil},
		{"LogLevel bad bare level before unknown module", "LogLevel bogus foo:debug\n", nil},
		{"UnDefine without argument", "UnDefine\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": UnDefine takes one argument, Undefine the existence of a variable. Undo a Define."}},
		{"Include without argument", "Include\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": Include takes one argument, Name(s) of the config file(s) to be included; fails if the wildcard does not match at least one file"}},
		{"IncludeOptional with two", "IncludeOptional a b\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": IncludeOptional takes one argument, Name or pattern of the config file(s) to be included; ignored if the file does not exist or the pattern does not match any files"}},
		{"LoadModule with one", "LoadModule foo_module\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": LoadModule takes two arguments, a module name and the name of a shared object file to load it from"}},
		{"ServerRoot with two", "ServerRoot /a /b\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": ServerRoot takes one argument, Common directory of server-related files (logs, confs, etc.)"}},
		{"ServerRoot not a directory", "ServerRoot /nonexistent\n",
			[]string{"httpd: Syntax error on line 1 of " + f + ": ServerRoot must be a valid directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := parseString(t, tt.src, Options{Builtin: []string{"so_module"}})
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			equal(t, "errors", got, tt.want)
		})
	}
}

func TestAllErrorsReported(t *testing.T) {
	src := "Define a:b\n</Directory>\nInclude\n<Directory /x>\n</Location>\n<IfModule>\n</IfModule>\n<Directory /y>\n<Files x>\n"
	_, errs := parseString(t, src, Options{})
	want := []string{
		"Variable name must not contain ':'",
		"</Directory> without matching <Directory> section",
		"Include takes one argument, " + helpInclude,
		"Expected </Directory> but saw </Location>",
		"<IfModule> directive requires additional arguments",
		"/srv/httpd.conf:9: <Files> was not closed.\\n/srv/httpd.conf:8: <Directory> was not closed.",
	}
	equal(t, "messages", messages(errs), want)
	var lines []int
	for _, e := range errs {
		lines = append(lines, e.Line)
		if !e.Reading || e.File != "/srv/httpd.conf" {
			t.Errorf("diagnostic %+v: want a read error in /srv/httpd.conf", e)
		}
	}
	equal(t, "lines", lines, []int{1, 2, 3, 5, 6, 8})
}

func TestConditionals(t *testing.T) {
	tests := []struct {
		name, src string
		opts      Options
		want      string
	}{
		{"builtin module name", "<IfModule so_module>\nA\n</IfModule>", Options{Builtin: []string{"so_module"}}, "A"},
		{"builtin source name", "<IfModule mod_so.c>\nA\n</IfModule>", Options{Builtin: []string{"mod_so.c"}}, "A"},
		{"not loaded", "<IfModule foo_module>\nA\n</IfModule>\nB", Options{}, "B"},
		{"negated", "<IfModule !foo_module>\nA\n</IfModule>", Options{}, "A"},
		{"negated loaded", "<IfModule !so_module>\nA\n</IfModule>", Options{Builtin: []string{"so_module"}}, ""},
		{"bang then space", "<IfModule ! foo_module>\nA\n</IfModule>", Options{}, "A"},
		{"only the first word counts", "<IfModule so_module other>\nA\n</IfModule>\n<IfModule other so_module>\nB\n</IfModule>",
			Options{Builtin: []string{"so_module"}}, "A"},
		{"quoted name", "<IfModule \"so_module\">\nA\n</IfModule>", Options{Builtin: []string{"so_module"}}, "A"},
		{"names are case-sensitive", "<IfModule SO_MODULE>\nA\n</IfModule>", Options{Builtin: []string{"so_module"}}, ""},
		{"section names are not", "<ifmodule so_module>\nA\n</IFMODULE>", Options{Builtin: []string{"so_module"}}, "A"},
		{"LoadModule earlier", "LoadModule mpm_event_module modules/mod_mpm_event.so\n" +
			"<IfModule mpm_event_module>\nA\n</IfModule>\n<IfModule mod_mpm_event.c>\nB\n</IfModule>\n<IfModule event.c>\nC\n</IfModule>",
			Options{}, "LoadModule[mpm_event_module|modules/mod_mpm_event.so]; A; B; C"},
		{"LoadModule later does not count", "<IfModule mime_module>\nA\n</IfModule>\nLoadModule mime_module m.so\n<IfModule mod_mime.c>\nB\n</IfModule>",
			Options{}, "LoadModule[mime_module|m.so]; B"},
		{"IfDefine from -D", "<IfDefine FOO>\nA\n</IfDefine>\n<IfDefine !FOO>\nB\n</IfDefine>", Options{Defines: []string{"FOO"}}, "A"},
		{"IfDefine from Define", "Define X v\n<IfDefine X>\nA\n</IfDefine>\n<IfDefine Y>\nB\n</IfDefine>", Options{}, "A"},
		{"IfDefine after UnDefine", "UnDefine FOO\n<IfDefine FOO>\nA\n</IfDefine>\nB", Options{Defines: []string{"FOO"}}, "B"},
		{"Define order matters", "<IfDefine X>\nA\n</IfDefine>\nDefine X\n<IfDefine X>\nB\n</IfDefine>", Options{}, "B"},
		{"nested", "<IfModule so_module>\n<IfDefine !X>\n<IfModule !nope>\nA\n</IfModule>\n</IfDefine>\nB\n</IfModule>\nC",
			Options{Builtin: []string{"so_module"}}, "A; B; C"},
		{"false outer skips true inner", "<IfDefine X>\n<IfModule so_module>\nA\n</IfModule>\nB\n</IfDefine>\nC",
			Options{Builtin: []string{"so_module"}}, "C"},
		{"flattened into a section", "<Directory />\n<IfModule so_module>\nOptions None\n</IfModule>\n</Directory>",
			Options{Builtin: []string{"so_module"}}, "Directory[/]{Options[None]}"},
		{"section inside conditional", "<IfModule so_module>\n<Directory />\nA\n</Directory>\n</IfModule>",
			Options{Builtin: []string{"so_module"}}, "Directory[/]{A}"},
		{"false body is not read", "<IfModule nope>\nBogus directive\nInclude /nonexistent\nDefine a:b\n${UNDEFINED}\n<Directory /x>\n</Directory>\n</IfModule>\nB",
			Options{}, "B"},
		{"variable in condition", "Define M so_module\n<IfModule ${M}>\nA\n</IfModule>", Options{Builtin: []string{"so_module"}}, "A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, errs := parseString(t, tt.src, tt.opts)
			if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			if len(cfg.Warnings) > 0 {
				t.Errorf("unexpected warnings: %v", messages(cfg.Warnings))
			}
			equal(t, "directives", dump(cfg.Directives), tt.want)
		})
	}
}

func TestIfFile(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"present": ""})
	src := "<IfFile present>\nA\n</IfFile>\n<IfFile !present>\nB\n</IfFile>\n<IfFile " + filepath.Join(root, "absent") + ">\nC\n</IfFile>\n<IfFile !absent>\nD\n</IfFile>"
	cfg, err := Parse(filepath.Join(root, "httpd.conf"), []byte(src), Options{ServerRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "directives", dump(cfg.Directives), "A; D")
}

func TestVariables(t *testing.T) {
	env := func(name string) (string, bool) {
		if name == "ENVVAR" {
			return "fromenv", true
		}
		return "", false
	}
	tests := []struct {
		name, src string
		opts      Options
		want      string
		warnings  []string
	}{
		{"defined", "Define X v\nA ${X}", Options{}, "A[v]", nil},
		{"inside a word", "Define X v\nA pre${X}post", Options{}, "A[prevpost]", nil},
		// Apache expands the line before splitting it into words.
		{"value with spaces splits", "Define X \"a b\"\nA ${X}", Options{}, "A[a|b]", nil},
		{"quoted use keeps spaces", "Define X \"a b\"\nA \"${X}\"", Options{}, "A[a b]", nil},
		{"value with a quote", "Define X 'q\"r'\nA \"${X}\"", Options{}, "A[q|r\"]", nil},
		{"value with colon", "Define a b:c\nA ${a}", Options{}, "A[b:c]", nil},
		{"in directive name", "Define D Listen\n${D} 80", Options{}, "Listen[80]", nil},
		{"in section", "Define P /x\n<Directory ${P}>\n</Directory>", Options{}, "Directory[/x]{}", nil},
		{"undefined kept with a warning", "A x${Y}y", Options{}, "A[x${Y}y]", []string{"AH00111: Config variable ${Y} is not defined"}},
		{"a map lookup kept without a warning", "A ${m:$1|x}", Options{}, "A[${m:$1|x}]", nil},
		{"plain Define has no value", "Define X\nA ${X}", Options{}, "A[${X}]", []string{"AH00111: Config variable ${X} is not defined"}},
		{"empty value is no value", "Define X \"\"\nA ${X}", Options{}, "A[${X}]", []string{"AH00111: Config variable ${X} is not defined"}},
		{"-D has no value", "A ${FOO}", Options{Defines: []string{"FOO"}}, "A[${FOO}]", []string{"AH00111: Config variable ${FOO} is not defined"}},
		{"plain Define keeps a value", "Define X v\nDefine X\nA ${X}", Options{}, "A[v]", nil},
		{"UnDefine", "Define X v\nUnDefine X\nA ${X}", Options{}, "A[${X}]", []string{"AH00111: Config variable ${X} is not defined"}},
		{"expanded at Define time", "Define A aa\nDefine B ${A}/x\nUnDefine A\nC ${B}", Options{}, "C[aa/x]", nil},
		{"environment", "A ${ENVVAR}", Options{LookupEnv: env}, "A[fromenv]", nil},
		{"Define wins over environment", "Define ENVVAR d\nA ${ENVVAR}", Options{LookupEnv: env}, "A[d]", nil},
		{"nested braces", "Define A B\nDefine B val\nC ${${A}}", Options{}, "C[${${A}}]", []string{"AH00111: Config variable ${${A} is not defined"}},
		{"no closing brace", "A ${X", Options{}, "A[${X]", nil},
		{"comments are not expanded", "# ${X}\nA", Options{}, "A", nil},
		// A '#' from a variable is not a comment: Apache reports
		// "Invalid command '#'".
		{"hash from a variable", "Define H #\n${H} x", Options{}, "#[x]", nil},
		{"empty line after expansion", "Define E \"\"\n${ENVEMPTY}\nA", Options{LookupEnv: func(n string) (string, bool) { return "", n == "ENVEMPTY" }}, "A", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, errs := parseString(t, tt.src, tt.opts)
			if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			equal(t, "directives", dump(cfg.Directives), tt.want)
			equal(t, "warnings", messages(cfg.Warnings), tt.warnings)
		})
	}
}

func TestWarningPosition(t *testing.T) {
	cfg, _ := parseString(t, "\nA \\\n ${X}\n", Options{})
	if len(cfg.Warnings) != 1 {
		t.Fatalf("warnings: %v", cfg.Warnings)
	}
	w := cfg.Warnings[0]
	equal(t, "position", Position{w.File, w.Line}, Position{"/srv/httpd.conf", 3})
}

// TestRecursionWarnings: set_recursion_limit's warnings of the main
// server's low limits (a virtual host's are not said: apache2 logs them to
// its error log, not open yet), none for a limit Validate refuses.
func TestRecursionWarnings(t *testing.T) {
	const redirects = "AH00119: Limiting internal redirects to very low numbers may cause normal requests to fail."
	const subreqs = "AH00120: Limiting the subrequest depth to a very low level may cause normal requests to fail."
	for _, tt := range []struct {
		src  string
		want []string
	}{
		{"LimitInternalRecursion 4", nil},
		{"LimitInternalRecursion 3", []string{redirects}},
		{"LimitInternalRecursion 3x", []string{redirects}},
		{"LimitInternalRecursion 2 3", []string{redirects, subreqs}},
		{"LimitInternalRecursion 5 1", []string{subreqs}},
		{"LimitInternalRecursion 0 1", nil},
		{"LimitInternalRecursion 1 0", []string{redirects}},
		{"LimitInternalRecursion 1 1 1", nil},
		{"<IfDefine !X>\nLimitInternalRecursion 1\n</IfDefine>", []string{redirects}},
		{"<VirtualHost *:80>\nLimitInternalRecursion 1 1\n</VirtualHost>", nil},
	} {
		cfg, _ := parseString(t, tt.src, Options{})
		equal(t, tt.src, messages(cfg.Warnings), tt.want)
	}
}

func TestDefinesTable(t *testing.T) {
	cfg, _ := parseString(t, "Define A 1\nDefine B\nDefine C 3\nUnDefine C\nUnDefine D", Options{Defines: []string{"D", "E"}})
	equal(t, "defines", cfg.Defines, map[string]string{"A": "1", "B": "", "E": ""})
}

func TestLoadModule(t *testing.T) {
	cfg, errs := parseString(t, "LoadModule mpm_event_module modules/mod_mpm_event.so\nLoadModule foo_module /abs/mod_foo.so\n"+
		"LoadModule mpm_event_module modules/other.so\n", Options{ServerRoot: "/etc/httpd"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := []Module{
		{Name: "mpm_event_module", Path: "modules/mod_mpm_event.so", AbsPath: "/etc/httpd/modules/mod_mpm_event.so", File: "/srv/httpd.conf", Line: 1},
		{Name: "foo_module", Path: "/abs/mod_foo.so", AbsPath: "/abs/mod_foo.so", File: "/srv/httpd.conf", Line: 2},
	}
	equal(t, "modules", cfg.Modules, want)
	// The repeated line stays in the tree; Apache warns and skips it.
	equal(t, "directives", len(cfg.Directives), 3)
	equal(t, "warnings", messages(cfg.Warnings), []string{"AH01574: module mpm_event_module is already loaded, skipping"})
}

func TestServerRootDirective(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	writeTree(t, second, map[string]string{"conf/extra.conf": "Extra yes\n"})
	src := "LoadModule a_module modules/a.so\nServerRoot " + second + "\nLoadModule b_module modules/b.so\nInclude conf/extra.conf\n"
	cfg, err := Parse(filepath.Join(first, "httpd.conf"), []byte(src), Options{ServerRoot: first})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "ServerRoot", cfg.ServerRoot, second)
	equal(t, "first module", cfg.Modules[0].AbsPath, filepath.Join(first, "modules/a.so"))
	equal(t, "second module", cfg.Modules[1].AbsPath, filepath.Join(second, "modules/b.so"))
	equal(t, "tree", dump(cfg.Directives), "LoadModule[a_module|modules/a.so]; ServerRoot["+second+"]; LoadModule[b_module|modules/b.so]; Extra[yes]")
}

func TestCommandLineDirectives(t *testing.T) {
	cfg, errs := parseString(t, "Main ${X}\n", Options{
		Pre:  []string{"Define X fromC", "<Directory />", "Options None", "</Directory>"},
		Post: []string{"Post ${X}"},
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	equal(t, "tree", dump(cfg.Directives), "Directory[/]{Options[None]}; Main[fromC]; Post[fromC]")
	d := cfg.Directives[0]
	equal(t, "-C position", d.Pos(), CommandLineFile+":2")
	equal(t, "-c position", cfg.Directives[2].Pos(), CommandLineFile+":1")
}

// Checked against `apache2 -t -C ...` and `-c ...`.
func TestCommandLineErrors(t *testing.T) {
	_, errs := parseString(t, "", Options{Pre: []string{"<Directory /x>"}, Post: []string{"</Directory>", "Include /nonexistent"}})
	want := []string{
		"httpd: Syntax error in -C/-c directive: -c/-C directives:1: <Directory> was not closed.",
		"httpd: Syntax error in -C/-c directive: </Directory> without matching <Directory> section",
		"httpd: Syntax error in -C/-c directive: Could not open configuration file /nonexistent: No such file or directory",
	}
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	equal(t, "errors", got, want)
}

func TestLoadMainFile(t *testing.T) {
	cfg, err, root := loadTree(t, map[string]string{"conf/httpd.conf": "Listen 80\n"}, Options{})
	if err == nil || cfg != nil {
		t.Fatalf("Load of a missing file: %v, %v", cfg, err)
	}
	// apache2 -f: "apache2: Could not open configuration file /abs: No such file or directory"
	equal(t, "message", err.Error(), "Could not open configuration file "+filepath.Join(root, "httpd.conf")+": No such file or directory")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("error does not unwrap to fs.ErrNotExist")
	}
	var errs Errors
	if errors.As(err, &errs) {
		t.Error("an unopenable main file is not a syntax error")
	}

	cfg, err = Load("conf/httpd.conf", Options{ServerRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "File", cfg.File, filepath.Join(root, "conf/httpd.conf"))
	equal(t, "ServerRoot", cfg.ServerRoot, root)
	equal(t, "directive file", cfg.Directives[0].File, filepath.Join(root, "conf/httpd.conf"))

	// A directory: Apache logs AH00554 and fails with EBADF.
	_, err = Load("conf", Options{ServerRoot: root})
	equal(t, "directory", err.Error(), "Could not open configuration file "+filepath.Join(root, "conf")+": Bad file descriptor")
}

func TestLoadReturnsPartialConfig(t *testing.T) {
	cfg, err, _ := loadTree(t, map[string]string{"httpd.conf": "Listen 80\n</Directory>\nListen 81\n"}, Options{})
	errs := asErrors(t, err)
	if len(errs) != 1 || cfg == nil {
		t.Fatalf("got %v, %v", cfg, err)
	}
	equal(t, "tree", dump(cfg.Directives), "Listen[80]; Listen[81]")
}

func TestRelativeServerRootOption(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"root/httpd.conf": "A\n"})
	t.Chdir(dir)
	cfg, err := Load("httpd.conf", Options{ServerRoot: "root"})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "ServerRoot", cfg.ServerRoot, filepath.Join(dir, "root"))
}

func TestDiagnosticForms(t *testing.T) {
	d := Diagnostic{File: "/etc/httpd.conf", Line: 3, Message: "Invalid command 'X', perhaps misspelled or defined by a module not included in the server configuration"}
	equal(t, "walk form", d.Error(), "AH00526: Syntax error on line 3 of /etc/httpd.conf:\nInvalid command 'X', perhaps misspelled or defined by a module not included in the server configuration")
	r := Diagnostic{File: "/etc/b.conf", Line: 2, Message: "Boom", Reading: true, Includes: []Position{{"/etc/httpd.conf", 7}, {"/etc/a.conf", 1}}}
	equal(t, "read form", r.Error(), "httpd: Syntax error on line 7 of /etc/httpd.conf: Syntax error on line 1 of /etc/a.conf: Syntax error on line 2 of /etc/b.conf: Boom")
	errs := Errors{d, r}
	equal(t, "Errors", errs.Error(), d.Error()+"\n"+r.Error())
	equal(t, "Position", Position{"f", 2}.String(), "f:2")
	// An MPM's problem without a directive (file and line unknown).
	equal(t, "no position", Diagnostic{Message: "AH02155: getpwuid: couldn't determine user name from uid 4242"}.Error(), "AH02155: getpwuid: couldn't determine user name from uid 4242")
}
