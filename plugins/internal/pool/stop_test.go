package pool

import (
	"context"
	"sync"
	"testing"
)

// TestConcurrentHardStops: hard Stops that come together while a graceful
// one drains (a SIGTERM and a plugin shutdown at once) make it hard once:
// none of them closes the hurry channel a second time (a panic), and they
// all return when the graceful one is done.
func TestConcurrentHardStops(t *testing.T) {
	for range 200 {
		// The state a graceful Stop leaves while its children drain.
		p := &Pool{stopping: true, hurry: make(chan struct{}), stopped: make(chan struct{})}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_ = p.Stop(context.Background(), false)
			}()
		}
		close(start)
		<-p.hurry // the graceful Stop sees it, and ends
		close(p.stopped)
		wg.Wait()
	}
}
