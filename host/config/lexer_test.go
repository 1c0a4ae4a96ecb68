package config

import (
	"testing"
)

// The expectations below were checked against Apache 2.4.71 (Debian's
// apache2) by feeding the same lines to `apache2 -t` with a directive whose
// error message echoes its argument ("Invalid Mutex argument ...").
func TestLexing(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"plain", "Listen 80\n", "Listen[80]"},
		{"tabs and spaces", "Listen\t 127.0.0.1:80 \t http  \n", "Listen[127.0.0.1:80|http]"},
		{"blank lines", "\n\n   \nListen 80\n\n", "Listen[80]"},
		{"no final newline", "Listen 80", "Listen[80]"},
		{"double quotes", `ServerName "a b"`, "ServerName[a b]"},
		{"single quotes", `ServerName 'a b'`, "ServerName[a b]"},
		{"escaped quote in quotes", `X "a\"b"`, `X[a"b]`},
		{"escaped single quote", `X 'a\'b'`, `X[a'b]`},
		{"other quote kept", `X "a\'b"`, `X[a\'b]`},
		{"escaped backslash unquoted", `X a\\b`, `X[a\b]`},
		{"escaped backslash quoted", `X "a\\b"`, `X[a\b]`},
		{"backslash quote unquoted kept", `X a\"b`, `X[a\"b]`},
		{"backslash n kept", `X a\nb`, `X[a\nb]`},
		{"escaped backslash before closing quote", `X "a\\" b`, `X[a\|b]`},
		{"closing quote ends word", `X "ab"cd`, "X[ab|cd]"},
		{"quote inside word is literal", `X a"b c"`, `X[a"b|c"]`},
		{"unterminated quote runs to end", `X "abc def`, "X[abc def]"},
		{"empty quoted argument", `X "" y`, "X[|y]"},
		{"quoted directive name", `"Listen" 80`, "Listen[80]"},
		{"hash inside arguments is literal", "ServerName a # b", "ServerName[a|#|b]"},
		{"hash glued to argument", "X a#b", "X[a#b]"},
		{"comment", "# Listen 80\nListen 81", "Listen[81]"},
		{"indented comment", "   # Listen 80\n\t#Listen 82\nListen 81", "Listen[81]"},
		{"continuation joins without space", "X a\\\nb", "X[ab]"},
		{"continuation keeps next line's indent", "X a\\\n   b", "X[a|b]"},
		{"continuation after space", "X a \\\nb c", "X[a|b|c]"},
		{"continuation inside quotes", "X \"a \\\nb\"", "X[a b]"},
		{"double backslash still continues", "X a\\\\\nY", `X[a\Y]`},
		{"backslash then space does not continue", "X a\\   \nY b", `X[a\]; Y[b]`},
		{"comment continues too", "# hello \\\nListen 80\nListen 81", "Listen[81]"},
		{"continuation at end of file", "X a\\\n", "X[a]"},
		{"CRLF", "Listen 80\r\nListen 81\r\n", "Listen[80]; Listen[81]"},
		{"CRLF continuation", "X a\\\r\nb\r\n", "X[ab]"},
		{"empty quoted directive is ignored", `""` + "\nListen 80", "Listen[80]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, errs := parseString(t, tt.src, Options{})
			if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			equal(t, "directives", dump(cfg.Directives), tt.want)
		})
	}
}

func TestLineNumbers(t *testing.T) {
	src := "# comment\n\nListen 80\nX a \\\n  b \\\n  c\n<Directory /x>\n  Options None\n</Directory>\n"
	cfg, errs := parseString(t, src, Options{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	ds := cfg.Directives
	if len(ds) != 3 {
		t.Fatalf("got %s", dump(ds))
	}
	equal(t, "Listen line", ds[0].Line, 3)
	equal(t, "continued line starts", ds[1].Line, 4)
	equal(t, "continued line ends", ds[1].errLine(), 6)
	equal(t, "section line", ds[2].Line, 7)
	equal(t, "child line", ds[2].Children[0].Line, 8)
	equal(t, "Pos", ds[2].Children[0].Pos(), "/srv/httpd.conf:8")
	equal(t, "File", ds[0].File, "/srv/httpd.conf")
}

func TestSplitLinesContinuationLines(t *testing.T) {
	// Apache reports an error on a continued line at its last physical line.
	lines, long := splitLines("f", []byte("a\\\nb\\\nc\nd\n"))
	if long != nil {
		t.Fatal(long)
	}
	equal(t, "lines", lines, []logicalLine{{"abc", 1, 3}, {"d", 4, 4}})
}

func TestExpandVars(t *testing.T) {
	vars := map[string]string{"A": "1", "B": "two words", "N": "A"}
	lookup := func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
	tests := []struct {
		in, want  string
		undefined []string
	}{
		{"x${A}y", "x1y", nil},
		{"${B}", "two words", nil},
		{"${A}${A}", "11", nil},
		{"${X}", "${X}", []string{"X"}},
		{"${}", "${}", []string{""}},
		{"${${N}}", "${${N}}", []string{"${N"}},
		{"${A", "${A", nil},
		{"$A", "$A", nil},
		{`\${A}`, `\1`, nil},
	}
	for _, tt := range tests {
		var undef []string
		got, ok := expandVars(tt.in, lookup, func(n string) { undef = append(undef, n) })
		if !ok || got != tt.want {
			t.Errorf("expandVars(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
		equal(t, "undefined in "+tt.in, undef, tt.undefined)
	}
}

func TestExpandVarsLimit(t *testing.T) {
	big := string(make([]byte, maxExpanded/2+1))
	lookup := func(string) (string, bool) { return big, true }
	if _, ok := expandVars("${A}${A}", lookup, func(string) {}); ok {
		t.Fatal("expansion beyond the limit was accepted")
	}
}
