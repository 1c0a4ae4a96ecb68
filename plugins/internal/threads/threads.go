// Package threads serves connections in a child process with a fixed pool
// of workers, the way Apache's worker and event MPMs do. Without Park a
// connection keeps its worker between keep-alive requests (worker); with
// Park (event; Linux with epoll, FreeBSD and macOS with kqueue) a listener
// loop accepts and an idle keep-alive connection is handed back to it,
// parked in its poller as a bare descriptor, and its worker is free for
// other connections; the loop also does the lingering close and writes the
// end of a response that the client does not take at once (see loop).
// Each worker keeps its own record of the shared scoreboard.
//
// An event child runs with GOMAXPROCS = the CPUs / StartServers (at
// least 1), so that the children together have about one P per CPU,
// unless GOMAXPROCS is set in the environment (see shareCPUs). A worker
// child keeps the runtime's default: there it made keep-alive slower.
package threads

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
)

// Options says how a child serves.
type Options struct {
	Workers int  // ThreadsPerChild
	Park    bool // park idle keep-alive connections in the loop's poller (event)
	// AsyncRequestWorkerFactor (event): a child accepts a new connection
	// only while its open connections (lingering ones aside) are fewer
	// than Workers + idle workers × factor. The factor is applied as an
	// integer, as Apache does. 0 means no such limit.
	AsyncRequestWorkerFactor float64
	// Servers, if not 0, is StartServers: the child takes GOMAXPROCS =
	// the CPUs / Servers (at least 1) unless GOMAXPROCS is set in the
	// environment (see shareCPUs). 0 leaves the runtime's default.
	Servers int
}

// testLoop, if set (by tests), gets each event loop Serve makes.
var testLoop func(*loop)

// job is a connection for a worker: a Conn to go on serving, or a
// connection of the event loop to wrap first (new, or resumed after its
// Conn was detached while parked).
type job struct {
	hc     *http1.Conn
	c      *conn
	idle   http1.Idle
	fresh  bool // c was just accepted
	resume bool // c was parked without its Conn
}

// child is one serving process.
type child struct {
	srv   *http1.Server
	log   func(msg string, args ...any) // errors
	debug func(msg string, args ...any)
	idle  chan struct{} // one token per idle worker
	// idlers are the idle workers, the most recently idle last: whoever
	// took a token hands its connection to the last (hand). Each worker
	// has its own inbox, so that the few workers a light load needs serve
	// it (their stacks and data warm in the caches), not every worker in
	// turn, as one shared channel's queue of receivers did.
	idleMu  sync.Mutex
	idlers  []int32
	inboxes []chan job
	loop    *loop // nil without Park
	active  sync.WaitGroup
	opt     Options
	board   *scoreboard.Board
	slot    int
	conns   atomic.Int64 // open connections
	// lingering counts connections in lingering close, which Apache
	// leaves out of the connection limit.
	lingering atomic.Int64
	stop      chan struct{} // closed on a graceful stop, asked or own
	stopped   sync.Once
	drain     atomic.Bool
	// serving is each worker's connection, for gracefulStop to end a wait
	// for a keep-alive request (Conn.EndIdleWait).
	serving []atomic.Pointer[http1.Conn]
}

