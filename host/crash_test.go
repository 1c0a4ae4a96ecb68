package host

import (
	"testing"
	"time"
)

// TestCrashCountForgets: exits in a row count up; a quiet spell longer than
// crashQuiet starts the count again (the host gives up only on a plugin
// that keeps dying, not on six exits over a long life).
func TestCrashCountForgets(t *testing.T) {
	var c crashCount
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= 3; i++ {
		if n := c.add(t0.Add(time.Duration(i) * time.Second)); n != i {
			t.Fatalf("exit %d within seconds of the last counted %d", i, n)
		}
	}
	if n := c.add(t0.Add(3*time.Second + crashQuiet + time.Second)); n != 1 {
		t.Errorf("exit after a quiet spell counted %d, want 1", n)
	}
	if n := c.add(t0.Add(3*time.Second + crashQuiet + 2*time.Second)); n != 2 {
		t.Errorf("next exit soon after counted %d, want 2", n)
	}
}
