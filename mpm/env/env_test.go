package env

import (
	"net/http"
	"strings"
	"testing"
)

func vars(v *Vars) string {
	var parts []string
	v.Each(func(n, x string) { parts = append(parts, n+"="+x) })
	return strings.Join(parts, " ")
}

// TestConditions: mod_setenvif's lines in order, their attributes, back
// references (not for a literal pattern), !var, var without value, and a
// line repeating the one before adding to it.
func TestConditions(t *testing.T) {
	var c Conditions
	for _, line := range [][]string{
		{"BrowserMatch", `^Mozilla/([0-9])`, "moz=$1", "gecko", "x=\\$1"},
		{"BrowserMatch", `^Mozilla/([0-9])`, "more"},
		{"BrowserMatchNoCase", "phone", "mobile=yes"},
		{"SetEnvIf", "Request_URI", `^/p/(.*)$`, "rest=$1$9"},
		{"SetEnvIf", "Remote_Addr", `10\.0`, "from=$0"},
		{"SetEnvIf", "moz", "5", "five"},
		{"SetEnvIf", "X-Drop", ".", "!gecko", "empty="},
		{"SetEnvIf", "^X-Re.*", "v", "byname"},
		{"SetEnvIfNoCase", "Request_Method", "^head$", "head"},
	} {
		if err := c.Add(line[0], line[1:]); err != nil {
			t.Fatalf("%v: %v", line, err)
		}
	}
	if len(c.list) != 8 {
		t.Errorf("%d entries, want 8 (the repeated BrowserMatch merged)", len(c.list))
	}
	r, _ := http.NewRequest("HEAD", "http://h/p/q", nil)
	r.Header.Set("User-Agent", "Mozilla/5.0 (PHONE)")
	r.Header.Set("X-Drop", "1")
	r.Header.Set("X-Rex", "v")
	var v Vars
	c.Apply(&v, &Request{R: r, URI: "/p/q", RemoteIP: "10.0.0.1"})
	want := "moz=5 x=$1 more=1 mobile=yes rest=q from=$0 five=1 empty=1 byname=1 head=1"
	if got := vars(&v); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestConditionErrors: mod_setenvif's messages.
func TestConditionErrors(t *testing.T) {
	for _, tc := range []struct {
		line []string
		want string
	}{
		{[]string{"SetEnvIf"}, "Missing header-field name for SetEnvIf"},
		{[]string{"SetEnvIf", "Host"}, "Missing regular expression for SetEnvIf"},
		{[]string{"BrowserMatch", "x"}, "Missing envariable expression for BrowserMatch"},
		{[]string{"SetEnvIfNoCase", "Host", "(", "a"}, "SetEnvIfNoCase regex could not be compiled."},
	} {
		var c Conditions
		err := c.Add(tc.line[0], tc.line[1:])
		if err == nil || err.Error() != tc.want {
			t.Errorf("%v: %v, want %q", tc.line, err, tc.want)
		}
	}
}

// TestSetting: mod_env's merge (UnsetEnv removes what an outer level set)
// and its fixup (a variable set before keeps its value for a lookup, the
// later entry follows it).
func TestSetting(t *testing.T) {
	var outer, inner Setting
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(outer.Add("SetEnv", []string{"A", "1"}))
	must(outer.Add("SetEnv", []string{"B"}))
	must(outer.Add("SetEnv", []string{"C", "3"}))
	must(inner.Add("UnsetEnv", []string{"b"}))
	must(inner.Add("SetEnv", []string{"a", "2"}))
	t.Setenv("ENV_TEST_PASSED", "p")
	must(inner.Add("PassEnv", []string{"ENV_TEST_PASSED", "ENV_TEST_UNDEFINED"}))
	m := outer.Merge(&inner)
	var v Vars
	v.Set("c", "early")
	m.Apply(&v)
	if got, want := vars(&v), "c=early A=2 C=3 ENV_TEST_PASSED=p"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got, _ := v.Get("C"); got != "early" {
		t.Errorf("C looked up: %q, want the first entry's", got)
	}
	m.Apply(&v) // the fixups again (a redirect's request): nothing added
	if got, want := vars(&v), "c=early A=2 C=3 ENV_TEST_PASSED=p"; got != want {
		t.Errorf("applied twice: got %s, want %s", got, want)
	}
	v.Set("C", "set")
	if got, want := vars(&v), "c=set A=2 ENV_TEST_PASSED=p"; got != want {
		t.Errorf("after Set: got %s, want %s", got, want)
	}
	var idx Vars // an index's subrequest: only what the request lacks
	idx.Set("C", "dir")
	m.ApplyIndex(&idx)
	if got, want := vars(&idx), "C=dir A=2 ENV_TEST_PASSED=p"; got != want {
		t.Errorf("ApplyIndex: got %s, want %s", got, want)
	}
	if got := vars(&Vars{kv: outer.vars}); got != "A=1 B= C=3" {
		t.Errorf("the merge changed the outer level: %s", got)
	}
}
