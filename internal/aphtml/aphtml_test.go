package aphtml

import "testing"

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain":            "plain",
		`<a href="x">'&'`:  `&lt;a href=&quot;x&quot;&gt;'&amp;'`,
		"&amp;":            "&amp;amp;",
		"caf\xc3\xa9 \x01": "caf\xc3\xa9 \x01",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}
