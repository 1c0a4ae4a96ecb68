//go:build !mpmchild

package mpm

import (
	"slices"
	"strings"
	"testing"
)

// TestOwnSettings: of a Preconfig's settings (every top-level directive)
// a plugin keeps those its MPM declares, skips the core's it does not, and
// does not take the Preconfig when a setting that is not the core's is not
// its own or has a number of arguments out of its range.
func TestOwnSettings(t *testing.T) {
	d := Description{Directives: []Directive{
		{Name: "StartServers", Kind: KindInt},
		{Name: "Pair", MinArgs: 2, MaxArgs: 2},
		{Name: "Timeout", Kind: KindInt}, // declared by the MPM and by the core
	}}
	settings := []Setting{
		{Name: "ServerName", Args: []string{"a"}, Line: 1},
		{Name: "startservers", Args: []string{"3"}, Line: 2},
		{Name: "Timeout", Args: []string{"5"}, Line: 3},
		{Name: "Pair", Args: []string{"x", "y"}, Line: 4},
	}
	core := []uint32{0, 2}
	own, why := ownSettings(d, settings, core)
	lines := func(ss []Setting) (out []int) {
		for _, s := range ss {
			out = append(out, s.Line)
		}
		return out
	}
	if why != "" || !slices.Equal(lines(own), []int{2, 3, 4}) {
		t.Errorf("ownSettings = lines %v, %q; want 2, 3, 4 (the MPM's, the core's Timeout too)", lines(own), why)
	}
	for _, tc := range []struct {
		name     string
		settings []Setting
		want     string
	}{
		{"foreign", append(slices.Clone(settings), Setting{Name: "StartServerz", Args: []string{"1"}, File: "f.conf", Line: 9}), "StartServerz (line 9 of f.conf) is not a directive of this MPM"},
		{"arity", []Setting{{Name: "Pair", Args: []string{"x"}, File: "f.conf", Line: 7}}, "Pair (line 7 of f.conf) has 1 arguments"},
		{"too many", []Setting{{Name: "StartServers", Args: []string{"1", "2"}, File: "f.conf", Line: 8}}, "StartServers (line 8 of f.conf) has 2 arguments"},
	} {
		own, why := ownSettings(d, tc.settings, core)
		if own != nil || !strings.Contains(why, tc.want) {
			t.Errorf("%s: ownSettings = %v, %q; want none, %q", tc.name, own, why, tc.want)
		}
	}
}
