package cnum

import "testing"

func TestAtoi(t *testing.T) {
	for s, want := range map[string]int{"": 0, "12": 12, " \t-7x": -7, "+3": 3, "x3": 0, "- 3": 0} {
		if got := Atoi(s); got != want {
			t.Errorf("Atoi(%q) = %d, want %d", s, got, want)
		}
	}
	// Saturates instead of wrapping round.
	if got := Atoi("99999999999999999999999999"); got < 1<<40 {
		t.Errorf("Atoi of a huge number = %d, want it saturated above 1<<40", got)
	}
	if got := Atoi("-99999999999999999999999999"); got > -(1 << 40) {
		t.Errorf("Atoi of a huge negative number = %d", got)
	}
}
