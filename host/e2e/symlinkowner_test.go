package e2e_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// ah00037 is the walk's refusal of a symbolic link in an error_log line:
// its level and message from the module name on.
var ah00037 = regexp.MustCompile(`\[(core:error)\] \[pid [^]]*\] \[client [^]]*\] (AH00037: .*)$`)

// TestSymLinksIfOwnerMatch: with Options SymLinksIfOwnerMatch a link owned
// by another user than its target's is refused (403, AH00037 at the link),
// to a file or a directory, the rest of the path existing or not; a link
// owned by its target's owner is followed. Needs root to own the links.
func TestSymLinksIfOwnerMatch(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a symbolic link another owner")
	}
	conf := `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
	Options SymLinksIfOwnerMatch
	Require all granted
</Directory>
`
	p := startPair(t, 1, conf, map[string]string{"t.txt": "t\n", "d/i.txt": "i\n",
		"other.txt": symlinkTo + "t.txt", "same.txt": symlinkTo + "t.txt", "otherd": symlinkTo + "d", "samed": symlinkTo + "d"})
	for _, name := range []string{"other.txt", "otherd"} {
		must(t, os.Lchown(filepath.Join(p.apache.docs, name), 65534, 65534))
	}
	p.check([]diffRequest{
		{Raw: get("/other.txt", "main.test"), Want: "Forbidden"},
		{Raw: get("/same.txt", "main.test"), Want: "t\n"},
		{Raw: get("/otherd/i.txt", "main.test"), Want: "Forbidden"},
		{Raw: get("/otherd/nothere", "main.test"), Want: "Forbidden"},
		{Raw: get("/otherd", "main.test"), Want: "Forbidden"},
		{Raw: get("/samed/i.txt", "main.test"), Want: "i\n"},
	})
	must(t, p.apache.stop())
	must(t, p.ours.stop())
	lines := func(s *diffServer) []string {
		var out []string
		for _, l := range s.logLines(t, "error_log") {
			if m := ah00037.FindStringSubmatch(l); m != nil {
				out = append(out, m[1]+" "+strings.ReplaceAll(m[2], s.docs, "DOCS"))
			}
		}
		slices.Sort(out)
		return out
	}
	want, got := lines(p.apache), lines(p.ours)
	if len(want) != 4 || !slices.Equal(got, want) {
		t.Errorf("AH00037 lines (apache's: 4):\napache:\n  %s\nours:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	} else {
		t.Logf("AH00037 lines, both:\n  %s", strings.Join(want, "\n  "))
	}
}
