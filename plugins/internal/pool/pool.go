// Package pool runs the child processes of the built-in MPMs: a set of
// slots, each holding one child (the plugin binary re-executed through
// mpm.StartChild). A child that dies while the pool runs is logged and
// replaced; Stop ends them gracefully (SIGUSR1) or at once (SIGTERM).
package pool

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// Pool is a set of child processes. Its methods are safe for concurrent use.
type Pool struct {
	Config    *mpm.Config
	Listeners []mpm.Listener
	Log       hclog.Logger
	// Extra, if set, gives the per-child extra data (mpm.ChildSpec.Extra).
	Extra func(slot int) any

	mu       sync.Mutex
	procs    map[int]*mpm.Process
	stopping bool
	wg       sync.WaitGroup
}

// Start starts n children in slots 0..n-1.
func (p *Pool) Start(n int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.procs == nil {
		p.procs = make(map[int]*mpm.Process)
	}
	for slot := 0; slot < n; slot++ {
		if err := p.spawnLocked(slot); err != nil {
			return err
		}
	}
	return nil
}

func (p *Pool) spawnLocked(slot int) error {
	spec := mpm.ChildSpec{Slot: slot, Config: p.Config, Listeners: p.Listeners}
	if p.Extra != nil {
		spec.Extra = p.Extra(slot)
	}
	proc, err := mpm.StartChild(spec)
	if err != nil {
		return fmt.Errorf("fork: Unable to fork new process: %w", err)
	}
	p.procs[slot] = proc
	p.wg.Add(1)
	go p.reap(proc)
	return nil
}

// reap waits for a child and replaces it unless the pool is stopping.
func (p *Pool) reap(proc *mpm.Process) {
	defer p.wg.Done()
	<-proc.Done()
	p.mu.Lock()
	if p.procs[proc.Slot] == proc {
		delete(p.procs, proc.Slot)
	}
	stopping := p.stopping
	p.mu.Unlock()
	if stopping {
		return
	}
	logExit(p.Log, proc)
	time.Sleep(100 * time.Millisecond) // never spin on a child that dies at once
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopping {
		return
	}
	if err := p.spawnLocked(proc.Slot); err != nil {
		p.Log.Error("could not replace child", "slot", proc.Slot, "error", err)
	}
}

// logExit logs an unexpected child exit the way Apache does (AH00051/AH00052).
func logExit(log hclog.Logger, proc *mpm.Process) {
	st := proc.State()
	if st == nil {
		return
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		sig := ws.Signal()
		if ws.CoreDump() {
			log.Warn(fmt.Sprintf("AH00051: child pid %d exit signal %s (%d), possible coredump", proc.Pid, sig, int(sig)))
		} else {
			log.Warn(fmt.Sprintf("AH00052: child pid %d exit signal %s (%d)", proc.Pid, sig, int(sig)))
		}
		return
	}
	log.Warn(fmt.Sprintf("child pid %d exited with status %d; replacing it", proc.Pid, st.ExitCode()))
}

// Stop ends every child: graceful sends SIGUSR1 and waits; otherwise
// SIGTERM. Children still alive when ctx ends get SIGKILL. Stop returns
// when all children have exited.
func (p *Pool) Stop(ctx context.Context, graceful bool) error {
	p.mu.Lock()
	p.stopping = true
	procs := make([]*mpm.Process, 0, len(p.procs))
	for _, proc := range p.procs {
		procs = append(procs, proc)
	}
	p.mu.Unlock()
	sig := syscall.SIGTERM
	if graceful {
		sig = syscall.SIGUSR1
	}
	for _, proc := range procs {
		_ = proc.Signal(sig)
	}
	if !graceful {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
	}
	var err error
	for _, proc := range procs {
		select {
		case <-proc.Done():
		case <-ctx.Done():
			p.Log.Warn(fmt.Sprintf("AH00046: child process %d still did not exit, sending a SIGKILL", proc.Pid))
			_ = proc.Signal(syscall.SIGKILL)
			<-proc.Done()
			err = errors.Join(err, fmt.Errorf("child %d killed: %w", proc.Pid, ctx.Err()))
		}
	}
	p.wg.Wait()
	return err
}

// Pids lists the live children's pids in slot order.
func (p *Pool) Pids() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	slots := make([]int, 0, len(p.procs))
	for s := range p.procs {
		slots = append(slots, s)
	}
	sort.Ints(slots)
	pids := make([]int, 0, len(slots))
	for _, s := range slots {
		pids = append(pids, p.procs[s].Pid)
	}
	return pids
}
