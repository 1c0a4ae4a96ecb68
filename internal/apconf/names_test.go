package apconf

import "testing"

// TestSameName: directive names compare as apache2's strcasecmp does,
// ASCII letters only: the long s and the Kelvin sign, which
// strings.EqualFold folds to "s" and "k", name no directive.
func TestSameName(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"StartServers", "startservers", true},
		{"STARTSERVERS", "StartServers", true},
		{"StartServers", "StartServer", false},
		{"ſtartServers", "StartServers", false},
		{"KeepAlive", "\u212aeepAlive", false},
		{"Été", "été", false},
		{"", "", true},
	} {
		if got := SameName(c.a, c.b); got != c.same {
			t.Errorf("SameName(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
}