// Serve runs the child until it is asked to stop gracefully (or reaches
// MaxConnectionsPerChild) and every connection has finished, or until the
// process is killed.
func Serve(c *mpm.Child, opt Options) error {
	if opt.Servers > 0 {
		shareCPUs(opt.Servers)
	}
	srv, err := c.HTTPServer()
	if err != nil {
		return err
	}
	n := max(opt.Workers, 1)
	ch := &child{
		srv: srv, log: c.Log.Error, debug: c.Log.Debug, idle: make(chan struct{}, n),
		idlers: make([]int32, 0, n), inboxes: make([]chan job, n),
		opt: opt, board: c.Scoreboard, slot: c.Slot, stop: make(chan struct{}),
		serving: make([]atomic.Pointer[http1.Conn], n),
	}
	limit := c.Config.Core.MaxConnectionsPerChild
	var accepted atomic.Int64
	onAccept := func() {
		if limit > 0 && accepted.Add(1) >= int64(limit) {
			ch.gracefulStop() // MaxConnectionsPerChild
		}
	}
	// Event's loop waits for its listeners itself; worker's listener
	// goroutine accepts through an Acceptor, as prefork does, or
	// (elsewhere than Linux) one goroutine per net.Listener.
	var lns []acceptSource
	if opt.Park {
		fds, err := takeListeners(c.Listeners)
		if err != nil {
			return err
		}
		srv.WriteCompletion = true // the loop finishes responses: see loop
		if ch.loop, err = newLoop(ch, fds, onAccept); err != nil {
			closeListeners(fds)
			return err
		}
		l, stuck := ch.loop, mpm.HangTimeout(c.Config.Core)
		c.WatchProgress(func(now time.Time) bool { return l.progressing(now, stuck) })
		if testLoop != nil {
			testLoop(l)
		}
	} else if a, err := NewAcceptor(c.Listeners, false); err == nil {
		lns = append(lns, a)
	} else if !errors.Is(err, errors.ErrUnsupported) {
		return err
	} else {
		for _, l := range c.Listeners {
			ln, err := l.Listen()
			if err != nil {
				return err
			}
			lns = append(lns, ln)
		}
	}
	for i := n - 1; i >= 0; i-- { // worker 0 serves first
		ch.inboxes[i] = make(chan job, 1)
		ch.ready(i)
		go ch.worker(i)
	}
	go func() {
		<-c.Graceful()
		ch.gracefulStop()
	}()
	if ch.loop != nil {
		// The loop returns once the child stops and has no connection left.
		ch.loop.run()
		ch.active.Wait()
		return nil
	}
	var accepting sync.WaitGroup
	for _, ln := range lns {
		accepting.Add(1)
		go func() {
			defer accepting.Done()
			ch.acceptLoop(ln, onAccept)
		}()
	}
	<-ch.stop
	for _, ln := range lns {
		ln.Close()
	}
	accepting.Wait()
	// Keep-alive connections are not cut: each is closed when its next
	// request has been answered (with Connection: close) or when its wait
	// for it ends (http1.DrainIdle from the stop; see gracefulStop).
	ch.active.Wait()
	return nil
}

// gracefulStop starts the end of the child once: the parent sees it
// quiescing and its idle workers as gracefully finishing.
func (ch *child) gracefulStop() {
	ch.stopped.Do(func() {
		ch.drain.Store(true)
		if ch.board != nil {
			ch.board.Process(ch.slot).SetQuiescing()
			for i := range max(ch.opt.Workers, 1) {
				if w := ch.board.Worker(ch.slot, i); w.Status() == scoreboard.Ready {
					w.SetStatus(scoreboard.Graceful)
				}
			}
		}
		ch.srv.StartDraining()
		for i := range ch.serving {
			if hc := ch.serving[i].Load(); hc != nil {
				hc.EndIdleWait()
			}
		}
		close(ch.stop)
		if ch.loop != nil {
			ch.loop.wake()
		}
	})
}

// acceptSource is what worker's listener goroutine accepts from: an
// Acceptor, or a net.Listener where there is none.
type acceptSource interface {
	Accept() (net.Conn, error)
	Close() error
}

