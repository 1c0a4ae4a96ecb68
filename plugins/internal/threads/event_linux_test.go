package threads

import (
	"net"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// TestLoopProgress: an event child's loop counts as progressing (for the
// heartbeat, mpm.Child.WatchProgress) while it waits for events, however
// long, and while its current turn is younger than the hang timeout; a
// turn that does not end (here: the loop blocked on its lock after a
// connection woke it) stops counting, and counts again once it ends.
func TestLoopProgress(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ln.(*net.TCPListener).File()
	ln.Close()
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	loops := make(chan *loop, 1)
	testLoop = func(l *loop) { loops <- l }
	defer func() { testLoop = nil }()
	c := &mpm.Child{
		Config:    &mpm.Config{Core: mpm.Core{DocumentRoot: t.TempDir(), KeepAlive: true}},
		Listeners: []mpm.Listener{{Name: addr, Network: "tcp4", Address: addr, File: f}},
		Log:       hclog.NewNullLogger(),
	}
	served := make(chan error, 1)
	go func() { served <- Serve(c, Options{Workers: 2, Park: true}) }()
	const stuck = time.Minute
	late := func() time.Time { return time.Now().Add(2 * stuck) }
	var l *loop
	select {
	case l = <-loops:
	case err := <-served:
		t.Fatalf("Serve returned %v before its loop ran", err)
	}
	defer func() {
		l.ch.gracefulStop()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		// Done (a draining child's workers may go on) is not stuck.
		if !l.progressing(late(), stuck) {
			t.Error("a loop that returned counts as stuck")
		}
	}()
	if !testbin.Eventually(10*time.Second, func() bool { return l.progressing(late(), stuck) }) {
		t.Fatal("a loop waiting for events does not count as progressing")
	}
	l.mu.Lock()
	conn, err := net.Dial("tcp4", addr) // wakes the loop, which then waits for its lock
	if err != nil {
		l.mu.Unlock()
		t.Fatal(err)
	}
	defer conn.Close()
	stalled := testbin.Eventually(10*time.Second, func() bool { return !l.progressing(late(), stuck) })
	young := l.progressing(time.Now(), stuck)
	l.mu.Unlock()
	if !stalled {
		t.Fatal("a loop whose turn never ends counts as progressing")
	}
	if !young {
		t.Error("a turn younger than the hang timeout does not count as progressing")
	}
	if !testbin.Eventually(10*time.Second, func() bool { return l.progressing(late(), stuck) }) {
		t.Error("the loop does not count as progressing once its turn ended")
	}
}
