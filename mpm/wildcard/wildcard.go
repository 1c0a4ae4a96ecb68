// Package wildcard matches the shell-style patterns of Apache's directives
// (ServerAlias, IndexIgnore, AddIcon, the listing's P= query) without
// backtracking: each '*' is retried from the text position after the last
// one only, as apr_fnmatch does since APR 1.4.5 (CVE-2011-0419), so a
// pattern from a request costs O(len(text) * len(pattern)) at worst.
package wildcard

// Match reports whether s matches pattern as apache2's ap_strcmp_match (fold
// false) and ap_strcasecmp_match (fold true) do: '*' matches any run of
// bytes, '?' any one byte, any other byte itself (ASCII case folded if fold).
func Match(s, pattern string, fold bool) bool {
	return Star(pattern, s, func(p string, c byte) (int, bool) {
		return 1, p[0] == '?' || p[0] == c || fold && lower(p[0]) == lower(c)
	})
}

// Star matches s against pattern in which '*' matches any run of bytes and
// every other token matches exactly one byte: one(p, c) returns the length
// of the token that starts p (at least 1) and whether it matches c.
func Star(pattern, s string, one func(p string, c byte) (int, bool)) bool {
	p, i := 0, 0
	star, mark := -1, 0 // the pattern after the last '*', where s resumes then
	for p < len(pattern) || i < len(s) {
		if p < len(pattern) {
			if pattern[p] == '*' {
				for p < len(pattern) && pattern[p] == '*' {
					p++
				}
				if p == len(pattern) {
					return true
				}
				star, mark = p, i
				continue
			}
			if i < len(s) {
				if n, ok := one(pattern[p:], s[i]); ok {
					p += n
					i++
					continue
				}
			}
		}
		// A mismatch: the last '*' takes one more byte, or nothing matches.
		if star < 0 || mark >= len(s) {
			return false
		}
		mark++
		p, i = star, mark
	}
	return true
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
