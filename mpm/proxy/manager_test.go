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
