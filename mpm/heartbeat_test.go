package mpm

import (
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
)

// TestHeartbeatWithheld: the child's heartbeat goroutine stops beating
// while its only worker is busy without progress, and beats again once
// the worker moves.
func TestHeartbeatWithheld(t *testing.T) {
	b, err := scoreboard.Create(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.Global().SetLimits(scoreboard.Limits{MaxRequestWorkers: 1, ThreadsPerChild: 1, MaxDaemons: 1})
	w := b.Worker(0, 0)
	w.SetStatus(scoreboard.BusyWrite)
	w.Touch(time.Now().Add(-2 * time.Minute))
	p := b.Process(0)
	p.Prepare(0) // the parent starts the clock
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		keepHeartbeat(b, 0, time.Minute, stop)
	}()
	defer func() { close(stop); <-done }() // before the board closes
	if !testbin.Eventually(20*time.Second, func() bool { return p.SinceBeat() > 3*HeartbeatInterval }) {
		t.Fatalf("heartbeat %s old with a stuck worker: still beating", p.SinceBeat())
	}
	w.Touch(time.Now())
	if !testbin.Eventually(20*time.Second, func() bool { return p.SinceBeat() < HeartbeatInterval }) {
		t.Fatalf("heartbeat %s old after the worker moved", p.SinceBeat())
	}
	w.SetStatus(scoreboard.Ready)
	w.Touch(time.Now().Add(-2 * time.Minute))
	time.Sleep(3 * HeartbeatInterval)
	if !testbin.Eventually(20*time.Second, func() bool { return p.SinceBeat() < HeartbeatInterval }) {
		t.Fatalf("heartbeat %s old with an idle worker", p.SinceBeat())
	}
}
