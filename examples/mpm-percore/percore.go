package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
)

// PerCore is the MPM: the plugin process starts one child per CPU it may
// run on, pins each to its CPU, restarts a child that dies, and drains
// them all on Stop. The children serve (see child.go).
type PerCore struct {
	cfg      *mpm.Config
	settings settings

	mu       sync.Mutex
	board    *scoreboard.Board
	procs    map[int]*mpm.Process // by slot
	ls       []mpm.Listener
	cred     *mpm.Credential
	stopping bool
	wg       sync.WaitGroup // one supervisor per slot
}

var (
	_ mpm.MPM         = (*PerCore)(nil)
	_ mpm.ChildServer = (*PerCore)(nil)
)

// settings are the directives' values.
type settings struct {
	processes   int   // children; one per CPU when the directive says 0
	maxConns    int   // concurrent connections per child
	affinity    bool  // pin child i to cpus[i % len(cpus)]
	cpus        []int // the CPUs this process may run on
	restartWait time.Duration
}

// Directive names.
const (
	dirProcesses = "Processes"
	dirMaxConns  = "MaxConnectionsPerProcess"
	dirAffinity  = "CPUAffinity"
)

var directives = []mpm.Directive{
	{Name: dirProcesses, Kind: mpm.KindInt, Default: "0", Min: 0, Max: 4096,
		Help: "Number of serving processes; 0 (the default) starts one per CPU core httpd may run on"},
	{Name: dirMaxConns, Kind: mpm.KindInt, Default: "512", Min: 1, Max: 65536,
		Help: "Maximum number of connections one process serves at once; at the limit it stops accepting"},
	{Name: dirAffinity, Kind: mpm.KindFlag, Default: "On",
		Help: "On pins each process to its own CPU core (the default); Off lets the kernel schedule them"},
}

// Describe implements mpm.MPM.
func (m *PerCore) Describe() mpm.Description {
	return mpm.Description{
		Module:     "mpm_percore_module",
		Name:       "percore",
		Source:     "percore.c",
		Version:    "1.0.0",
		Threaded:   "no (one thread per process, a goroutine per connection)",
		Forked:     "yes (one process per CPU core)",
		Directives: directives,
	}
}

// decode reads the directives; the SDK checks kinds and ranges and puts
// the file and line of a bad one into the diagnostic.
func decode(cfg *mpm.Config) (settings, []mpm.Diagnostic) {
	v, diags := mpm.Decode(directives, cfg.Settings)
	if len(diags) > 0 {
		return settings{}, diags
	}
	s := settings{maxConns: v.Int(dirMaxConns), affinity: v.Flag(dirAffinity), restartWait: time.Second}
	s.cpus = allowedCPUs()
	s.processes = v.Int(dirProcesses)
	if s.processes == 0 {
		s.processes = len(s.cpus)
	}
	return s, nil
}

// Configure implements mpm.MPM.
func (m *PerCore) Configure(cfg *mpm.Config) []mpm.Diagnostic {
	s, diags := decode(cfg)
	if _, err := cfg.Core.ChildCredential(); err != nil {
		diags = append(diags, mpm.Diagnostic{Severity: mpm.SeverityError, Message: err.Error()})
	}
	m.cfg, m.settings = cfg, s
	return diags
}

// Run implements mpm.MPM: it makes the scoreboard, starts every child and
// returns; a supervisor per slot restarts a child that exits.
func (m *PerCore) Run(_ context.Context, ls []mpm.Listener) error {
	s := m.settings
	cred, err := m.cfg.Core.ChildCredential()
	if err != nil {
		return err
	}
	board, err := scoreboard.Create(s.processes, s.maxConns)
	if err != nil {
		return err
	}
	board.Global().SetLimits(scoreboard.Limits{MaxRequestWorkers: s.processes * s.maxConns, ThreadsPerChild: s.maxConns, MaxDaemons: s.processes})
	m.mu.Lock()
	m.board, m.ls, m.cred, m.procs = board, ls, cred, map[int]*mpm.Process{}
	for slot := range s.processes {
		p, err := m.start(slot)
		if err != nil {
			m.mu.Unlock()
			m.Stop(context.Background(), false)
			return err
		}
		m.wg.Add(1)
		go m.supervise(slot, p)
	}
	m.mu.Unlock()
	how := "unpinned"
	if s.affinity {
		how = fmt.Sprintf("pinned to CPUs %v", s.cpus)
	}
	m.cfg.Log.Info(fmt.Sprintf("%s configured -- resuming normal operations: %d processes %s, up to %d connections each",
		m.cfg.Core.Software, s.processes, how, s.maxConns))
	return nil
}

