package http1

import (
	"net/http"
	"strings"
)

// AddVary adds the field names to h's Vary as apr_table_mergen followed by
// apache2's fixup_vary do: one field, its tokens once each (case ignored),
// joined by ",".
func AddVary(h http.Header, names ...string) {
	vs := h["Vary"]
	if len(vs) == 0 && len(names) == 1 {
		h["Vary"] = []string{names[0]}
		return
	}
	var toks []string
	for _, v := range append(vs[:len(vs):len(vs)], names...) {
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
