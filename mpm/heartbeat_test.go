package mpm

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
)

// oneWorkerBoard is a board of one child slot with one worker, closed when
// the test ends.
func oneWorkerBoard(t *testing.T) *scoreboard.Board {
	t.Helper()
	b, err := scoreboard.Create(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	b.Global().SetLimits(scoreboard.Limits{MaxRequestWorkers: 1, ThreadsPerChild: 1, MaxDaemons: 1})
	return b
}

// TestHeartbeatWithheld: the child's heartbeat goroutine stops beating
// while its only worker is busy without progress, and beats again once
// the worker moves.
func TestHeartbeatWithheld(t *testing.T) {
	b := oneWorkerBoard(t)
	w := b.Worker(0, 0)
	w.SetStatus(scoreboard.BusyWrite)
	w.Touch(time.Now().Add(-2 * time.Minute))
	p := b.Process(0)
	p.Prepare(0) // the parent starts the clock
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		keepHeartbeat(b, 0, time.Minute, stop, nil)
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

// TestHeartbeatWatchProgress: with an idle worker (progress as far as the
// records go), the heartbeat stops while WatchProgress's function reports
// false and beats again once it reports true.
func TestHeartbeatWatchProgress(t *testing.T) {
	b := oneWorkerBoard(t)
	b.Worker(0, 0).SetStatus(scoreboard.Ready)
	p := b.Process(0)
	p.Prepare(0)
	var loopOK atomic.Bool
	c := &Child{}
	c.WatchProgress(func(time.Time) bool { return loopOK.Load() })
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		keepHeartbeat(b, 0, time.Minute, stop, c.progressing)
	}()
	defer func() { close(stop); <-done }()
	if !testbin.Eventually(20*time.Second, func() bool { return p.SinceBeat() > 3*HeartbeatInterval }) {
		t.Fatalf("heartbeat %s old while the MPM reports no progress: still beating", p.SinceBeat())
	}
	loopOK.Store(true)
	if !testbin.Eventually(20*time.Second, func() bool { return p.SinceBeat() < HeartbeatInterval }) {
		t.Fatalf("heartbeat %s old after the MPM reports progress again", p.SinceBeat())
	}
	c.WatchProgress(nil)
	if !c.progressing(time.Now()) {
		t.Error("WatchProgress(nil) did not remove the function")
	}
}
