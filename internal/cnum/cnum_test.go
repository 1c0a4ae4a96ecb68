package cnum

import (
	"math"
	"testing"
)

func TestAtoi(t *testing.T) {
	for s, want := range map[string]int{"": 0, "12": 12, " \t-7x": -7, "+3": 3, "x3": 0, "- 3": 0} {
		if got := Atoi(s); got != want {
			t.Errorf("Atoi(%q) = %d, want %d", s, got, want)
		}
	}
	// Saturates instead of wrapping round.
	if got := Atoi("99999999999999999999999999"); got < saturation {
		t.Errorf("Atoi of a huge number = %d, want it saturated at or above %d", got, saturation)
	}
	if got := Atoi("-99999999999999999999999999"); got > -saturation {
		t.Errorf("Atoi of a huge negative number = %d", got)
	}
}

// TestAtof: the values are glibc's atof of the same strings.
func TestAtof(t *testing.T) {
	for s, want := range map[string]float64{
		"": 0, "1.5": 1.5, " \t2.25x": 2.25, "10s": 10, "-3e2z": -300, "1e": 1, "1e+": 1, ".5": 0.5, "5.": 5,
		".": 0, "-.e1": 0, "0x10": 16, "0x1.8p1": 3, "0x": 0, "0xg": 0, "+7": 7, "x1": 0,
		"inf": math.Inf(1), "-Infinityx": math.Inf(-1), "infin": math.Inf(1), "1e400": math.Inf(1),
	} {
		if got := Atof(s); got != want {
			t.Errorf("Atof(%q) = %v, want %v", s, got, want)
		}
	}
	if got := Atof("nan"); !math.IsNaN(got) {
		t.Errorf("Atof(%q) = %v, want NaN", "nan", got)
	}
}
