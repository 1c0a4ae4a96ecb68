package wildcard

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	cases := []struct {
		s, p string
		fold bool
		want bool
	}{
		{"/d/x.txt", "*.txt", false, true},
		{"/d/x.TXT", "*.txt", false, false},
		{"/d/x.TXT", "*.txt", true, true},
		{"text/plain", "TEXT/*", true, true},
		{"abc", "a?c", false, true},
		{"ac", "a?c", false, false},
		{"", "*", false, true},
		{"", "?", false, false},
		{"", "", false, true},
		{"a", "", false, false},
		{"abc", "a*c", false, true},
		{"abcbc", "a*bc", false, true},
		{"abcbd", "a*bc", false, false},
		{"aXbXc", "*X*X*", false, true},
		{"aXb", "*X*X*", false, false},
		{"mississippi", "m*iss*ppi", false, true},
		{"mississippi", "m*iss*ppx", false, false},
		{"^^DIRECTORY^^", "*^^DIRECTORY^^", false, true},
		{"www1.x", "www?.*", false, true},
	}
	for _, c := range cases {
		if got := Match(c.s, c.p, c.fold); got != c.want {
			t.Errorf("Match(%q, %q, %v) = %v, want %v", c.s, c.p, c.fold, got, c.want)
		}
	}
}

// TestWorstCase counts the byte comparisons of patterns that take a
// backtracking matcher exponential time (CVE-2011-0419): they stay within
// len(s)*len(pattern).
func TestWorstCase(t *testing.T) {
	s := strings.Repeat("a", 45)
	for _, p := range []string{strings.Repeat("*?", 13) + "X", strings.Repeat("*a", 20) + "X", strings.Repeat("a*", 30) + "b"} {
		steps := 0
		ok := Star(p, s, func(p string, c byte) (int, bool) {
			steps++
			return 1, p[0] == '?' || p[0] == c
		})
		if ok {
			t.Errorf("%q matched %q", p, s)
		}
		if limit := len(s) * len(p); steps > limit {
			t.Errorf("%q against %q: %d comparisons, more than %d", p, s, steps, limit)
		}
	}
}
