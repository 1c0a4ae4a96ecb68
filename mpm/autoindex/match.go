package autoindex

import (
	"strconv"

	"github.com/httpd-mpm/httpd-mpm/mpm/wildcard"
)

// wildMatch is apache2's ap_strcmp_match (fold false) and
// ap_strcasecmp_match (fold true).
func wildMatch(s, pattern string, fold bool) bool {
	return wildcard.Match(s, pattern, fold)
}

// fnmatch is apr_fnmatch without APR_FNM_PATHNAME: '*', '?' and bracket
// expressions ('!' or '^' negates, ranges); a backslash quotes the next byte
// unless noEscape; with period, a leading '.' must be matched literally.
// It does not backtrack (see package wildcard): P= comes from the request.
func fnmatch(pattern, s string, noEscape, period bool) bool {
	if period && s != "" && s[0] == '.' && (pattern == "" || pattern[0] != '.') {
		return false
	}
	return wildcard.Star(pattern, s, func(p string, c byte) (int, bool) {
		switch {
		case p[0] == '?':
			return 1, true
		case p[0] == '[':
			ok, n := bracket(p, c, noEscape)
			if n == 0 { // no closing ']': a literal '['
				return 1, c == '['
			}
			return n, ok
		case p[0] == '\\' && !noEscape && len(p) > 1:
			return 2, p[1] == c
		}
		return 1, p[0] == c
	})
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// bracket matches c against the bracket expression at the start of p and
// returns the expression's length, 0 when it is not closed.
func bracket(p string, c byte, noEscape bool) (bool, int) {
	i := 1
	negate := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		negate = true
		i++
	}
	matched := false
	first := true
	for i < len(p) {
		if p[i] == ']' && !first {
			return matched != negate, i + 1
		}
		first = false
		lo := p[i]
		if lo == '\\' && !noEscape && i+1 < len(p) {
			i++
			lo = p[i]
		}
		i++
		hi := lo
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			hi = p[i+1]
			if hi == '\\' && !noEscape && i+2 < len(p) {
				i++
				hi = p[i+1]
			}
			i += 2
		}
		if lo <= c && c <= hi {
			matched = true
		}
	}
	return false, 0
}

// natCompare is apr_strnatcmp (fold false) and apr_strnatcasecmp (fold
// true): runs of digits compare as numbers (a run with a leading zero as a
// fraction), leading white space is skipped; bytes compare as C's (signed)
// char.
func natCompare(a, b string, fold bool) int {
	ai, bi := 0, 0
	at := func(s string, i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	for {
		ca, cb := at(a, ai), at(b, bi)
		for isSpace(ca) {
			ai++
			ca = at(a, ai)
		}
		for isSpace(cb) {
			bi++
			cb = at(b, bi)
		}
		if isDigit(ca) && isDigit(cb) {
			var r int
			if ca == '0' || cb == '0' {
				r = compareLeft(a[ai:], b[bi:])
			} else {
				r = compareRight(a[ai:], b[bi:])
			}
			if r != 0 {
				return r
			}
		}
		if ca == 0 && cb == 0 {
			return 0
		}
		if fold {
			ca, cb = upper(ca), upper(cb)
		}
		if sa, sb := int8(ca), int8(cb); sa != sb {
			if sa < sb {
				return -1
			}
			return 1
		}
		ai++
		bi++
	}
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

func isSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// compareRight compares two right-aligned numbers: the longest run is the
// greater; else the first difference decides.
func compareRight(a, b string) int {
	bias := 0
	for i := 0; ; i++ {
		var ca, cb byte
		if i < len(a) {
			ca = a[i]
		}
		if i < len(b) {
			cb = b[i]
		}
		switch {
		case !isDigit(ca) && !isDigit(cb):
			return bias
		case !isDigit(ca):
			return -1
		case !isDigit(cb):
			return 1
		case ca < cb:
			if bias == 0 {
				bias = -1
			}
		case ca > cb:
			if bias == 0 {
				bias = 1
			}
		}
	}
}

// compareLeft compares two left-aligned numbers (fractions): the first
// difference decides.
func compareLeft(a, b string) int {
	for i := 0; ; i++ {
		var ca, cb byte
		if i < len(a) {
			ca = a[i]
		}
		if i < len(b) {
			cb = b[i]
		}
		switch {
		case !isDigit(ca) && !isDigit(cb):
			return 0
		case !isDigit(ca):
			return -1
		case !isDigit(cb):
			return 1
		case ca < cb:
			return -1
		case ca > cb:
			return 1
		}
	}
}

// Size is apr_strfsize: a size in four characters ("  0 ", "973 ",
// "1.2K", " 12M"), "  - " for a negative one.
func Size(size int64) string {
	if size < 0 {
		return "  - "
	}
	if size < 973 {
		return pad3(strconv.FormatInt(size, 10)) + " "
	}
	const ord = "KMGTPE"
	o := 0
	for {
		remain := size & 1023
		size >>= 10
		if size >= 973 {
			o++
			continue
		}
		if size < 9 || size == 9 && remain < 973 {
			remain = (remain*5 + 256) / 512
			if remain >= 10 {
				size++
				remain = 0
			}
			return strconv.FormatInt(size, 10) + "." + strconv.FormatInt(remain, 10) + ord[o:o+1]
		}
		if remain >= 512 {
			size++
		}
		return pad3(strconv.FormatInt(size, 10)) + ord[o:o+1]
	}
}

func pad3(s string) string {
	for len(s) < 3 {
		s = " " + s
	}
	return s
}
