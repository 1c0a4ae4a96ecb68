//go:build linux

package mpm

import (
	"os"
	"slices"
	"syscall"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	"github.com/httpd-mpm/httpd-mpm/mpm/internal/prestart"
)

// prestartedChild starts a child as package prestart's init does (this test
// binary, waiting for its spec) and returns it as Serve gets it; the child
// is killed and reaped at the end of the test unless reaped before.
func prestartedChild(t *testing.T) *prestart.Child {
	t.Helper()
	exe, name, err := childExecutable(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := prestart.Socket(exe, name, earlyMarker, hostLifelineFile(), originalStderr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	reapAtEnd(t, &earlyChild{Child: c})
	return c
}

// asChildProgram makes pre's executable the child program for the test.
func asChildProgram(t *testing.T, pre *prestart.Child) {
	t.Helper()
	fi, err := os.Stat(pre.Path)
	if err != nil {
		t.Fatal(err)
	}
	childProgram = &program{path: pre.Path, checked: fi}
	t.Cleanup(func() { childProgram = nil })
}

// TestPrestartedChildAdopted: the child prestart started counts as the
// first of the MPM's early children when the host asked for them and it runs
// the child program StartChild runs; StartChild hands it the first spec.
func TestPrestartedChildAdopted(t *testing.T) {
	noSpare(t)
	t.Cleanup(discardEarly)
	t.Setenv(wire.EarlyChildEnv, "null")
	f, addr := tcpListenerFile(t)
	pre := prestartedChild(t)
	asChildProgram(t, pre)
	startEarlyChildren(testChildMPM{}, hclog.NewNullLogger(), pre)
	early.mu.Lock()
	spare := slices.Clone(early.spare)
	early.mu.Unlock()
	if want := (testChildMPM{}).EarlyChildren(); len(spare) != want {
		t.Fatalf("%d early children, want %d with the prestarted one", len(spare), want)
	}
	if spare[0].Child != pre {
		t.Fatalf("the first early child is %d, want the prestarted %d", spare[0].Process.Pid, pre.Process.Pid)
	}
	p := startTestChild(t, ChildSpec{Slot: 0, Extra: childOrder{Tag: "prestarted"},
		Listeners: []Listener{{Name: "t", Network: "tcp4", Address: addr, File: f}}})
	if p.Pid != pre.Process.Pid {
		t.Fatalf("StartChild started %d, want the prestarted child %d", p.Pid, pre.Process.Pid)
	}
	if r := ask(t, p, addr); r.Pid != p.Pid || r.Env != earlyMarker {
		t.Errorf("report %+v: want the prestarted child %d, env %q", r, p.Pid, earlyMarker)
	}
}

// TestPrestartedChildUnwanted: the child prestart started is ended, never
// offered, when the MPM is no EarlyChildServer, when the host did not ask
// for early children, and when StartChild would run another program;
// discardEarly returns once it has exited (status 0: it got no spec) and
// been reaped.
func TestPrestartedChildUnwanted(t *testing.T) {
	for _, tc := range []struct {
		name    string
		impl    MPM
		asked   bool
		program bool // the prestarted child runs the child program
	}{
		{"no EarlyChildServer", &runRecorder{}, true, true},
		{"not asked", testChildMPM{}, false, true},
		{"another program", testChildMPM{}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			noSpare(t)
			if tc.asked {
				t.Setenv(wire.EarlyChildEnv, "null")
			}
			pre := prestartedChild(t)
			if tc.program {
				asChildProgram(t, pre)
			}
			startEarlyChildren(tc.impl, hclog.NewNullLogger(), pre)
			early.mu.Lock()
			offered := slices.ContainsFunc(early.spare, func(c *earlyChild) bool { return c.Child == pre })
			early.mu.Unlock()
			discardEarly()
			if offered {
				t.Errorf("the prestarted child %d was offered", pre.Process.Pid)
			}
			st := pre.State()
			if st == nil {
				t.Fatalf("the prestarted child %d was not reaped when discardEarly returned", pre.Process.Pid)
			}
			if ws := st.Sys().(syscall.WaitStatus); ws.Signaled() && ws.Signal() == syscall.SIGKILL {
				t.Logf("discardEarly reached its limit and killed the child (a loaded machine?)")
			} else if !st.Success() {
				t.Errorf("the prestarted child %d exited %v, want status 0", pre.Process.Pid, st)
			}
		})
	}
}
