// Command mod_mpm_minimal is the smallest useful MPM for httpd-mpm: the
// plugin process serves by itself, one goroutine per connection, up to
// MaxConnections at once. It has no children, hence no scoreboard and no
// server-status, and it serves as the user httpd runs as: with httpd run as
// root and User set, NewHTTPServer refuses it (see README.md).
package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

func main() { mpm.Serve(&Minimal{}) }

var _ mpm.MPM = (*Minimal)(nil)

var directives = []mpm.Directive{{
	Name: "MaxConnections", Kind: mpm.KindInt, Default: "256", Min: 1, Max: 1 << 20,
	Help: "connections served at once; more wait in the kernel's queue",
}}

// Minimal is the MPM. The host calls Describe, Configure, Run and Stop
// one at a time; Status may come concurrently with Stop.
type Minimal struct {
	cfg      *mpm.Config
	srv      *http1.Server
	maxConns int

	mu      sync.Mutex
	stopped bool
	lns     []net.Listener
	files   []*os.File // the listeners as Run got them: ours to close
	conns   map[*http1.Conn]struct{}
	wg      sync.WaitGroup // one per connection

	busy, accesses, bytes atomic.Int64
}

// Describe implements mpm.MPM. It has no side effects.
func (m *Minimal) Describe() mpm.Description {
	return mpm.Description{
		Module: "mpm_minimal_module", Name: "minimal", Source: "minimal.c", Version: "1",
		Threaded: "yes (a goroutine per connection)", Forked: "no",
		Directives: directives,
	}
}

// Configure implements mpm.MPM: Decode checks MaxConnections (its errors
// carry the file and line of the setting), NewHTTPServer builds the engine.
func (m *Minimal) Configure(cfg *mpm.Config) []mpm.Diagnostic {
	vals, diags := mpm.Decode(directives, cfg.Settings)
	for _, d := range diags {
		if d.Severity == mpm.SeverityError {
			return diags
		}
	}
	srv, err := mpm.NewHTTPServer(cfg)
	if err != nil {
		return append(diags, mpm.Diagnostic{Severity: mpm.SeverityError, Message: err.Error()})
	}
	// NewHTTPServer's RequestDone writes the access logs: call it from ours.
	logRequest := srv.RequestDone
	srv.RequestDone = func(c *http1.Conn, r *http.Request, status int, n int64) {
		m.accesses.Add(1)
		m.bytes.Add(n)
		if logRequest != nil {
			logRequest(c, r, status, n)
		}
	}
	m.cfg, m.srv, m.maxConns = cfg, srv, vals.Int("MaxConnections")
	m.conns = make(map[*http1.Conn]struct{})
	return diags
}

// Run implements mpm.MPM: it accepts on every listener and returns at once.
func (m *Minimal) Run(ctx context.Context, listeners []mpm.Listener) error {
	slots := make(chan struct{}, m.maxConns) // MaxConnections
	for _, l := range listeners {
		ln, err := l.Listen() // a duplicate in Go's netpoller
		if err != nil {
			return err
		}
		m.mu.Lock()
		m.lns, m.files = append(m.lns, ln), append(m.files, l.File)
		m.mu.Unlock()
		go m.accept(ln, slots)
	}
	mpm.Notice(m.cfg.Log, "minimal MPM serving", "listeners", len(listeners), "max_connections", m.maxConns)
	return nil
}

func (m *Minimal) accept(ln net.Listener, slots chan struct{}) {
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) { // Stop
				return
			}
			// Out of descriptors, say: try again, a little later each time.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			m.cfg.Log.Error("accept failed; retrying", "error", err, "in", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		// A slot once accepted: taken before Accept, one would sit idle in
		// each listener that gets no connection.
		slots <- struct{}{}
		c := m.srv.NewConn(nc)
		m.mu.Lock()
		if m.stopped { // accepted while Stop closed the listeners
			m.mu.Unlock()
			c.Close()
			<-slots
			continue
		}
		m.conns[c] = struct{}{}
		m.wg.Add(1)
		m.mu.Unlock()
		go m.serve(c, slots)
	}
}

// serve runs one connection's requests until it closes.
func (m *Minimal) serve(c *http1.Conn, slots chan struct{}) {
	defer func() {
		c.Close() // lingers after a response that closed it
		m.mu.Lock()
		delete(m.conns, c)
		m.mu.Unlock()
		<-slots
		m.wg.Done()
	}()
	for {
		m.busy.Add(1)
		keep, _ := c.ServeRequest() // the error is informational
		m.busy.Add(-1)
		if !keep {
			return
		}
	}
}

// Status implements mpm.MPM: each of MaxConnections is a worker.
func (m *Minimal) Status() mpm.Status {
	busy := min(int(m.busy.Load()), m.maxConns)
	return mpm.Status{
		Processes: 1, BusyWorkers: busy, IdleWorkers: m.maxConns - busy,
		TotalAccesses: uint64(m.accesses.Load()), TotalBytes: uint64(m.bytes.Load()),
		Scoreboard: strings.Repeat("W", busy) + strings.Repeat("_", m.maxConns-busy),
		Pids:       []int{os.Getpid()},
	}
}

// Stop implements mpm.MPM. Graceful: stop accepting, answer what comes on
// a kept-alive connection with "Connection: close" (StartDraining) and end
// the waits for a next request DrainIdle after the stop (EndIdleWait), then
// wait for every connection. Otherwise, or once ctx ends: close them all.
// A second Stop (graceful false) may come while a graceful one waits.
func (m *Minimal) Stop(ctx context.Context, graceful bool) error {
	m.mu.Lock()
	m.stopped = true
	for _, ln := range m.lns {
		ln.Close()
	}
	for _, f := range m.files {
		f.Close() // never shut the socket down: the host keeps its copy
	}
	m.lns, m.files = nil, nil
	if graceful {
		m.srv.StartDraining()
	}
	for c := range m.conns {
		if graceful {
			c.EndIdleWait()
		} else {
			c.Close()
		}
	}
	m.mu.Unlock()
	done := make(chan struct{})
	go func() { m.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		m.mu.Lock()
		for c := range m.conns {
			c.Close()
		}
		m.mu.Unlock()
		<-done
	}
	return nil
}
