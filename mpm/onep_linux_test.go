package mpm

import (
	"testing"
)

// TestChildOnOneP: the ServeChild of a child whose OnePChildServer says it
// serves on one P runs on the one P the child started on, early or not,
// whatever GOMAXPROCS the environment sets (TestChildGOMAXPROCS: the
// environment's otherwise).
func TestChildOnOneP(t *testing.T) {
	noSpare(t)
	t.Setenv("GOMAXPROCS", "3")
	for _, early := range []bool{false, true} {
		f, addr := tcpListenerFile(t)
		if early {
			awaitReceiving(t, offerEarly(t, nil))
		}
		p := startTestChild(t, ChildSpec{Extra: childOrder{Tag: "onep", OneP: true}, Listeners: []Listener{{Name: "t", Network: "tcp4", Address: addr, File: f}}})
		r := ask(t, p, addr)
		if st := exited(t, p); !st.Success() {
			t.Errorf("child exited %v", st)
		}
		if r.ProcsAtStart != 3 || r.Procs != 1 {
			t.Errorf("early %v, GOMAXPROCS=3, one P: %d at start, %d in ServeChild; want 3, then 1", early, r.ProcsAtStart, r.Procs)
		}
	}
}
