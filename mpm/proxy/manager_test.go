package proxy

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestSharedString: a route stored while others read it is never seen
// torn: each read is the configured value or one of the stored ones,
// whole (63 bytes at most), as balancer-manager's writes in one child and
// the picks of the others do.
func TestSharedString(t *testing.T) {
	var sh memberState
	values := []string{"", "a", strings.Repeat("b", 63), strings.Repeat("c", 17), strings.Repeat("d", 64)}
	valid := map[string]bool{"conf": true, "": true, "a": true, values[2]: true, values[3]: true, strings.Repeat("d", 63): true}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var stores atomic.Int64
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				storeString(&sh, shRoute, values[(n+i)%len(values)])
				stores.Add(1)
			}
		}()
	}
	for n := 0; n < 20000 || stores.Load() < 20000; n++ {
		if got := loadString(&sh, shRoute, "conf"); !valid[got] {
			close(stop)
			wg.Wait()
			t.Fatalf("read %q", got)
		}
	}
	close(stop)
	wg.Wait()
	if got := loadString(&sh, shRoute, "conf"); got == "conf" {
		t.Errorf("the configured value after stores")
	}
	var fresh memberState
	if got := loadString(&fresh, shRoute, "conf"); got != "conf" {
		t.Errorf("never stored: %q, want the configured value", got)
	}
}

// TestSharedStringTorn: a writer killed between its two increments leaves
// the sequence word odd. The first read waits for it once; later reads in
// the process do not wait again, a store takes the word over, completes it
// and is read back, and a store on a word nobody read yet takes it over
// after the wait instead of spinning for ever.
func TestSharedStringTorn(t *testing.T) {
	var sh memberState
	storeString(&sh, shRoute, "one")
	sh[shRoute].Add(1) // the killed writer's first increment
	if got := loadString(&sh, shRoute, "conf"); got != "one" {
		t.Fatalf("torn word read as %q, want %q", got, "one")
	}
	spins := stringSpins.Load()
	for range 100 {
		if got := loadString(&sh, shRoute, "conf"); got != "one" {
			t.Fatalf("torn word read again as %q, want %q", got, "one")
		}
	}
	if n := stringSpins.Load() - spins; n != 0 {
		t.Errorf("reads of a word known stuck waited %d turns, want 0", n)
	}
	storeString(&sh, shRoute, "two")
	if s := sh[shRoute].Load(); s&1 != 0 {
		t.Errorf("sequence word %d after a store, want even", s)
	}
	if got := loadString(&sh, shRoute, "conf"); got != "two" {
		t.Errorf("after the store: %q, want %q", got, "two")
	}
	if n := stringSpins.Load() - spins; n != 0 {
		t.Errorf("store and read of a word known stuck waited %d turns, want 0", n)
	}

	var fresh memberState
	storeString(&fresh, shRedirect, "a")
	fresh[shRedirect].Add(1)
	storeString(&fresh, shRedirect, "b") // no read found it stuck: waits, then takes over
	if got := loadString(&fresh, shRedirect, "conf"); got != "b" {
		t.Errorf("store over a torn word nobody read: %q, want %q", got, "b")
	}
}
