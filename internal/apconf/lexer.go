// Package apconf is the text of Apache configuration files as apache2 reads
// it (ap_cfg_getline, ap_getword_conf), shared by the host's reader of
// httpd.conf (package host/config) and the MPM's reader of .htaccess files
// (package mpm/site): logical lines with their continuations, comments and
// words; and the modules this server provides, which <IfModule> sees.
package apconf

import (
	"bytes"
	"fmt"
	"strings"
)

// Line is one directive's worth of text: continued physical lines
// joined, surrounding white space removed.
type Line struct {
	Text  string
	First int // 1-based physical line where it starts
	Last  int // 1-based physical line where it ends; Apache reports this one
}

// Lines cuts src into logical lines. A line whose last character is a
// backslash continues on the next one: the backslash is removed and the next
// line appended as it is, so "a\" + "b" is "ab" and "a\" + "  b" is "a  b".
// A backslash followed by white space does not continue the line. "\r\n" is
// accepted as a line end. Comment and blank lines are kept (with empty or
// '#'-leading text) so that callers decide; a comment continues too.
func Lines(src []byte) []Line {
	out, _ := ReadLines("", src, len(src)+1)
	return out
}

// The longest logical lines apache2 reads (VARBUF_MAX_LEN for the server's
// configuration files, HUGE_STRING_LEN for .htaccess files), in bytes with
// the line's end ("\n" or "\r\n") but without its continuations' backslashes
// and line ends.
const (
	MaxConfLine     = 16 << 20
	MaxHtaccessLine = 8192
)

// LineTooLongError is a logical line longer than ReadLines's max: apache2's
// "Error reading FILE at line N: Line too long", N the physical line where
// it overflows.
type LineTooLongError struct {
	File string
	Line int
}

func (e *LineTooLongError) Error() string {
	return fmt.Sprintf("Error reading %s at line %d: Line too long", e.File, e.Line)
}

// ReadLines is Lines for the file named file, refusing a logical line longer
// than max bytes (MaxConfLine, MaxHtaccessLine) as apache2's
// ap_varbuf_cfg_getline does.
func ReadLines(file string, src []byte, max int) ([]Line, error) {
	var out []Line
	var buf []byte
	line, first, size := 0, 0, 0
	pending, endsWithNewline := false, false
	for len(src) > 0 {
		var phys []byte
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			phys, src = src[:i], src[i+1:]
			endsWithNewline = true
		} else {
			phys, src = src, nil
			endsWithNewline = false
		}
		line++
		if !pending {
			first = line
			buf = buf[:0]
			size = 0
		}
		raw := len(phys)
		if endsWithNewline {
			raw++
		}
		if n := len(phys); n > 0 && phys[n-1] == '\r' {
			phys = phys[:n-1]
		}
		continued := len(phys) > 0 && phys[len(phys)-1] == '\\'
		if continued {
			size += len(phys) - 1
		} else {
			size += raw
		}
		if size > max {
			return nil, &LineTooLongError{File: file, Line: line}
		}
		if continued {
			buf = append(buf, phys[:len(phys)-1]...)
			pending = true
			continue
		}
		buf = append(buf, phys...)
		pending = false
		out = append(out, Line{Text: TrimSpace(string(buf)), First: first, Last: line})
	}
	if pending {
		// Apache reads on for the continuation and counts the empty line at
		// the end of the file.
		last := line
		if endsWithNewline {
			last++
		}
		out = append(out, Line{Text: TrimSpace(string(buf)), First: first, Last: last})
	}
	return out, nil
}

// IsSpace is C's isspace in the C locale, which Apache uses.
func IsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// TrimLeftSpace removes the white space (IsSpace) s starts with.
func TrimLeftSpace(s string) string {
	i := 0
	for i < len(s) && IsSpace(s[i]) {
		i++
	}
	return s[i:]
}

// TrimSpace removes the white space (IsSpace) around s.
func TrimSpace(s string) string {
	s = TrimLeftSpace(s)
	j := len(s)
	for j > 0 && IsSpace(s[j-1]) {
		j--
	}
	return s[:j]
}

// IsComment reports whether a logical line is blank or a comment. Only a '#'
// at the start of the line (after white space) starts a comment; elsewhere it
// is an ordinary character, as in Apache.
func IsComment(text string) bool { return text == "" || text[0] == '#' }

// NextWord returns the first word of s and what follows it, with the white
// space after the word removed, following Apache's ap_getword_conf: a word is
// either quoted with " or ' (the quotes removed, \" or \' inside giving the
// quote) or runs to the next white space. In both, \\ gives one backslash;
// other backslashes are kept. A closing quote ends the word even when no
// white space follows it; a missing closing quote runs to the end.
func NextWord(s string) (word, rest string) {
	s = TrimLeftSpace(s)
	if s == "" {
		return "", ""
	}
	end := 0
	if q := s[0]; q == '"' || q == '\'' {
		i := 1
		for i < len(s) && s[i] != q {
			if s[i] == '\\' && i+1 < len(s) && (s[i+1] == q || s[i+1] == '\\') {
				i += 2
			} else {
				i++
			}
		}
		word = unescape(s[1:i], q)
		if i < len(s) {
			i++
		}
		end = i
	} else {
		for end < len(s) && !IsSpace(s[end]) {
			end++
		}
		word = unescape(s[:end], 0)
	}
	return word, TrimLeftSpace(s[end:])
}

// unescape turns \\ into \ and, inside quotes, \<quote> into <quote>.
func unescape(s string, quote byte) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || (quote != 0 && s[i+1] == quote)) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Words splits s into words with NextWord. A quoted empty string is an
// empty word.
func Words(s string) []string {
	var words []string
	s = TrimLeftSpace(s)
	for s != "" {
		var w string
		w, s = NextWord(s)
		words = append(words, w)
	}
	return words
}