// acceptLoop (worker) accepts only while a worker is idle, like Apache's
// listener thread: a connection is never accepted into a queue. A conn
// from an Acceptor goes to the worker as it is, to be wrapped there.
func (ch *child) acceptLoop(ln acceptSource, onAccept func()) {
	var delay time.Duration
	for {
		select {
		case <-ch.idle:
		case <-ch.stop:
			return
		}
		nc, err := ln.Accept()
		if err != nil {
			ch.idle <- struct{}{}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// EMFILE and friends: back off rather than spin.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			ch.log("accept failed", "error", err, "retry_in", delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		ch.opened()
		onAccept()
		if c, ok := nc.(*conn); ok {
			ch.hand(job{c: c, fresh: true})
		} else {
			ch.hand(job{hc: ch.srv.NewConn(nc)})
		}
	}
}

// opened counts a new connection in.
func (ch *child) opened() {
	ch.active.Add(1)
	ch.conns.Add(1)
	if ch.board != nil {
		ch.board.Process(ch.slot).AddConnections(1)
	}
}

// closed counts a closed connection out.
func (ch *child) closed() {
	ch.conns.Add(-1)
	if ch.board != nil {
		ch.board.Process(ch.slot).AddConnections(-1)
	}
	if ch.loop != nil {
		ch.loop.maybeWake()
	}
	ch.active.Done()
}

func (ch *child) worker(i int) {
	var ws scoreboard.Worker
	if ch.board != nil {
		ws = ch.board.Worker(ch.slot, i)
		ws.SetStatus(scoreboard.Ready)
	}
	for j := range ch.inboxes[i] {
		hc := j.hc
		switch {
		case j.fresh:
			hc = ch.srv.NewConn(j.c)
		case j.resume:
			hc = ch.srv.Resume(j.c, j.idle)
		}
		if !j.fresh && ch.loop != nil {
			// Woken from the park: maybe for bytes its last request's
			// reads took (see loop.armLocked); then it is parked again.
			hc.SkipIdleWait()
		}
		if ch.board != nil {
			if hc.Requests() == 0 {
				ws.NewConnection()
			} else {
				ws.SetStatus(scoreboard.BusyRead)
			}
			hc.Tag = ws
		}
		// Only the event loop's connections go back to it, TLS ones too
		// (see serve).
		ec := j.c
		if ch.loop == nil {
			ec = nil
		}
		ch.serving[i].Store(hc) // a wait that starts after the drain is bounded by itself
		ch.serve(hc, ec, ws)
		ch.serving[i].Store(nil)
		if ch.board != nil {
			if ch.drain.Load() {
				ws.SetStatus(scoreboard.Graceful)
			} else {
				ws.SetStatus(scoreboard.Ready)
			}
		}
		ch.ready(i)
		if ch.loop != nil {
			ch.loop.maybeWake()
		}
	}
}

// ready makes worker i idle: the last of the idlers, then a token in idle,
// so that whoever takes a token finds an idler.
func (ch *child) ready(i int) {
	ch.idleMu.Lock()
	ch.idlers = append(ch.idlers, int32(i))
	ch.idleMu.Unlock()
	ch.idle <- struct{}{}
}

// hand gives j to the most recently idle worker; the caller took a token
// from idle.
func (ch *child) hand(j job) {
	ch.idleMu.Lock()
	i := ch.idlers[len(ch.idlers)-1]
	ch.idlers = ch.idlers[:len(ch.idlers)-1]
	ch.idleMu.Unlock()
	ch.inboxes[i] <- j
}

// serve answers requests on hc until it closes or, in the event child
// (c set), until it goes idle with nothing buffered: then it is parked.
func (ch *child) serve(hc *http1.Conn, c *conn, ws scoreboard.Worker) {
	for {
		keep, err := hc.ServeRequest()
		if c != nil && hc.Unsent() != nil {
			// Event: the client does not take the response's end at once;
			// the loop writes it (write completion), not this worker.
			if hc.Buffered() == 0 {
				hc.Release()
			}
			tag := hc.Tag
			hc.Tag = nil
			cerr := ch.loop.complete(hc, c, keep && err == nil)
			if cerr == nil {
				return
			}
			ch.log("cannot hand a response's end to the event loop", "error", cerr)
			hc.Tag = tag
			if werr := hc.WriteUnsent(); werr != nil && err == nil {
				err = werr
			}
		}
		if err != nil || !keep {
			if ch.board != nil {
				ws.SetStatus(scoreboard.Closing)
			}
			if c == nil {
				ch.closeConn(hc)
				return
			}
			// Event: the loop does the lingering close, not this worker.
			// Finish has shut the sending side down (over TLS after
			// close_notify, which it waits to send as crypto/tls's Close
			// does); what the client still sends is discarded unread, TLS
			// records too, as apache2 event does after mod_ssl's
			// close_notify. A worker that lingered itself was held up to
			// 30 s by a client that kept sending.
			if hc.Finish() && ch.loop.linger(c) == nil {
				return
			}
			c.Close()
			ch.closed()
			return
		}
		// Parked only when the socket alone tells when the next request
		// comes: nothing of it is buffered, here or, over TLS, in the
		// tls.Conn (Quiet; what it had decrypted is then buffered and
		// served at once).
		if c != nil && hc.Quiet() {
			hc.Release()
			hc.Tag = nil
			if err := ch.loop.park(hc, c); err != nil {
				ch.log("cannot park a keep-alive connection", "error", err)
				ch.closeConn(hc)
			}
			return
		}
	}
}

// closeConn closes a connection and counts it out.
func (ch *child) closeConn(hc *http1.Conn) {
	hc.Close()
	ch.closed()
}
