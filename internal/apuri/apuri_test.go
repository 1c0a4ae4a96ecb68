package apuri

import "testing"

func TestEscapePath(t *testing.T) {
	for _, c := range []struct {
		in      string
		partial bool
		want    string
	}{
		{"/a b/c%d", true, "/a%20b/c%25d"},
		{"/keep$-_.+!*'(),:;@&=/~", true, "/keep$-_.+!*'(),:;@&=/~"},
		{"a:b.txt", false, "./a:b.txt"},
		{"a:b.txt", true, "a:b.txt"},
		{"d/a:b", false, "d/a:b"},
		{"\n\x7f\xff?#", true, "%0a%7f%ff%3f%23"},
	} {
		if got := EscapePath(c.in, c.partial); got != c.want {
			t.Errorf("EscapePath(%q, %t) = %q, want %q", c.in, c.partial, got, c.want)
		}
	}
}

func TestIsURL(t *testing.T) {
	for s, want := range map[string]bool{
		"http://a/": true, "mailto:x": true, "a+b.c-d:": true,
		"/a:b": false, ":x": false, "http": false, "h t:x": false, "": false,
	} {
		if got := IsURL(s); got != want {
			t.Errorf("IsURL(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestDecode(t *testing.T) {
	for in, want := range map[string]string{
		"plain": "plain", "a%20b": "a b", "%2Fx%2f": "/x/", "a+b": "a+b",
		"bad%zzescape%41": "bad%zzescapeA", "end%4": "end%4", "%": "%", "%00": "\x00",
	} {
		if got := Decode(in); got != want {
			t.Errorf("Decode(%q) = %q, want %q", in, got, want)
		}
	}
}
