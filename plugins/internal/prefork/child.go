package prefork

import (
	"errors"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
	"github.com/httpd-mpm/httpd-mpm/plugins/internal/pool"
)

// childGCPercent is a prefork child's GOGC unless the environment sets one.
const childGCPercent = 25

// idleRelease is how long a child waits for a connection before it returns
// its free memory to the system.
const idleRelease = time.Second

// ServeChild is one prefork child: it accepts one connection, serves it
// to the end (keep-alive included), and only then accepts the next. After
// MaxConnectionsPerChild connections it exits and the parent starts
// another when it needs one.
func ServeChild(c *mpm.Child, _ pool.Settings) error {
	// One connection at a time needs one thread; and with one P the
	// connection's raw waits (threads.NewConn, rawwait) leave the runtime
	// nothing to hand off.
	runtime.GOMAXPROCS(1)
	// A child's live heap is small (about 300 KiB) and there are many
	// children: under load each one's heap grows to the runtime's minimum
	// goal, 4 MiB × GOGC/100, whatever its live heap. GOGC 25 makes that
	// 1 MiB (64 children after wrk -c50: 370 MiB PSS at the default 100,
	// 303 at 50, 220 at 25 and no lower at 12; CPU per request unchanged).
	// A GOGC in the environment wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(childGCPercent)
	}
	srv, err := c.HTTPServer()
	if err != nil {
		return err
	}
	var ws scoreboard.Worker
	board := c.Scoreboard
	if board != nil {
		ws = board.Worker(c.Slot, 0)
	}
	setStatus := func(s scoreboard.State) {
		if board != nil {
			ws.SetStatus(s)
		}
	}
	acc, err := newAcceptor(c.Listeners)
	if err != nil {
		return err
	}
	var serving atomic.Pointer[http1.Conn] // for a graceful stop to end its keep-alive wait
	go func() {
		<-c.Graceful()
		srv.StartDraining()
		if hc := serving.Load(); hc != nil {
			hc.EndIdleWait()
		}
		acc.Close()
	}()
	// An idle child gives its free heap back to the system: between
	// collections the runtime keeps up to twice the live heap (and at
	// least 2 MiB at GOGC 50) resident, most of a child's private memory,
	// and a prefork server has many idle children. The timer is armed
	// whenever the child waits for a connection (after one served, after a
	// failed accept) and stopped when Accept returns. Stopping it does not
	// wait for a release already running: a connection that arrives during
	// one (a forced collection of the small heap and its return to the system)
	// is served once it finishes, as the acceptor has no timeout that would
	// let the release run on this goroutine between waits instead.
	idle := time.AfterFunc(idleRelease, debug.FreeOSMemory)
	defer idle.Stop()
	limit := c.Config.Core.MaxConnectionsPerChild
	var delay time.Duration
	for served := 0; limit <= 0 || served < limit; served++ {
		setStatus(scoreboard.Ready)
		idle.Reset(idleRelease)
		conn, err := acc.Accept()
		idle.Stop()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			// EMFILE and friends: the listener stays readable, so retrying
			// at once would spin (and fill the error log). Back off, up to
			// a second, and leave the connection to another child.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			c.Log.Error("accept failed", "error", err, "retry_in", delay.String())
			select {
			case <-time.After(delay):
			case <-c.Graceful():
			}
			served-- // a failed accept is no connection served
			continue
		}
		delay = 0
		hc := srv.NewConn(conn)
		if board != nil {
			ws.NewConnection()
			hc.Tag = ws
		}
		serving.Store(hc)
		for {
			keep, err := hc.ServeRequest()
			if err != nil || !keep {
				break
			}
		}
		setStatus(scoreboard.Closing)
		hc.Close()
		serving.Store(nil)
	}
	// MaxConnectionsPerChild: done, as Apache's prefork child exits.
	if board != nil {
		board.Process(c.Slot).SetQuiescing()
	}
	acc.Close()
	return nil
}
