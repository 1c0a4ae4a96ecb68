// Package threads serves connections in a child process with a fixed pool
// of workers, the way Apache's worker and event MPMs do. Without Park a
// connection keeps its worker between keep-alive requests (worker); with
// Park an idle keep-alive connection is handed to an epoll set and its
// worker is free for other connections (event). Each worker keeps its own
// record of the shared scoreboard.
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
	Park    bool // park idle keep-alive connections in epoll (event)
	// AsyncRequestWorkerFactor (event): a child accepts a new connection
	// only while its open connections (lingering ones aside) are fewer
	// than Workers + idle workers × factor. The factor is applied as an
	// integer, as Apache does. 0 means no such limit.
	AsyncRequestWorkerFactor float64
}

// child is one serving process.
type child struct {
	srv     *http1.Server
	log     func(msg string, args ...any)
	idle    chan struct{} // one token per idle worker
	work    chan *http1.Conn
	parker  *parker // nil without Park
	active  sync.WaitGroup
	opt     Options
	board   *scoreboard.Board
	slot    int
	conns   atomic.Int64  // open connections
	closed  chan struct{} // a connection closed (wakes a waiting acceptor)
	stop    chan struct{} // closed on a graceful stop, asked or own
	stopped sync.Once
	drain   atomic.Bool
}

// Serve runs the child until it is asked to stop gracefully (or reaches
// MaxConnectionsPerChild) and every connection has finished, or until the
// process is killed.
func Serve(c *mpm.Child, opt Options) error {
	srv, err := c.HTTPServer()
	if err != nil {
		return err
	}
	n := max(opt.Workers, 1)
	ch := &child{
		srv: srv, log: c.Log.Error, idle: make(chan struct{}, n), work: make(chan *http1.Conn, n),
		opt: opt, board: c.Scoreboard, slot: c.Slot, closed: make(chan struct{}, 1), stop: make(chan struct{}),
	}
	for i := range n {
		ch.idle <- struct{}{}
		go ch.worker(i)
	}
	if opt.Park {
		if ch.parker, err = newParker(ch.dispatchParked, ch.closeParked, c.Config.Core.KeepAliveTimeout); err != nil {
			return err
		}
		if ch.board != nil {
			ps := ch.board.Process(ch.slot)
			ch.parker.onIdle = ps.SetKeepAlive
		}
		go ch.parker.loop()
	}
	go func() {
		<-c.Graceful()
		ch.gracefulStop()
	}()
	limit := c.Config.Core.MaxConnectionsPerChild
	var accepted atomic.Int64
	var lns []net.Listener
	var accepting sync.WaitGroup
	for _, l := range c.Listeners {
		ln, err := l.Listen()
		if err != nil {
			return err
		}
		lns = append(lns, ln)
		accepting.Add(1)
		go func() {
			defer accepting.Done()
			ch.acceptLoop(ln, func() {
				if limit > 0 && accepted.Add(1) >= int64(limit) {
					ch.gracefulStop() // MaxConnectionsPerChild
				}
			})
		}()
	}
	<-ch.stop
	srv.StartDraining()
	for _, ln := range lns {
		ln.Close()
	}
	accepting.Wait()
	// Keep-alive connections are not cut: a parked one is closed when its
	// next request has been answered (with Connection: close) or when it
	// has been idle for KeepAliveTimeout.
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
		close(ch.stop)
	})
}

// acceptLoop accepts only while a worker is idle, like Apache's listener
// thread: a connection is never accepted into a queue.
func (ch *child) acceptLoop(ln net.Listener, onAccept func()) {
	var delay time.Duration
	for {
		<-ch.idle
		ch.waitBelowLimit()
		conn, err := ln.Accept()
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
		ch.active.Add(1)
		ch.conns.Add(1)
		if ch.board != nil {
			ch.board.Process(ch.slot).AddConnections(1)
		}
		onAccept()
		ch.work <- ch.srv.NewConn(conn)
	}
}

// waitBelowLimit holds the acceptor while the child has as many
// connections as AsyncRequestWorkerFactor allows (event's
// connections_above_limit), marking the child not accepting meanwhile.
func (ch *child) waitBelowLimit() {
	f := int64(ch.opt.AsyncRequestWorkerFactor)
	if f <= 0 {
		return
	}
	waiting := false
	for {
		idle := int64(len(ch.idle)) + 1 // the worker this acceptor holds
		if ch.conns.Load() < int64(ch.opt.Workers)+idle*f {
			break
		}
		if !waiting && ch.board != nil {
			ch.board.Process(ch.slot).SetNotAccepting(true)
		}
		waiting = true
		select {
		case <-ch.closed:
		case <-ch.stop:
		case <-time.After(100 * time.Millisecond):
		}
		select {
		case <-ch.stop:
			return
		default:
		}
	}
	if waiting && ch.board != nil {
		ch.board.Process(ch.slot).SetNotAccepting(false)
	}
}

// dispatchParked hands a parked connection that became readable to a
// worker. It never blocks the poller: with every worker busy the
// connection waits in pending until one is free.
func (ch *child) dispatchParked(hc *http1.Conn) bool {
	select {
	case <-ch.idle:
		ch.work <- hc
		return true
	default:
		return false
	}
}

func (ch *child) worker(i int) {
	var ws scoreboard.Worker
	if ch.board != nil {
		ws = ch.board.Worker(ch.slot, i)
		ws.SetStatus(scoreboard.Ready)
	}
	for hc := range ch.work {
		if ch.board != nil {
			if hc.Requests() == 0 {
				ws.NewConnection()
			} else {
				ws.SetStatus(scoreboard.BusyRead)
			}
			hc.Tag = ws
		}
		ch.serve(hc, ws)
		if ch.board != nil {
			if ch.drain.Load() {
				ws.SetStatus(scoreboard.Graceful)
			} else {
				ws.SetStatus(scoreboard.Ready)
			}
		}
		ch.idle <- struct{}{}
	}
}

// serve answers requests on hc until it closes or, with a parker, until it
// goes idle with nothing buffered.
func (ch *child) serve(hc *http1.Conn, ws scoreboard.Worker) {
	for {
		keep, err := hc.ServeRequest()
		if err != nil || !keep {
			if ch.parker != nil {
				ch.parker.drop(hc)
			}
			if ch.board != nil {
				ws.SetStatus(scoreboard.Closing)
			}
			ch.closeConn(hc)
			return
		}
		if ch.parker != nil && hc.Buffered() == 0 {
			hc.Release()
			hc.Tag = nil
			if err := ch.parker.park(hc); err != nil {
				ch.closeConn(hc)
			}
			return
		}
	}
}

// closeConn closes a connection and counts it out.
func (ch *child) closeConn(hc *http1.Conn) {
	hc.Close()
	ch.conns.Add(-1)
	if ch.board != nil {
		ch.board.Process(ch.slot).AddConnections(-1)
	}
	select {
	case ch.closed <- struct{}{}:
	default:
	}
	ch.active.Done()
}

// closeParked is called by the parker for a connection it gives up on
// (KeepAliveTimeout, client closed).
func (ch *child) closeParked(hc *http1.Conn) { ch.closeConn(hc) }
