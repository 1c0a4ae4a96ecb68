package apexpr

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/mpm/env"
)

func testRequest(t *testing.T) *Request {
	t.Helper()
	r := httptest.NewRequest("GET", "http://www.example.com/a/b.html?x=1&y=2", nil)
	r.RemoteAddr = "192.0.2.7:4711"
	r.Header.Set("User-Agent", "Mozilla/5.0 Test")
	r.Header.Set("X-Num", "42")
	e := &env.Vars{}
	e.Set("mine", "yes")
	return &Request{R: r, URI: "/a/b.html", Query: "x=1&y=2", Env: e, Filename: "/srv/a/b.html", Out: http.Header{"X-Out": {"o"}}}
}

func TestEval(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.txt")
	if err := os.WriteFile(file, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Setenv("APEXPR_TEST", "os")
	for _, c := range []struct {
		expr string
		want bool
	}{
		{"true", true},
		{"false", false},
		{"!false", true},
		{"not true", false},
		{"true && false || true", true},
		{"false || false && true", false},
		{"!true || true", true},
		{"(true || false) && false", false},
		{"%{HTTP_HOST} == 'www.example.com'", true},
		{"%{HTTP_HOST} = 'www.example.com'", true},
		{"%{http_host} != 'www.example.com'", false},
		{"%{REQUEST_URI} == '/a/b.html'", true},
		{"%{QUERY_STRING} =~ /y=(\\d)/ && $1 == '2'", true},
		{"%{QUERY_STRING} =~ m#X=#i", true},
		{"%{QUERY_STRING} !~ /z=/", true},
		{"%{REQUEST_METHOD} -in {'POST', 'GET'}", true},
		{"%{REQUEST_METHOD} in {'POST', 'PUT'}", false},
		{"%{REMOTE_ADDR} -ipmatch '192.0.2.0/24'", true},
		{"%{REMOTE_ADDR} -ipmatch '10.0.0.0/8'", false},
		{"-R '192.0.2.7'", true},
		{"-R '192.0.3'", false},
		{"10 -lt 9", false},
		{"10 -gt 9", true},
		{"'10' < '9'", true},
		{"-5 -eq '-5'", true},
		{"req('X-Num') -ge 42", true},
		{"http('x-num') -ne 42", false},
		{"%{HTTP_USER_AGENT} -strmatch '*Moz*'", true},
		{"%{HTTP_USER_AGENT} -strcmatch '*moz*'", true},
		{"%{HTTP_USER_AGENT} -strmatch '*moz*'", false},
		{"'/a/b/c' -fnmatch '/a/*'", false},
		{"'/a/b' -fnmatch '/a/*'", true},
		{"'abc' -strmatch '[a-c]b?'", true},
		{"-n %{QUERY_STRING}", true},
		{"-z reqenv('none')", true},
		{"reqenv('mine') == 'yes'", true},
		{"env('mine') == 'yes' && env('APEXPR_TEST') == 'os' && osenv('mine') == ''", true},
		{"-T 'off'", false},
		{"-T '0'", false},
		{"-T 'yes'", true},
		{"tolower('AbC') == 'abc' && toupper('x') == 'X'", true},
		{"base64('hello') == 'aGVsbG8=' && unbase64('aGVsbG8=') == 'hello'", true},
		{"md5('a') == '0cc175b9c0f1b6a831c399e269772661'", true},
		{"sha1('a') == '86f7e437faa5a7fce15d1ddcb9eaeaea377667b8'", true},
		{"escape('a b') == 'a%20b' && unescape('a%20b%2fc') == 'a b%2fc'", true},
		{"'a' . 'b' . 1 == 'ab1'", true},
		{"\"x%{REQUEST_METHOD}y\" == 'xGETy'", true},
		{"%{reqenv:mine} == 'yes'", true},
		{"resp('X-Out') == 'o'", true},
		{"-f '" + file + "' && -s '" + file + "' && -e '" + dir + "' && -d '" + dir + "'", true},
		{"-f '" + dir + "'", false},
		{"file('" + file + "') == 'hello' && filesize('" + file + "') == 5", true},
		{"filesize('/nonexistent') == 0", true},
		{"'\\x41' == 'x41' && \"\\101\" == 'A'", true},
		{"%{HTTPS} == 'off' && %{IS_SUBREQ} == 'false'", true},
	} {
		e, err := Parse(c.expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.expr, err)
			continue
		}
		got, err := e.Eval(testRequest(t))
		if err != nil || got != c.want {
			t.Errorf("%q = %v, %v; want %v", c.expr, got, err, c.want)
		}
	}
}

func TestVary(t *testing.T) {
	q := testRequest(t)
	e, err := Parse("%{HTTP_USER_AGENT} =~ /x/ || req('Host') == 'a' || req('X-Num') == 1")
	if err != nil {
		t.Fatal(err)
	}
	e.Eval(q)
	if len(q.Vary) != 2 || q.Vary[0] != "User-Agent" || q.Vary[1] != "X-Num" {
		t.Errorf("Vary = %q", q.Vary)
	}
}

func TestEvalError(t *testing.T) {
	e, err := Parse("file('/nonexistent/x') == ''")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := e.Eval(testRequest(t)); ok || err == nil || err.Error() != "Cannot open file /nonexistent/x" {
		t.Errorf("got %v, %v", ok, err)
	}
}

