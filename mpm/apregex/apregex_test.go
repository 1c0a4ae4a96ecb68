package apregex

import "testing"

func TestCompile(t *testing.T) {
	cases := []struct {
		pattern string
		icase   bool
		subject string
		want    bool
	}{
		{"^/x/.*$", false, "/x/a\nb", true}, // '.' matches a newline (DOTALL)
		{"^/x/.*$", false, "/x/a\r\nb", true},
		{"^a.b$", false, "a\nb", true},
		{"^ab$", false, "ab\n", false}, // '$' only at the very end (DOLLAR_ENDONLY)
		{"^AB$", true, "ab", true},
		{"^AB$", false, "ab", false},
		{"^A.B$", true, "a\nb", true},
	}
	for _, c := range cases {
		re, err := Compile(c.pattern, c.icase)
		if err != nil {
			t.Fatalf("Compile(%q): %v", c.pattern, err)
		}
		if got := re.MatchString(c.subject); got != c.want {
			t.Errorf("Compile(%q, %t).MatchString(%q) = %t, want %t", c.pattern, c.icase, c.subject, got, c.want)
		}
	}
	if _, err := Compile("(", false); err == nil {
		t.Error(`Compile("(") compiled`)
	}
}
