// Package threads serves connections in a child process with a fixed pool
// of workers, the way Apache's worker and event MPMs do. Without Park a
// connection keeps its worker between keep-alive requests (worker); with
// Park an idle keep-alive connection is handed to an epoll set and its
// worker is free for other connections (event).
package threads

import (
	"errors"
	"net"
	"sync"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// Options says how a child serves.
type Options struct {
	Workers int  // ThreadsPerChild
	Park    bool // park idle keep-alive connections in epoll (event)
}

// Directives are the directives worker and event share, with Apache 2.4's
// defaults and hard limits.
func Directives() []mpm.Directive {
	return []mpm.Directive{
		{Name: "StartServers", Kind: mpm.KindInt, Default: "3", Min: 1, Max: 20000, Help: "Number of child processes launched at server startup"},
		{Name: "MinSpareThreads", Kind: mpm.KindInt, Default: "75", Min: 1, Max: 2000000, Help: "Minimum number of idle threads, to handle request spikes"},
		{Name: "MaxSpareThreads", Kind: mpm.KindInt, Default: "250", Min: 1, Max: 2000000, Help: "Maximum number of idle threads"},
		{Name: "MaxRequestWorkers", Kind: mpm.KindInt, Default: "400", Min: 1, Max: 2000000, Help: "Maximum number of threads alive at the same time"},
		{Name: "MaxClients", Kind: mpm.KindInt, Min: 1, Max: 2000000, Help: "Deprecated name of MaxRequestWorkers"},
		{Name: "ServerLimit", Kind: mpm.KindInt, Default: "16", Min: 1, Max: 20000, Help: "Maximum number of child processes for this run of Apache"},
		{Name: "ThreadsPerChild", Kind: mpm.KindInt, Default: "25", Min: 1, Max: 100000, Help: "Number of threads each child creates"},
		{Name: "ThreadLimit", Kind: mpm.KindInt, Default: "64", Min: 1, Max: 100000, Help: "Maximum number of worker threads per child process for this run of Apache - Upper limit for ThreadsPerChild"},
	}
}

// child is one serving process.
type child struct {
	srv    *http1.Server
	log    func(msg string, args ...any)
	idle   chan struct{} // one token per idle worker
	work   chan *http1.Conn
	parker *parker // nil without Park
	active sync.WaitGroup
}

// Serve runs the child until it is asked to stop gracefully and every
// connection has finished, or until the process is killed.
func Serve(c *mpm.Child, opt Options) error {
	srv, err := mpm.NewHTTPServer(c.Config)
	if err != nil {
		return err
	}
	n := max(opt.Workers, 1)
	ch := &child{srv: srv, log: c.Log.Error, idle: make(chan struct{}, n), work: make(chan *http1.Conn, n)}
	for range n {
		ch.idle <- struct{}{}
		go ch.worker()
	}
	if opt.Park {
		if ch.parker, err = newParker(ch.dispatchParked, ch.closeParked, c.Config.Core.KeepAliveTimeout); err != nil {
			return err
		}
		go ch.parker.loop()
	}
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
			ch.acceptLoop(ln)
		}()
	}
	<-c.Graceful()
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

// acceptLoop accepts only while a worker is idle, like Apache's listener
// thread: a connection is never accepted into a queue.
func (ch *child) acceptLoop(ln net.Listener) {
	var delay time.Duration
	for {
		<-ch.idle
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
		ch.work <- ch.srv.NewConn(conn)
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

func (ch *child) worker() {
	for hc := range ch.work {
		ch.serve(hc)
		ch.idle <- struct{}{}
	}
}

// serve answers requests on hc until it closes or, with a parker, until it
// goes idle with nothing buffered.
func (ch *child) serve(hc *http1.Conn) {
	for {
		keep, err := hc.ServeRequest()
		if err != nil || !keep {
			if ch.parker != nil {
				ch.parker.drop(hc)
			}
			hc.Close()
			ch.active.Done()
			return
		}
		if ch.parker != nil && hc.Buffered() == 0 {
			hc.Release()
			if err := ch.parker.park(hc); err != nil {
				hc.Close()
				ch.active.Done()
			}
			return
		}
	}
}

// closeParked is called by the parker for a connection it gives up on
// (KeepAliveTimeout, client closed).
func (ch *child) closeParked(hc *http1.Conn) {
	hc.Close()
	ch.active.Done()
}