// start starts the child of slot, on its CPU. m.mu is held, so that Stop
// sees every child started.
func (m *PerCore) start(slot int) (*mpm.Process, error) {
	s := m.settings
	m.board.Process(slot).Prepare(0)
	for i := range s.maxConns {
		m.board.Worker(slot, i).Reset(0)
	}
	spec := mpm.ChildSpec{Slot: slot, Config: m.cfg, Listeners: m.ls, Scoreboard: m.board, Credential: m.cred}
	var p *mpm.Process
	var err error
	if s.affinity && len(s.cpus) > 0 {
		p, err = startPinned(spec, s.cpus[slot%len(s.cpus)])
	} else {
		p, err = mpm.StartChild(spec)
	}
	if err != nil {
		return nil, err
	}
	m.board.Process(slot).SetPid(p.Pid)
	m.procs[slot] = p
	return p, nil
}

// supervise waits for the child of slot to exit and starts another unless
// the MPM is stopping: at once after a clean exit (MaxConnectionsPerChild),
// a second later after a crash, so that a crash loop does not spin.
func (m *PerCore) supervise(slot int, p *mpm.Process) {
	defer m.wg.Done()
	for {
		<-p.Done()
		m.board.Process(slot).Exited()
		m.mu.Lock()
		stopping := m.stopping
		delete(m.procs, slot)
		m.mu.Unlock()
		if stopping {
			return
		}
		st := p.State()
		if st == nil || !st.Success() {
			m.cfg.Log.Error(fmt.Sprintf("AH00052: child pid %d exit %v", p.Pid, st))
			time.Sleep(m.settings.restartWait)
		}
		m.mu.Lock()
		if m.stopping {
			m.mu.Unlock()
			return
		}
		next, err := m.start(slot)
		m.mu.Unlock()
		if err != nil {
			m.cfg.Log.Error("restarting child", "slot", slot, "error", err)
			time.Sleep(m.settings.restartWait)
			continue
		}
		p = next
	}
}

// Status implements mpm.MPM: the scoreboard's counts.
func (m *PerCore) Status() mpm.Status {
	m.mu.Lock()
	b := m.board
	m.mu.Unlock()
	if b == nil {
		return mpm.Status{}
	}
	sum := b.Summary()
	return mpm.Status{
		Processes: sum.Processes, BusyWorkers: sum.BusyWorkers, IdleWorkers: sum.IdleWorkers,
		TotalAccesses: sum.Accesses, TotalBytes: sum.Bytes, Scoreboard: sum.Scoreboard, Pids: sum.Pids,
	}
}

// Stop implements mpm.MPM: SIGUSR1 asks each child to drain, SIGTERM to
// stop at once; children still running when ctx ends are killed.
func (m *PerCore) Stop(ctx context.Context, graceful bool) error {
	m.mu.Lock()
	m.stopping = true
	procs := make([]*mpm.Process, 0, len(m.procs))
	for _, p := range m.procs {
		procs = append(procs, p)
	}
	m.mu.Unlock()
	sig := syscall.SIGTERM
	if graceful {
		sig = syscall.SIGUSR1
	}
	for _, p := range procs {
		_ = p.Signal(sig)
	}
	var errs []error
	for _, p := range procs {
		select {
		case <-p.Done():
		case <-ctx.Done():
			_ = p.Signal(syscall.SIGKILL)
			<-p.Done()
			errs = append(errs, fmt.Errorf("child %d killed: %w", p.Pid, ctx.Err()))
		}
	}
	m.wg.Wait()
	for _, l := range m.ls {
		l.File.Close()
	}
	return errors.Join(errs...)
}
