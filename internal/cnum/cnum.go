// Package cnum reads numbers as Apache's C code does.
package cnum

import (
	"errors"
	"strconv"
	"strings"
)

// saturation is where Atoi stops adding digits: far above any count or size
// Apache reads, and low enough that a caller may multiply it by 1024 (a KiB
// count) without overflow on 64-bit platforms; one more digit never
// overflows int.
const saturation = 1 << min(40, strconv.IntSize-5)

// Atoi is C's atoi, which Apache uses for most numbers: leading white space
// and a sign are skipped, conversion stops at the first other character,
// text without digits is 0. It saturates where C would overflow.
func Atoi(s string) int {
	i, neg := signStart(s)
	n := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n < saturation {
			n = n*10 + int(s[i]-'0')
		}
	}
	if neg {
		return -n
	}
	return n
}

// Atof is C's atof (strtod): leading white space is skipped, then the
// longest prefix that reads as a number is converted (a sign, decimal
// digits with an optional "." and exponent, a "0x" hexadecimal one, "inf",
// "infinity" or "nan"); text without one is 0.
func Atof(s string) float64 {
	start := 0
	for start < len(s) && isSpace(s[start]) {
		start++
	}
	i, _ := signStart(s)
	for _, w := range []string{"infinity", "inf", "nan"} {
		if len(s)-i >= len(w) && strings.EqualFold(s[i:i+len(w)], w) {
			f, _ := strconv.ParseFloat(s[start:i+len(w)], 64)
			return f
		}
	}
	digit, exp := isDigit, byte('e')
	if len(s)-i > 2 && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && (isHex(s[i+2]) || s[i+2] == '.' && len(s)-i > 3 && isHex(s[i+3])) {
		digit, exp = isHex, 'p'
		i += 2
	}
	mant := i
	for i < len(s) && digit(s[i]) {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && digit(s[i]) {
			i++
		}
	}
	if i == mant || i == mant+1 && s[mant] == '.' {
		return 0 // no digits
	}
	num := s[start:i]
	if j := i; j < len(s) && (s[j]|0x20) == exp {
		j++
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			num = s[start:j]
		}
	}
	if exp == 'p' && !strings.ContainsAny(num[mant-start:], "pP") {
		num += "p0" // Go's hexadecimal floats need the exponent
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0
	}
	return f // ±Inf or 0 out of range, as strtod's HUGE_VAL
}

// signStart is where the digits of s start, after C's white space and a
// sign, and whether the sign is "-".
func signStart(s string) (int, bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		return i + 1, s[i] == '-'
	}
	return i, false
}

// Digits reports whether s is one or more ASCII digits and nothing else
// (apr_isdigit on every byte).
func Digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f' }
