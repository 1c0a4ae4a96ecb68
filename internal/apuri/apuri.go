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
