package config

import (
	"bytes"
	"strings"
)

// logicalLine is one directive's worth of text: continued physical lines
// joined, surrounding white space removed.
type logicalLine struct {
	text  string
	first int // 1-based physical line where it starts
	last  int // 1-based physical line where it ends; Apache reports this one
}

// splitLines cuts src into logical lines. A line whose last character is a
// backslash continues on the next one: the backslash is removed and the next
// line appended as it is, so "a\" + "b" is "ab" and "a\" + "  b" is "a  b".
// A backslash followed by white space does not continue the line. "\r\n" is
// accepted as a line end. Comment and blank lines are kept (with empty or
// '#'-leading text) so that callers decide; a comment continues too.
func splitLines(src []byte) []logicalLine {
	var out []logicalLine
	var buf []byte
	line, first := 0, 0
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
		if n := len(phys); n > 0 && phys[n-1] == '\r' {
			phys = phys[:n-1]
		}
		if !pending {
			first = line
			buf = buf[:0]
		}
		if n := len(phys); n > 0 && phys[n-1] == '\\' {
			buf = append(buf, phys[:n-1]...)
			pending = true
			continue
		}
		buf = append(buf, phys...)
		pending = false
		out = append(out, logicalLine{text: trimSpace(string(buf)), first: first, last: line})
	}
	if pending {
		// Apache reads on for the continuation and counts the empty line at
		// the end of the file.
		last := line
		if endsWithNewline {
			last++
		}
		out = append(out, logicalLine{text: trimSpace(string(buf)), first: first, last: last})
	}
	return out
}

// isSpace is C's isspace in the C locale, which Apache uses.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func trimLeftSpace(s string) string {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return s[i:]
}

func trimSpace(s string) string {
	s = trimLeftSpace(s)
	j := len(s)
	for j > 0 && isSpace(s[j-1]) {
		j--
	}
	return s[:j]
}

// isComment reports whether a logical line is blank or a comment. Only a '#'
// at the start of the line (after white space) starts a comment; elsewhere it
// is an ordinary character, as in Apache.
func isComment(text string) bool { return text == "" || text[0] == '#' }

// nextWord returns the first word of s and what follows it, with the white
// space after the word removed, following Apache's ap_getword_conf: a word is
// either quoted with " or ' (the quotes removed, \" or \' inside giving the
// quote) or runs to the next white space. In both, \\ gives one backslash;
// other backslashes are kept. A closing quote ends the word even when no
// white space follows it; a missing closing quote runs to the end.
func nextWord(s string) (word, rest string) {
	s = trimLeftSpace(s)
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
		for end < len(s) && !isSpace(s[end]) {
			end++
		}
		word = unescape(s[:end], 0)
	}
	return word, trimLeftSpace(s[end:])
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

// splitWords splits s into words with nextWord. A quoted empty string is an
// empty word.
func splitWords(s string) []string {
	var words []string
	s = trimLeftSpace(s)
	for s != "" {
		var w string
		w, s = nextWord(s)
		words = append(words, w)
	}
	return words
}

// maxExpanded bounds a line after ${VAR} expansion, so that a chain of
// Defines that doubles a value cannot exhaust memory.
const maxExpanded = 1 << 20

// expandVars replaces each ${NAME} in s by lookup(NAME). An undefined name is
// left as written and reported to undefined. The name runs to the first '}',
// so "${${A}}" looks up "${A". A "${" without a '}' is left alone. ok is
// false when the result would exceed maxExpanded; the text is then returned
// unexpanded from that point.
func expandVars(s string, lookup func(string) (string, bool), undefined func(string)) (out string, ok bool) {
	if !strings.Contains(s, "${") {
		return s, true
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+2:], '}')
		if j < 0 {
			break
		}
		name := s[i+2 : i+2+j]
		b.WriteString(s[:i])
		if v, found := lookup(name); found {
			if b.Len()+len(v) > maxExpanded {
				b.WriteString(s[i:])
				return b.String(), false
			}
			b.WriteString(v)
		} else {
			undefined(name)
			b.WriteString(s[i : i+3+j])
		}
		s = s[i+3+j:]
	}
	b.WriteString(s)
	return b.String(), true
}
