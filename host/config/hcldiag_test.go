package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteDiagnostics(t *testing.T) {
	src := "Listen = 80\nDirectory \"/\" {\n\tBögus = [\"x\",\n\t  \"y\"]\n}\nListen = 81\n"
	cfg, errs := parseHCLString(t, "/srv/httpd.hcl", src, Options{}, nil)
	equal(t, "read errors", messages(errs), []string{"Attribute redefined"})
	cfg, errs = parseHCLString(t, "/srv/httpd.hcl", strings.Replace(src, "Listen = 81", "ServerName = \"a\"", 1), Options{}, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	errs = append(errs, Validate(cfg, Core)...)
	errs = append(errs, Diagnostic{File: "/srv/httpd.conf", Line: 2, Message: "Apache's own form"})
	var b strings.Builder
	WriteDiagnostics(&b, errs)
	want := "Error: Invalid command 'Bögus', perhaps misspelled or defined by a module not included in the server configuration\n" +
		"\n" +
		"  on /srv/httpd.hcl line 3, in Directory \"/\":\n" +
		"   3: \tBögus = [\"x\",\n" +
		"      \t^~~~~~~~~~~~~\n" +
		"   4: \t  \"y\"]\n" +
		"\n" +
		"AH00526: Syntax error on line 2 of /srv/httpd.conf:\n" +
		"Apache's own form\n"
	equal(t, "output", b.String(), want)
}

func TestWriteDiagnosticsSyntaxError(t *testing.T) {
	_, errs := parseHCLString(t, "/srv/httpd.hcl", "Listen = \"80\n", Options{}, nil)
	var b strings.Builder
	WriteDiagnostics(&b, errs[:1])
	want := "Error: Invalid multi-line string\n" +
		"\n" +
		"  on /srv/httpd.hcl line 1:\n" +
		"   1: Listen = \"80\n" +
		"                  ^\n" +
		"\n" +
		"Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the \"heredoc\" multi-line template syntax.\n" +
		"\n"
	equal(t, "output", b.String(), want)
}

// A diagnostic made after reading (by the MPM, through Locate) quotes the
// file from disk.
func TestWriteDiagnosticsReadsTheFile(t *testing.T) {
	name := filepath.Join(t.TempDir(), "httpd.hcl")
	if err := os.WriteFile(name, []byte("StartServers = 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := Diagnostic{File: name, Line: 1, Message: "StartServers: 0 is out of range 1 to 20000",
		Span: Span{Start: Pos{1, 1, 0}, End: Pos{1, 17, 16}}}
	var b strings.Builder
	WriteDiagnostics(&b, []Diagnostic{d})
	want := "Error: StartServers: 0 is out of range 1 to 20000\n\n  on " + name + " line 1:\n   1: StartServers = 0\n      ^~~~~~~~~~~~~~~~\n\n"
	equal(t, "output", b.String(), want)

	d.File = filepath.Join(t.TempDir(), "gone.hcl")
	b.Reset()
	WriteDiagnostics(&b, []Diagnostic{d})
	equal(t, "without source", b.String(), "Error: StartServers: 0 is out of range 1 to 20000\n\n  on "+d.File+" line 1:\n  (source code not available)\n\n")
}
