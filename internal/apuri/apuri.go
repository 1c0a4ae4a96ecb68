// Package apuri escapes URL paths as Apache's util.c does.
package apuri

import "strings"

// EscapePath is ap_os_escape_path: every byte but letters, digits and
// "$-_.+!*'(),:;@&=/~" as %xx (lower-case hex). With partial false (a
// relative reference, as mod_autoindex's links), a first segment holding a
// ':' gets "./" before it, lest it read as a scheme. ap_escape_uri is
// EscapePath(s, true).
func EscapePath(s string, partial bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if escaped(s[i]) {
			n++
		}
	}
	prefix := !partial && strings.IndexByte(s, ':') >= 0 && !strings.Contains(s[:strings.IndexByte(s, ':')], "/")
	if n == 0 && !prefix {
		return s
	}
	b := make([]byte, 0, len(s)+2*n+2)
	if prefix {
		b = append(b, "./"...)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; escaped(c) {
			b = append(b, '%', hex[c>>4], hex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

const hex = "0123456789abcdef"

func escaped(c byte) bool {
	return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') && strings.IndexByte("$-_.+!*'(),:;@&=/~", c) < 0
}

// EscapeSegment is ap_escape_path_segment: EscapePath's escaping with '/'
// and ';' escaped too, and no "./" prefix.
func EscapeSegment(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if escaped(c) || c == '/' || c == ';' {
			if b == nil {
				b = append(make([]byte, 0, len(s)+8), s[:i]...)
			}
			b = append(b, '%', hex[c>>4], hex[c&15])
		} else if b != nil {
			b = append(b, c)
		}
	}
	if b == nil {
		return s
	}
	return string(b)
}

// Unescape is apache2's ap_unescape_url (keep2F false: an encoded '/' is
// refused) and ap_unescape_url_keep2f(s, 0) (keep2F true: "%2F" stays as
// written): %XX decoded; a bad escape or an encoded NUL gives false.
func Unescape(s string, keep2F bool) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return "", false
		}
		c := unhex(s[i+1])<<4 | unhex(s[i+2])
		switch {
		case c == 0 || c == '/' && !keep2F:
			return "", false
		case c == '/':
			b.WriteString(s[i : i+3])
		default:
			b.WriteByte(c)
		}
		i += 2
	}
	return b.String(), true
}

// BadEscape reports whether s has a '%' not followed by two hex digits,
// which ap_unescape_url and ap_normalize_path refuse.
func BadEscape(s string) bool {
	for i := strings.IndexByte(s, '%'); i >= 0; i = strings.IndexByte(s, '%') {
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return true
		}
		s = s[i+3:]
	}
	return false
}

// Decode is ap_unescape_url's decoding where its result is used whatever
// it returns (a CGI script's ISINDEX arguments, mod_proxy_balancer's form
// fields): every %XX decoded, a bad escape kept as it is.
func Decode(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// IsURL is ap_is_url: s starts with a scheme (letters, digits, '+', '-' and
// '.') and a ':'.
func IsURL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			return i > 0
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '+', c == '-', c == '.':
		default:
			return false
		}
	}
	return false
}
