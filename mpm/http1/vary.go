package http1

import (
	"net/http"
	"strings"
)

// AddVary adds the tokens of v (comma-separated) to h's Vary, as
// apr_table_mergen followed by apache2's fixup_vary: one field, its tokens
// once each (case ignored), joined by ",".
func AddVary(h http.Header, v string) {
	if len(h["Vary"]) == 0 && !strings.ContainsAny(v, " \t,") {
		h["Vary"] = []string{v}
		return
	}
	h["Vary"] = append(h["Vary"], v)
	fixupVary(h)
}

// fixupVary is apache2's fixup_vary, which its HTTP header filter applies to
// every answer: h's Vary fields become one, their tokens (separated by
// commas or blanks) once each (case ignored), joined by ",".
func fixupVary(h http.Header) {
	vs := h["Vary"]
	if len(vs) == 0 || len(vs) == 1 && !strings.ContainsAny(vs[0], " \t,") {
		return
	}
	var toks []string
	for _, v := range vs {
		for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			dup := false
			for _, u := range toks {
				dup = dup || strings.EqualFold(u, t)
			}
			if !dup {
				toks = append(toks, t)
			}
		}
	}
	if len(toks) == 0 {
		return
	}
	h["Vary"] = []string{strings.Join(toks, ",")}
}
