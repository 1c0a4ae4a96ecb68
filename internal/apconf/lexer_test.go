package apconf

import (
	"strings"
	"testing"
)

// TestReadLinesTooLong: the lengths at which apache2 2.4.71 refuses a
// .htaccess line (8192 bytes with its line end; continuations joined), and
// the physical line it names.
func TestReadLinesTooLong(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	for _, c := range []struct {
		src  string
		line int // 0: read
	}{
		{a(8191) + "\n", 0},
		{a(8192) + "\n", 1},
		{a(8192), 0},
		{a(8193), 1},
		{a(8190) + "\r\n", 0},
		{a(8191) + "\r\n", 1},
		{"# c\n\n" + a(8192) + "\n", 3},
		{"X \\\n" + a(8189) + "\n", 0},
		{"X \\\n" + a(8190) + "\n", 2},
		{"X \\\r\n" + a(8189) + "\n", 0},
		{"\n\n" + a(4000) + "\\\n" + a(4000) + "\\\n" + a(4000) + "\n", 5},
	} {
		lines, err := ReadLines("f", []byte(c.src), MaxHtaccessLine)
		switch {
		case c.line == 0 && err != nil:
			t.Errorf("%.20q (%d bytes): %v", c.src, len(c.src), err)
		case c.line == 0 && len(lines) == 0:
			t.Errorf("%.20q: no lines", c.src)
		case c.line != 0 && (err == nil || err.Error() != "Error reading f at line "+string(rune('0'+c.line))+": Line too long"):
			t.Errorf("%.20q (%d bytes): %v; want line %d too long", c.src, len(c.src), err, c.line)
		}
	}
	if got := Lines([]byte(a(MaxConfLine+1) + "\nb\n")); len(got) != 2 || got[1].Text != "b" {
		t.Errorf("Lines: %d lines", len(got))
	}
}