// TestParseErrors checks the messages against apache2 2.4.71's (apache2 -t).
func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ expr, msg string }{
		{"%{HTTP_HOST} == ", "syntax error, unexpected $end"},
		{"%{FOO} == 1", "Variable 'FOO' does not exist"},
		{"foo(1) == 1", "Function 'foo' does not exist"},
		{"-X 1", "Unary operator '-X' does not exist"},
		{"1 -foo 1", "Binary operator '-foo' does not exist"},
		{"%{HTTP_HOST} =~ /(/", "Failed to compile regular expression"},
		{"1 == 1 &&", "syntax error, unexpected $end"},
		{"%{HTTP_HOST} & 1", "syntax error, unexpected T_ERROR: Parse error near '&'"},
		{"-R 1.2.3.x", "syntax error, unexpected $end, expecting '('"},
		{"-R %{HTTP_HOST}", "-R requires subnet/netmask as constant argument"},
		{"-R 'x.y'", "parsing of subnet/netmask failed"},
		{"abc == 1", "syntax error, unexpected T_OP_STR_EQ, expecting '('"},
		{"%{HTTP_HOST} == \"a", "Unterminated string or variable"},
		{"&", "Parse error near '&'"},
		{"-U '/x'", "-U is not supported by this server (it needs a subrequest)"},
	} {
		_, err := Parse(c.expr)
		if err == nil || err.Error() != c.msg {
			t.Errorf("Parse(%q) = %v; want %q", c.expr, err, c.msg)
		}
	}
}

func TestText(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"", ""},
		{"plain 'quoted' \"text\"", "plain 'quoted' \"text\""},
		{"https://%{HTTP_HOST}%{REQUEST_URI}", "https://www.example.com/a/b.html"},
		{"/x/%{tolower:%{REQUEST_METHOD}}?%{QUERY_STRING}", "/x/get?x=1&y=2"},
		{"100% $x", "100% $x"},
	} {
		e, err := ParseString(c.src)
		if err != nil {
			t.Errorf("ParseString(%q): %v", c.src, err)
			continue
		}
		if got, err := e.Text(testRequest(t)); got != c.want || err != nil {
			t.Errorf("%q = %q, %v; want %q", c.src, got, err, c.want)
		}
	}
	if _, err := ParseString("%{NOPE}"); err == nil || err.Error() != "Variable 'NOPE' does not exist" {
		t.Errorf("unknown variable: %v", err)
	}
}

// TestEvalChains: as apache2's ap_expr_eval, a right-hand chain of || or &&
// and a run of ! are one level, so long ones evaluate; only left-hand
// nesting counts against the recursion limit (20 levels).
func TestEvalChains(t *testing.T) {
	or := strings.Repeat("%{QUERY_STRING} == 'no' || ", 40) + "%{REMOTE_ADDR} == '192.0.2.7'"
	and := strings.Repeat("-n %{QUERY_STRING} && ", 40) + "true"
	left := strings.Repeat("(", 25) + "true" + strings.Repeat(" && true)", 25)
	for _, c := range []struct {
		expr string
		want bool
		err  string
	}{
		{or, true, ""},
		{"!(" + or + ")", false, ""},
		{and, true, ""},
		{and + " && false", false, ""},
		{strings.Repeat("!", 41) + "false", true, ""},
		{strings.Repeat("(", 8) + "true" + strings.Repeat(" && true)", 8), true, ""},
		{left, false, "Recursion limit reached"},
		{"!" + left, false, "Recursion limit reached"},
	} {
		e, err := Parse(c.expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.expr, err)
		}
		got, err := e.Eval(testRequest(t))
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if got != c.want || msg != c.err {
			t.Errorf("%.60q... = %v, %q; want %v, %q", c.expr, got, msg, c.want, c.err)
		}
	}
}

// TestParseDepth: nesting past bison's 10,000-entry stack fails with its
// "memory exhausted", at the depths where apache2 2.4.71 starts to refuse
// them (found with apache2 -t); 2,000,000 parentheses do not overflow the
// Go stack.
func TestParseDepth(t *testing.T) {
	r := strings.Repeat
	for _, c := range []struct {
		name string
		at   func(n int) string
		ok   int // the deepest apache2 accepts; one more fails
	}{
		{"parens", func(n int) string { return r("(", n) + "true" + r(")", n) }, 9995},
		{"parens comparison", func(n int) string { return r("(", n) + "1 == 1" + r(")", n) }, 9994},
		{"not", func(n int) string { return r("!", n) + "true" }, 9996},
		{"and", func(n int) string { return r("true && ", n) + "true" }, 4998},
		{"or", func(n int) string { return r("true || ", n) + "true" }, 4998},
		{"paren not", func(n int) string { return r("(!", n) + "true" + r(")", n) }, 4998},
		{"function", func(n int) string { return r("tolower(", n) + "1" + r(")", n) + " == 1" }, 4997},
		{"concat", func(n int) string { return "1 == 1" + r(" . '1'", n) }, 4996},
		{"variable function", func(n int) string { return r("%{tolower:", n) + "x" + r("}", n) + " == 1" }, 3331},
	} {
		if _, err := Parse(c.at(c.ok)); err != nil {
			t.Errorf("%s %d: %v", c.name, c.ok, err)
		}
		if _, err := Parse(c.at(c.ok + 1)); err == nil || err.Error() != "memory exhausted" {
			t.Errorf("%s %d: %v; want memory exhausted", c.name, c.ok+1, err)
		}
	}
	if _, err := Parse(strings.Repeat("(", 2000000) + "true" + strings.Repeat(")", 2000000)); err == nil || err.Error() != "memory exhausted" {
		t.Errorf("2,000,000 parentheses: %v", err)
	}
	if _, err := Parse("1 -in {" + strings.Repeat("1, ", 20000) + "1}"); err != nil {
		t.Errorf("lists: %v", err)
	}
}
