package main

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
)

// ServeChild implements mpm.ChildServer: one serving process. It runs on
// one OS thread (GOMAXPROCS 1, on its own core when pinned) and gives every
// connection a goroutine of its own; Go's netpoller waits for all of them,
// so an idle keep-alive connection costs a few kilobytes, not a thread.
// Each connection holds one worker record of the scoreboard while it is
// open; with all of them taken the process stops accepting, and the
// kernel queue (or another process) holds new connections.
func (m *PerCore) ServeChild(c *mpm.Child) error {
	runtime.GOMAXPROCS(1)
	s, diags := decode(c.Config)
	if len(diags) > 0 {
		return fmt.Errorf("child config: %s", diags[0].Message)
	}
	srv, err := c.HTTPServer() // static files, server-status, scoreboard upkeep
	if err != nil {
		return err
	}
	ch := &child{
		srv: srv, board: c.Scoreboard, slot: c.Slot, free: make(chan int, s.maxConns), stop: make(chan struct{}),
		serving: make([]atomic.Pointer[http1.Conn], s.maxConns),
	}
	for i := range s.maxConns {
		ch.free <- i
		ch.worker(i).SetStatus(scoreboard.Ready)
	}
	go func() {
		<-c.Graceful()
		ch.drain()
	}()
	var lns []net.Listener
	var accepting sync.WaitGroup
	for _, l := range c.Listeners {
		ln, err := l.Listen()
		if err != nil {
			return err
		}
		lns = append(lns, ln)
		accepting.Go(func() { ch.accept(ln, c.Config.Core.MaxConnectionsPerChild) })
	}
	<-ch.stop
	for _, ln := range lns {
		ln.Close()
	}
	accepting.Wait()
	// Keep-alive connections are not cut: each ends once its next request
	// is answered (with Connection: close) or when its wait for one ends,
	// http1.DrainIdle after the drain began (see drain).
	ch.conns.Wait()
	return nil
}

// child is the state of one serving process.
type child struct {
	srv   *http1.Server
	board *scoreboard.Board
	slot  int
	free  chan int // free worker records: one per connection
	conns sync.WaitGroup
	// serving is the connection of each worker record, nil while it is
	// free: drain ends their waits for a keep-alive request.
	serving []atomic.Pointer[http1.Conn]

	mu       sync.Mutex
	accepted int
	stop     chan struct{}
	stopped  bool
}

func (ch *child) worker(i int) scoreboard.Worker { return ch.board.Worker(ch.slot, i) }

// drain ends accepting and starts the Server's drain: every later response
// says Connection: close, and a connection waiting for its next request
// waits http1.DrainIdle more at most (StartDraining bounds the waits that
// start later, EndIdleWait the ones under way). It is called once the
// parent asks (SIGUSR1) or after MaxConnectionsPerChild connections.
func (ch *child) drain() {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.stopped {
		return
	}
	ch.stopped = true
	ch.board.Process(ch.slot).SetQuiescing()
	ch.srv.StartDraining()
	for i := range ch.serving {
		if hc := ch.serving[i].Load(); hc != nil {
			hc.EndIdleWait()
		}
	}
	close(ch.stop)
}

// accept takes a free worker record, then a connection, and serves it on
// a goroutine of its own.
func (ch *child) accept(ln net.Listener, limit int) {
	var delay time.Duration
	for {
		var w int
		select {
		case w = <-ch.free:
		case <-ch.stop:
			return
		}
		conn, err := ln.Accept()
		if err != nil {
			ch.free <- w
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// EMFILE and the like: back off rather than spin.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			time.Sleep(delay)
			continue
		}
		delay = 0
		ch.conns.Add(1)
		go ch.serve(conn, w)
		ch.mu.Lock()
		ch.accepted++
		full := limit > 0 && ch.accepted >= limit
		ch.mu.Unlock()
		if full {
			ch.drain() // MaxConnectionsPerChild: the parent starts a fresh process
		}
	}
}

func (ch *child) serve(conn net.Conn, w int) {
	defer ch.conns.Done()
	ws := ch.worker(w)
	proc := ch.board.Process(ch.slot)
	proc.AddConnections(1)
	ws.NewConnection()
	hc := ch.srv.NewConn(conn)
	hc.Tag = ws             // scoreboard.Instrument keeps this record current
	ch.serving[w].Store(hc) // before its first wait: drain sees it, or it sees the drain
	for {
		keep, err := hc.ServeRequest()
		if err != nil || !keep {
			break
		}
	}
	ch.serving[w].Store(nil)
	ws.SetStatus(scoreboard.Closing)
	hc.Close()
	proc.AddConnections(-1)
	if ch.srv.Draining() {
		ws.SetStatus(scoreboard.Graceful)
	} else {
		ws.SetStatus(scoreboard.Ready)
	}
	ch.free <- w
}
