package mpm

import (
	"os"
	"testing"
)

// TestEarlyChildHostGone: an early child that waits for its spec exits
// (status 0) when the host's lifeline closes, though its spec socket is
// still open: it watches the lifeline while it waits, as once it serves.
func TestEarlyChildHostGone(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	exe, name, err := childExecutable(childProgram, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := startSocketChild(exe, name, earlyMarker, r, originalStderr(), nil)
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	reapAtEnd(t, c)
	awaitReceiving(t, c)
	w.Close() // the host is gone; the plugin (this test) still holds the spec socket
	if st := waitCmd(t, c.cmd); !st.Success() {
		t.Errorf("early child exited %v when the host's lifeline closed, want status 0", st)
	}
	if !peerClosed(c.conn) {
		t.Errorf("the early child's spec socket is still open")
	}
}
