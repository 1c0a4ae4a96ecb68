package http1

import (
	"net/http"
	"strings"
)

// AddVary adds the tokens of v (comma-separated) to h's Vary, as
// apr_table_mergen followed by apache2's fixup_vary: one field, its tokens
// once each (case ignored), joined by ",".
func AddVary(h http.Header, v string) {
	vs := h["Vary"]
	if len(vs) == 0 && !strings.ContainsAny(v, " ,") {
		h["Vary"] = []string{v}
		return
	}
	var toks []string
	for _, v := range append(vs[:len(vs):len(vs)], v) {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if t == "" {
				continue
			}
			dup := false
			for _, u := range toks {
				dup = dup || strings.EqualFold(u, t)
			}
			if !dup {
				toks = append(toks, t)
			}
		}
	}
	h["Vary"] = []string{strings.Join(toks, ",")}
}
