package mpm

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/proctree"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// lifelineWriter is the write end of the pipe the package's test children
// hold as the host's lifeline (fd 3): it closes when the test process
// exits, whatever the way, and takes any child left behind along.
var lifelineWriter *os.File

// TestMain serves the child side when the test binary runs as a child
// (StartChild and early children re-execute it); otherwise it gives the
// children a host lifeline, which a test process does not have on fd 3,
// and runs the tests.
func TestMain(m *testing.M) {
	if status, ok := RunChild(testChildMPM{}); ok {
		os.Exit(status)
	}
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "lifeline pipe:", err)
		os.Exit(2)
	}
	hostLifeline.once.Do(func() { hostLifeline.f = r })
	if hostLifelineFile() != r {
		fmt.Fprintln(os.Stderr, "the host lifeline was set before TestMain")
		os.Exit(2)
	}
	lifelineWriter = w
	// A race-enabled child sleeps a second at exit (GORACE atexit_sleep_ms
	// defaults to 1000): longer than discardEarly waits for early children.
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	saveOriginalStderr() // children log to the test's stderr
	os.Exit(m.Run())
}

// childOrder is what a test puts in ChildSpec.Extra for testChildMPM.
type childOrder struct {
	Tag string
	// AwaitGraceful makes the child wait (a minute at most) for
	// Child.Graceful before it accepts.
	AwaitGraceful bool
	// OneP is what the child's ChildOnOneP answers.
	OneP bool
}

// childReport is what a testChildMPM child writes to the one connection
// it accepts.
type childReport struct {
	Pid, Slot, Generation int
	Extra                 string // Child.Extra
	Env                   string // wire.ChildEnv as the child was started with it
	EnvLeft               string // wire.ChildEnv in its environment while it serves ("": RunChild unsets it)
	ListenerFD            int
	Local                 string         // the accepted connection's local address
	FDs                   map[int]string // its open descriptors: number → /proc link
	Scoreboard            bool           // it had a board (and set its slot's pid in it)
	Graceful              bool           // Child.Graceful was closed when it accepted
	Procs                 int            // runtime.GOMAXPROCS(0) in ServeChild
	ProcsBefore           int            // ... when the child first called Describe, before ServeChild
	ProcsAtStart          int            // ... as the test binary's package variables were initialized
	ProcsEnv              string         // GOMAXPROCS in its environment while it serves
	OnePLeft              string         // wire.OnePEnv in its environment while it serves
}

// startProcs is GOMAXPROCS as the runtime set it from the environment
// the process was started with, before any code of the package ran.
var startProcs = runtime.GOMAXPROCS(0)

// describedProcs is GOMAXPROCS when testChildMPM.Describe was first
// called in this process: in a child, before its ServeChild.
var describedProcs atomic.Int32

// testChildMPM is the MPM of the package's test children: its ServeChild
// accepts one connection on its one listener, writes a childReport to it
// and returns.
type testChildMPM struct{}

func (testChildMPM) Describe() Description {
	describedProcs.CompareAndSwap(0, int32(runtime.GOMAXPROCS(0)))
	return Description{Module: "testchild_module", Name: "testchild"}
}
func (testChildMPM) Configure(*Config) []Diagnostic        { return nil }
func (testChildMPM) Run(context.Context, []Listener) error { return nil }
func (testChildMPM) Status() Status                        { return Status{} }
func (testChildMPM) Stop(context.Context, bool) error      { return nil }
func (testChildMPM) EarlyChildren() int                    { return 2 }

var (
	_ EarlyChildServer = testChildMPM{}
	_ OnePChildServer  = testChildMPM{}
)

func (testChildMPM) ChildOnOneP(c *Child) bool {
	var o childOrder
	return json.Unmarshal(c.Extra, &o) == nil && o.OneP
}

func (testChildMPM) ServeChild(c *Child) error {
	var o childOrder
	if err := json.Unmarshal(c.Extra, &o); err != nil {
		return fmt.Errorf("child order %q: %w", c.Extra, err)
	}
	if len(c.Listeners) != 1 {
		return fmt.Errorf("%d listeners, want 1", len(c.Listeners))
	}
	ln, err := c.Listeners[0].Listen()
	if err != nil {
		return err
	}
	defer ln.Close()
	r := childReport{
		Pid: os.Getpid(), Slot: c.Slot, Generation: c.Generation, Extra: string(c.Extra),
		Env: startEnv(wire.ChildEnv), EnvLeft: os.Getenv(wire.ChildEnv), ListenerFD: int(c.Listeners[0].File.Fd()), Scoreboard: c.Scoreboard != nil,
		Procs: runtime.GOMAXPROCS(0), ProcsBefore: int(describedProcs.Load()), ProcsAtStart: startProcs,
		ProcsEnv: os.Getenv("GOMAXPROCS"), OnePLeft: os.Getenv(wire.OnePEnv),
	}
	if c.Scoreboard != nil {
		c.Scoreboard.Process(c.Slot).SetPid(os.Getpid())
	}
	if o.AwaitGraceful {
		select {
		case <-c.Graceful():
		case <-time.After(time.Minute):
		}
	}
	select {
	case <-c.Graceful():
		r.Graceful = true
	default:
	}
	if err := ln.(*net.TCPListener).SetDeadline(time.Now().Add(2 * time.Minute)); err != nil {
		return err
	}
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	defer conn.Close()
	r.Local = conn.LocalAddr().String()
	r.FDs = proctree.FDs(os.Getpid())
	return json.NewEncoder(conn).Encode(r)
}

// startEnv is the variable name as the process was started with it (from
// /proc/self/environ: RunChild unsets the spec's variable once read).
func startEnv(name string) string {
	b, _ := os.ReadFile("/proc/self/environ")
	for _, kv := range strings.Split(string(b), "\x00") {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}
