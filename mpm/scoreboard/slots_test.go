package scoreboard

import (
	"sync"
	"sync/atomic"
	"testing"
)

// TestSlots: a key gets the same words in every mapping of the board, a
// second key other words, keys that start at the same place probe on, and
// a board whose slots are all held answers nil for a new key.
func TestSlots(t *testing.T) {
	b, c := createShared(t, 2, 2)
	s1 := b.Slot(42)
	s1[3].Add(7)
	if got := c.Slot(42); got[3].Load() != 7 {
		t.Fatalf("the other mapping's slot of 42: %d", got[3].Load())
	}
	if s2 := c.Slot(43); s2[3].Load() != 0 {
		t.Errorf("key 43 shares key 42's words")
	}
	same := b.Slot(42 + SlotCount) // starts at key 42's slot, then probes
	same[3].Store(1)
	if s1[3].Load() != 7 || c.Slot(42 + SlotCount)[3].Load() != 1 {
		t.Errorf("colliding keys mixed")
	}
	if b.Slot(0)[5].Add(5); c.Slot(1)[5].Load() != 5 {
		t.Errorf("key 0 is not taken as 1")
	}
	// Both processes claiming at once still agree.
	var wg sync.WaitGroup
	got := make([][2]*[SlotWords]atomic.Int64, 200)
	for i := range got {
		wg.Add(2)
		go func() { defer wg.Done(); got[i][0] = b.Slot(uint64(1000 + i)) }()
		go func() { defer wg.Done(); got[i][1] = c.Slot(uint64(1000 + i)) }()
	}
	wg.Wait()
	for i, g := range got {
		g[0][0].Add(1)
		if g[1][0].Load() != 1 {
			t.Fatalf("key %d: two slots", 1000+i)
		}
	}
	for k := uint64(5000); ; k++ {
		if b.Slot(k) == nil {
			break
		}
		if k > 5000+SlotCount {
			t.Fatal("more slots than SlotCount")
		}
	}
	if b.Slot(42) == nil {
		t.Errorf("a full board lost key 42")
	}
}
