// Package aphtml escapes text for HTML as Apache's util.c does.
package aphtml

import "strings"

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// Escape is ap_escape_html: "&", "<", ">" and `"` become entities, and
// nothing else does (a "'" stays, unlike html.EscapeString's &#39;).
func Escape(s string) string {
	if !strings.ContainsAny(s, `&<>"`) {
		return s
	}
	return escaper.Replace(s)
}
