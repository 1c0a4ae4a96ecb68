package config

import (
	"strings"

	"github.com/httpd-mpm/httpd-mpm/internal/apconf"
)

// logicalLine is one directive's worth of text (apconf.Line).
type logicalLine struct {
	text  string
	first int // 1-based physical line where it starts
	last  int // 1-based physical line where it ends; Apache reports this one
}

// splitLines cuts the text of file into logical lines (apconf.ReadLines,
// at most apconf.MaxConfLine bytes long).
func splitLines(file string, src []byte) ([]logicalLine, *apconf.LineTooLongError) {
	ls, err := apconf.ReadLines(file, src, apconf.MaxConfLine)
	if err != nil {
		return nil, err.(*apconf.LineTooLongError)
	}
	out := make([]logicalLine, len(ls))
	for i, l := range ls {
		out[i] = logicalLine{text: l.Text, first: l.First, last: l.Last}
	}
	return out, nil
}

var (
	isSpace       = apconf.IsSpace
	trimLeftSpace = apconf.TrimLeftSpace
	trimSpace     = apconf.TrimSpace
	isComment     = apconf.IsComment
	nextWord      = apconf.NextWord
	splitWords    = apconf.Words
)

// maxExpanded bounds a line after ${VAR} expansion, so that a chain of
// Defines that doubles a value cannot exhaust memory.
const maxExpanded = 1 << 20

// expandVars replaces each ${NAME} in s by lookup(NAME). An undefined name is
// left as written and reported to undefined unless it holds a ':' (a
// RewriteMap lookup, which apache2 does not warn about). The name runs to the first '}',
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
			if !strings.Contains(name, ":") { // mod_rewrite's ${map:key}: apache2 does not warn
				undefined(name)
			}
			b.WriteString(s[i : i+3+j])
		}
		s = s[i+3+j:]
	}
	b.WriteString(s)
	return b.String(), true
}
