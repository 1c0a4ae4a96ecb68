package headers

import (
	"github.com/httpd-mpm/httpd-mpm/mpm/env"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"
)

func mustConfig(t *testing.T, lines ...[]string) *Config {
	t.Helper()
	var c Config
	for _, l := range lines {
		if err := c.Add(l[0] == "RequestHeader", l[1:]); err != nil {
			t.Fatalf("%v: %v", l, err)
		}
	}
	return &c
}

// TestApply: each action on a table, as apache2's apr_table calls do
// (names without regard to case; the handler's "ETag" spelling kept).
func TestApply(t *testing.T) {
	start := time.Unix(1700000000, 123456000)
	for _, tc := range []struct {
		name string
		line []string
		in   http.Header
		req  http.Header
		want http.Header
	}{
		{"set replaces every spelling", []string{"Header", "set", "X-A", "1"}, http.Header{"X-A": {"0", "9"}, "x-a": {"8"}}, nil, http.Header{"X-A": {"1"}}},
		{"set new keeps the spelling written", []string{"Header", "set", "x-new", "v"}, http.Header{}, nil, http.Header{"x-new": {"v"}}},
		{"unset any case", []string{"Header", "unset", "etag"}, http.Header{"ETag": {`"x"`}, "A": {"b"}}, nil, http.Header{"A": {"b"}}},
		{"append merges into the first value", []string{"Header", "append", "Cache-Control", "public"}, http.Header{"Cache-Control": {"max-age=60", "x"}}, nil, http.Header{"Cache-Control": {"max-age=60, public", "x"}}},
		{"append new", []string{"Header", "append", "Vary", "Accept"}, http.Header{}, nil, http.Header{"Vary": {"Accept"}}},
		{"add another value", []string{"Header", "add", "Set-Cookie", "b=2"}, http.Header{"Set-Cookie": {"a=1"}}, nil, http.Header{"Set-Cookie": {"a=1", "b=2"}}},
		{"merge known token", []string{"Header", "merge", "Vary", "Accept"}, http.Header{"Vary": {"Origin, Accept"}}, nil, http.Header{"Vary": {"Origin, Accept"}}},
		{"merge quoted token is one", []string{"Header", "merge", "X", "b"}, http.Header{"X": {`"a,b", c`}}, nil, http.Header{"X": {`"a,b", c, b`}}},
		{"merge is case-sensitive", []string{"Header", "merge", "Vary", "accept"}, http.Header{"Vary": {"Accept"}}, nil, http.Header{"Vary": {"Accept, accept"}}},
		{"setifempty present", []string{"Header", "setifempty", "X", "new"}, http.Header{"X": {"old"}}, nil, http.Header{"X": {"old"}}},
		{"setifempty absent", []string{"Header", "setifempty", "X", "new"}, http.Header{}, nil, http.Header{"X": {"new"}}},
		{"edit first match", []string{"Header", "edit", "Location", "^http://(.*)$", "https://$1"}, http.Header{"Location": {"http://h/p"}}, nil, http.Header{"Location": {"https://h/p"}}},
		{"edit once", []string{"Header", "edit", "X", "a", "b"}, http.Header{"X": {"aaa"}}, nil, http.Header{"X": {"baa"}}},
		// apache2 2.4.71 answers "[&1]-[&2]-a": ap_pregsub knows $N only.
		{"edit* every match, groups, & literal", []string{"Header", "edit*", "X", "a(.)", "[&$1]"}, http.Header{"X": {"a1-a2-a"}}, nil, http.Header{"X": {"[&1]-[&2]-a"}}},
		{"edit no match", []string{"Header", "edit", "X", "z", "y"}, http.Header{"X": {"abc"}}, nil, http.Header{"X": {"abc"}}},
		// A match replaced with nothing: apache2 2.4.71 keeps what is left,
		// an empty value too (sent as an empty field).
		{"edit to a suffix", []string{"Header", "edit", "Location", `^http://internal\.example`, ""}, http.Header{"Location": {"http://internal.example/path"}}, nil, http.Header{"Location": {"/path"}}},
		{"edit to empty", []string{"Header", "edit", "X", ".*", ""}, http.Header{"X": {"abc"}}, nil, http.Header{"X": {""}}},
		{"edit* to empty", []string{"Header", "edit*", "X", "^abc", ""}, http.Header{"X": {"abcabc"}}, nil, http.Header{"X": {""}}},
		{"edit one of two values to empty", []string{"Header", "edit", "Set-Cookie", "^a=1$", ""}, http.Header{"Set-Cookie": {"a=1", "b=2"}}, nil, http.Header{"Set-Cookie": {"", "b=2"}}},
		{"echo matching request fields", []string{"Header", "echo", "^X-E"}, http.Header{}, http.Header{"X-Echo": {"1"}, "Other": {"2"}}, http.Header{"X-Echo": {"1"}}},
		// apache2's r->headers_in holds a repeated field as one line.
		{"echo a repeated field as one line", []string{"Header", "echo", "^X-E"}, http.Header{}, http.Header{"X-Echo": {"1", "2"}}, http.Header{"X-Echo": {"1, 2"}}},
		{"env= never holds", []string{"Header", "set", "X", "1", "env=HTTPS"}, http.Header{}, nil, http.Header{}},
		{"env=! always holds", []string{"Header", "set", "X", "1", "env=!HTTPS"}, http.Header{}, nil, http.Header{"X": {"1"}}},
		{"formats", []string{"Header", "set", "X", `%t\t%%\\%{A}e %{B}s\q`}, http.Header{}, nil, http.Header{"X": {"t=1700000000123456\t%\\(null) (null)\\q"}}},
		{"colon dropped", []string{"Header", "set", "X-C:", "v"}, http.Header{}, nil, http.Header{"X-C": {"v"}}},
		{"request canonical", []string{"RequestHeader", "set", "x-foo", "bar"}, http.Header{}, nil, http.Header{"X-Foo": {"bar"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustConfig(t, tc.line)
			acts := append(append(c.In, c.Out...), c.Err...)
			got := Apply(acts, tc.in, tc.req, nil, start, nil, true)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestKinds: onsuccess, always and RequestHeader go to their lists, and
// Merge puts the outer level's first.
func TestKinds(t *testing.T) {
	outer := mustConfig(t, []string{"Header", "set", "A", "1"}, []string{"Header", "always", "set", "B", "1"}, []string{"RequestHeader", "set", "C", "1"})
	inner := mustConfig(t, []string{"Header", "onsuccess", "set", "A", "2"}, []string{"Header", "ALWAYS", "set", "B", "2"})
	m := outer.Merge(inner)
	if len(m.Out) != 2 || len(m.Err) != 2 || len(m.In) != 1 {
		t.Fatalf("merged lists: out %d err %d in %d", len(m.Out), len(m.Err), len(m.In))
	}
	if h := Apply(m.Out, http.Header{}, nil, nil, time.Now(), nil, true); h.Get("A") != "2" {
		t.Errorf("the inner set did not run last: %v", h)
	}
}

// TestOverlay: apache2 sends err_headers_out's fields before headers_out's.
func TestOverlay(t *testing.T) {
	h := http.Header{"X-Ap": {"one"}, "A": {"a"}}
	Overlay(h, http.Header{"X-Ap": {"two"}, "B": {"b"}})
	want := http.Header{"X-Ap": {"two", "one"}, "A": {"a"}, "B": {"b"}}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("got %v, want %v", h, want)
	}
}

// TestParseErrors: apache2 2.4.71's messages (checked with apache2 -t).
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', 'echo', 'note', 'edit', or 'edit*'."},
		{[]string{"always"}, "first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', 'echo', 'note', 'edit', or 'edit*'."},
		{[]string{"set", "X"}, "Header requires three arguments"},
		{[]string{"unset", "X", "y", "z"}, "header unset takes two arguments"},
		{[]string{"set", "X", "y", "env=A", "w"}, "Too many arguments to directive"},
		{[]string{"set", "X", "y", "env=!"}, "error: missing environment variable name. envclause should be in the form env=envar "},
		{[]string{"set", "X", "%{a"}, "Unrecognized header format %"},
		{[]string{"set", "X", "a %{foo}Z"}, "Unrecognized header format %Z"},
		{[]string{"echo", "X", "Y", "Z"}, "Header echo takes two arguments"},
		{[]string{"echo", "("}, "Header echo regex could not be compiled"},
		{[]string{"set", "X", "y", "z", "w", "v"}, "Header has too many arguments"},
	} {
		_, _, err := Parse(OnSuccess, tc.args)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Header %q: %v, want %q", tc.args, err, tc.want)
		}
	}
	for _, ok := range [][]string{{"echo"}, {"set", "X", "%"}, {"set", "X:", "y"}, {"unset", "X", "env=Y"}} {
		if _, _, err := Parse(OnSuccess, ok); err != nil {
			t.Errorf("Header %q: %v", ok, err)
		}
	}
}

// TestApplyEnv: env=[!]var and %{VAR}e read the request's variables, whose
// names compare without regard to case.
func TestApplyEnv(t *testing.T) {
	var e env.Vars
	e.Set("Mobile", "yes")
	c := mustConfig(t,
		[]string{"Header", "set", "X-Is", "%{mobile}e/%{none}e", "env=MOBILE"},
		[]string{"Header", "set", "X-Not", "1", "env=!mobile"},
		[]string{"Header", "set", "X-None", "1", "env=none"},
		[]string{"Header", "set", "X-Unset", "1", "env=!none"})
	got := Apply(c.Out, http.Header{}, nil, &e, time.Now(), nil, true)
	want := http.Header{"X-Is": {"yes/(null)"}, "X-Unset": {"1"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestApplyExpr: an expr= clause holds as its expression does for the
// request; the fields it reads go to Vary; a bad one is apache2's error.
func TestApplyExpr(t *testing.T) {
	c := mustConfig(t,
		[]string{"Header", "set", "X-Get", "1", "expr=%{REQUEST_METHOD} == 'GET'"},
		[]string{"Header", "set", "X-Post", "1", "expr=%{REQUEST_METHOD} == 'POST'"},
		[]string{"Header", "set", "X-UA", "1", "expr=%{HTTP_USER_AGENT} =~ /bot/"})
	r := httptest.NewRequest("GET", "/x", nil)
	r.Header.Set("User-Agent", "a bot")
	got := Apply(c.Out, http.Header{}, r.Header, nil, time.Now(), r, true)
	want := http.Header{"X-Get": {"1"}, "X-UA": {"1"}, "Vary": {"User-Agent"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	_, _, err := Parse(OnSuccess, []string{"set", "X", "1", "expr=1 =="})
	if err == nil || err.Error() != "Can't parse envclause/expression: syntax error, unexpected $end" {
		t.Errorf("bad expr=: %v", err)
	}
}

// TestApplyExprValue: an expr= value is its string expression's for the
// request (an edit's replacement too), and adds no Vary; %{VAR}e turns a
// variable's line breaks into spaces; %{VAR}s is "(null)" off TLS.
func TestApplyExprValue(t *testing.T) {
	var e env.Vars
	e.Set("PEM", "a\r\nb\nc")
	c := mustConfig(t,
		[]string{"Header", "set", "X-URI", "expr=%{REQUEST_URI} for %{HTTP_USER_AGENT}"},
		[]string{"Header", "set", "X-Edit", "abc"},
		[]string{"Header", "edit", "X-Edit", "b", "expr=%{REQUEST_METHOD}"},
		[]string{"Header", "set", "X-Env", "%{PEM}e"},
		[]string{"Header", "set", "X-SSL", "%{SSL_PROTOCOL}s"})
	r := httptest.NewRequest("GET", "/x", nil)
	r.Header.Set("User-Agent", "a bot")
	got := Apply(c.Out, http.Header{}, r.Header, &e, time.Now(), r, true)
	want := http.Header{"X-URI": {"/x for a bot"}, "X-Edit": {"aGETc"}, "X-Env": {"a  b c"}, "X-SSL": {"(null)"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	_, _, err := Parse(OnSuccess, []string{"set", "X", "expr=%{FOO}"})
	if err == nil || err.Error() != "Can't parse value expression : Variable 'FOO' does not exist" {
		t.Errorf("bad expr= value: %v", err)
	}
}
