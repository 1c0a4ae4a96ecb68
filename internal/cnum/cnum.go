// Package cnum reads numbers as Apache's C code does.
package cnum

// Atoi is C's atoi, which Apache uses for most numbers: leading white space
// and a sign are skipped, conversion stops at the first other character,
// text without digits is 0. It saturates where C would overflow.
func Atoi(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n < 1<<40 {
			n = n*10 + int(s[i]-'0')
		}
	}
	if neg {
		return -n
	}
	return n
}
