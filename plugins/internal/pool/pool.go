// Package pool runs the child processes of the built-in MPMs the way
// Apache's prefork, worker and event parents do: StartServers children at
// start, then about once a second an idle-server maintenance pass over
// the shared scoreboard that starts children (1, 2, 4 … up to 32 per pass)
// while fewer than MinSpare servers or threads are idle, retires one child
// per pass while more than MaxSpare are idle, and never lets more than
// MaxRequestWorkers worth of children be active. Children are the plugin
// binary re-executed through mpm.StartChild; a child that dies is logged
// and its slot freed for the next pass to fill. Each pass also ends a
// child that is hung (its scoreboard heartbeat is older than
// mpm.HangTimeout: stopped, wedged, or every worker stuck) with SIGTERM,
// then SIGKILL, and recycles gracefully a child whose resident memory is
// over ChildMemoryLimit; the spawn rules then replace them.
//
// In ONE_PROCESS mode (httpd -X, mpm.Core.OneProcess) the pool is one
// child in slot 0 and nothing else, as Apache's -X serves from one
// process: no other child starts, no maintenance pass runs (the child may
// sit stopped in a debugger), and a child that exits is not replaced; the
// pool then has no pids, which tells the host to exit.
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
	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
)

// Pool is a set of child processes kept within the Settings. Its methods
// are safe for concurrent use.
type Pool struct {
	Settings   Settings
	Config     *mpm.Config
	Listeners  []mpm.Listener
	Log        hclog.Logger
	Board      *scoreboard.Board // created by the caller for ServerLimit × ThreadLimit
	Credential *mpm.Credential   // User/Group for the children, nil to keep ours
	// Interval between maintenance passes; 0 means Apache's 1 s.
	Interval time.Duration
	// Extra, if set, gives the per-child extra data (mpm.ChildSpec.Extra).
	Extra func(slot int) any

	mu        sync.Mutex
	procs     map[int]*mpm.Process // by slot
	retired   map[*mpm.Process]bool
	ending    map[*mpm.Process]*ending // hung children being ended
	stopping  bool
	hurry     chan struct{} // closed by a hard Stop during a graceful one
	stopped   chan struct{} // closed once the first Stop is done
	spawnRate int           // idle_spawn_rate
	holdOff   int           // hold_off_on_exponential_spawning
	reported  struct{ maxWorkers, nearMax bool }
	exits     chan *mpm.Process
	quit      chan struct{}
	loopDone  chan struct{}
	wg        sync.WaitGroup
}

const generation = 0 // a plugin process is one generation: a graceful restart is a new plugin

// Start starts StartServers children and the maintenance loop: the first
// child at once, the others once it is ready to accept (or has exited, or
// a second has passed), so that they do not take the CPUs from it while it
// starts. Apache forks them all at once, but a fork is cheap where the
// exec of a Go binary is not: 64 prefork children starting together delay
// the first response by a hundred milliseconds and more. In ONE_PROCESS
// mode it starts the one child and a loop that only reaps it.
func (p *Pool) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.procs = make(map[int]*mpm.Process)
	p.retired = make(map[*mpm.Process]bool)
	p.ending = make(map[*mpm.Process]*ending)
	p.spawnRate = 1
	p.exits = make(chan *mpm.Process, 16)
	p.quit = make(chan struct{})
	p.hurry = make(chan struct{})
	p.stopped = make(chan struct{})
	p.loopDone = make(chan struct{})
	if p.oneProcess() {
		if err := p.spawnLocked(0); err != nil {
			return err
		}
		go p.reapOne()
		return nil
	}
	var first <-chan struct{}
	if p.Settings.StartServers > 0 {
		if err := p.spawnLocked(0); err != nil {
			return err
		}
		first = p.procs[0].Done()
	}
	// The others show as starting already (server-status, Status).
	for slot := 1; slot < p.Settings.StartServers; slot++ {
		p.prepareSlot(slot)
	}
	go p.loop(first)
	return nil
}

// oneProcess is Apache's ONE_PROCESS mode (httpd -X).
func (p *Pool) oneProcess() bool { return p.Config != nil && p.Config.Core.OneProcess }

// reapOne is the loop of ONE_PROCESS mode: it only reaps the one child.
func (p *Pool) reapOne() {
	defer close(p.loopDone)
	select {
	case <-p.quit:
	case proc := <-p.exits:
		p.reaped(proc)
	}
}

func (p *Pool) loop(first <-chan struct{}) {
	defer close(p.loopDone)
	if p.Settings.StartServers > 1 {
		p.startRest(first)
	}
	every := p.Interval
	if every <= 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.quit:
			return
		case proc := <-p.exits:
			p.reaped(proc)
		case <-t.C:
			p.maintain()
		}
	}
}

// startRest starts the StartServers children after the first once the
// first one's worker is ready (or it exited: first is closed), polling the
// scoreboard for at most a second.
func (p *Pool) startRest(first <-chan struct{}) {
	poll := time.NewTicker(time.Millisecond)
	defer poll.Stop()
	limit := time.After(time.Second)
wait:
	for p.Board.Worker(0, 0).Status() == scoreboard.Starting {
		select {
		case <-p.quit:
			p.mu.Lock()
			for slot := 1; slot < p.Settings.StartServers; slot++ {
				if p.procs[slot] == nil {
					p.freeSlot(slot)
				}
			}
			p.mu.Unlock()
			return
		case <-first:
			break wait
		case <-limit:
			break wait
		case <-poll.C:
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopping {
		return
	}
	for slot := 1; slot < p.Settings.StartServers; slot++ {
		if p.procs[slot] != nil {
			continue
		}
		if err := p.spawnLocked(slot); err != nil {
			p.Log.Error(err.Error())
			return
		}
	}
}

// prepareSlot readies a slot's records for a child about to start: its
// workers go to Starting.
func (p *Pool) prepareSlot(slot int) {
	p.Board.Process(slot).Prepare(generation)
	for j := 0; j < p.Board.ThreadLimit(); j++ {
		w := p.Board.Worker(slot, j)
		if j < p.Settings.ThreadsPerChild {
			w.Reset(generation)
		} else {
			w.SetStatus(scoreboard.Dead)
		}
	}
}

// spawnLocked starts a child in a free slot, as Apache's make_child: the
// slot's worker records go to Starting first.
func (p *Pool) spawnLocked(slot int) error {
	s := p.Settings
	ps := p.Board.Process(slot)
	p.prepareSlot(slot)
	spec := mpm.ChildSpec{Slot: slot, Generation: generation, Config: p.Config, Listeners: bucketOf(p.Listeners, slot),
		Scoreboard: p.Board, Credential: p.Credential}
	if p.Extra != nil {
		spec.Extra = p.Extra(slot)
	}
	proc, err := mpm.StartChild(spec)
	if err != nil {
		p.freeSlot(slot)
		return fmt.Errorf("%s: fork: Unable to fork new process: %w", forkCode[s.Kind], err)
	}
	ps.SetPid(proc.Pid)
	p.procs[slot] = proc
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		<-proc.Done()
		select {
		case p.exits <- proc:
		case <-p.quit:
		}
	}()
	return nil
}

var forkCode = map[Kind]string{Prefork: "AH00159", Worker: "AH00283", Event: "AH00481"}

// freeSlot marks a slot empty: no pid, every worker Dead.
func (p *Pool) freeSlot(slot int) {
	p.Board.Process(slot).Exited()
	for j := 0; j < p.Board.ThreadLimit(); j++ {
		p.Board.Worker(slot, j).SetStatus(scoreboard.Dead)
	}
}

// reaped frees the slot of a child that exited and logs an exit nobody
// asked for.
func (p *Pool) reaped(proc *mpm.Process) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.procs[proc.Slot] == proc {
		delete(p.procs, proc.Slot)
		p.freeSlot(proc.Slot)
	}
	asked := p.retired[proc]
	delete(p.retired, proc)
	delete(p.ending, proc)
	if !p.stopping && !asked {
		logExit(p.Log, proc, !p.oneProcess())
	}
}

// logExit logs an unexpected child exit. A child that ends by itself with
// status 0 (MaxConnectionsPerChild) is not worth a line; a signal is
// logged as Apache does (AH00051/AH00052), and so is SIGKILL, which Apache
// leaves out because it sends it itself: here nobody did. refill says
// whether the slot will get a new child (not in ONE_PROCESS mode).
func logExit(log hclog.Logger, proc *mpm.Process, refill bool) {
	st := proc.State()
	if st == nil {
		return
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		sig := ws.Signal()
		switch sig {
		case syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1:
			return
		}
		if ws.CoreDump() {
			log.Warn(fmt.Sprintf("AH00051: child pid %d exit signal %s (%d), possible coredump", proc.Pid, signalName(sig), int(sig)))
		} else {
			log.Warn(fmt.Sprintf("AH00052: child pid %d exit signal %s (%d)", proc.Pid, signalName(sig), int(sig)))
		}
		return
	}
	if code := st.ExitCode(); code != 0 {
		msg := fmt.Sprintf("child pid %d exited with status %d", proc.Pid, code)
		if refill {
			msg += "; its slot will be refilled"
		}
		log.Warn(msg)
	}
}

// signalName is the C library's description ("Killed", "Segmentation fault").
func signalName(sig syscall.Signal) string {
	s := sig.String()
	if s != "" {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// maintain is one pass of perform_idle_server_maintenance.
func (p *Pool) maintain() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopping {
		return
	}
	p.checkChildren()
	if p.Settings.Kind == Prefork {
		p.maintainPrefork()
	} else {
		p.maintainThreaded()
	}
}

// killGrace is how long a hung child has between SIGTERM and SIGKILL:
// the first step of Apache's ap_reclaim_child_processes.
const killGrace = 3 * time.Second

// ending is a hung child asked to end.
type ending struct {
	at     time.Time // when it got SIGTERM
	killed bool      // SIGKILL sent
}

// checkChildren ends hung children and recycles those over
// ChildMemoryLimit. A hung child gets SIGTERM and SIGCONT (so that a
// stopped one acts on it), SIGKILL killGrace later if it is still there;
// a graceful stop would wait for the very workers that are stuck. Either
// kind is marked quiescing at once, so that this pass already counts it
// out and starts its replacement within the spawn rules.
func (p *Pool) checkChildren() {
	hang := mpm.HangTimeout(p.Config.Core)
	for slot, proc := range p.procs {
		if e := p.ending[proc]; e != nil {
			if !e.killed && time.Since(e.at) >= killGrace {
				p.Log.Error(fmt.Sprintf("AH00046: child process %d still did not exit, sending a SIGKILL", proc.Pid))
				_ = proc.Signal(syscall.SIGKILL)
				e.killed = true
			}
			continue
		}
		ps := p.Board.Process(slot)
		if since := ps.SinceBeat(); since > hang {
			p.Log.Error(fmt.Sprintf("child process %d is hung: no progress for %s (limit %s: the longest Timeout or KeepAliveTimeout, plus 5 s), sending a SIGTERM",
				proc.Pid, since.Round(time.Second), hang))
			p.retired[proc] = true
			ps.SetQuiescing()
			_ = proc.Signal(syscall.SIGTERM)
			_ = proc.Signal(syscall.SIGCONT)
			p.ending[proc] = &ending{at: time.Now()}
			continue
		}
		if limit := p.Settings.ChildMemoryLimit; limit > 0 && !p.retired[proc] {
			if rss, err := residentBytes(proc.Pid); err == nil && rss > limit {
				p.Log.Warn(fmt.Sprintf("child process %d uses %d MiB of memory, over ChildMemoryLimit %d MiB: recycling it gracefully",
					proc.Pid, rss>>20, limit>>20))
				p.retire(slot, proc)
			}
		}
	}
}

// maintainPrefork counts idle children (a starting child counts as idle:
// it was started at least a pass ago) among the MaxRequestWorkers slots.
func (p *Pool) maintainPrefork() {
	s := p.Settings
	var free []int
	idle, total := 0, 0
	for i := 0; i < s.DaemonsLimit; i++ {
		if p.procs[i] == nil {
			if len(free) < p.spawnRate {
				free = append(free, i)
			}
			continue
		}
		total++
		if st := p.Board.Worker(i, 0).Status(); st <= scoreboard.Ready && !p.Board.Process(i).Quiescing() {
			idle++
		}
	}
	switch {
	case idle > s.MaxSpare:
		p.retireOne(true)
		p.spawnRate = 1
	case idle < s.MinSpare:
		if len(free) == 0 {
			if !p.reported.maxWorkers {
				p.Log.Error("AH00161: server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting")
				p.reported.maxWorkers = true
			}
			p.spawnRate = 1
			return
		}
		if p.spawnRate >= 8 {
			p.Log.Info(fmt.Sprintf("AH00162: server seems busy, (you may need to increase StartServers, or Min/MaxSpareServers), spawning %d children, there are %d idle, and %d total children", p.spawnRate, idle, total))
		}
		p.spawnAll(free)
		p.growRate()
	default:
		p.spawnRate = 1
	}
}

// maintainThreaded counts idle threads of active children of this
// generation (event leaves out children that stopped accepting). New
// children may take any free slot up to ServerLimit, so that children
// finishing gracefully do not block their replacements, but no more than
// MaxRequestWorkers / ThreadsPerChild are active at once.
func (p *Pool) maintainThreaded() {
	s := p.Settings
	event := s.Kind == Event
	var free []int
	idle, activeThreads, active, total := 0, 0, 0, 0
	for i := 0; i < s.ServerLimit; i++ {
		if p.procs[i] == nil {
			if len(free) < p.spawnRate {
				free = append(free, i)
			}
			continue
		}
		ps := p.Board.Process(i)
		total++
		quiescing := ps.Quiescing()
		if !quiescing {
			active++
		}
		counted := !quiescing && !(event && ps.NotAccepting()) && ps.Generation() == generation
		for j := 0; j < s.ThreadsPerChild; j++ {
			st := p.Board.Worker(i, j).Status()
			if st <= scoreboard.Ready && counted {
				idle++
			}
			if st >= scoreboard.Ready && st < scoreboard.Graceful {
				activeThreads++
			}
		}
	}
	codes := threadedMaintCodes[s.Kind]
	switch {
	case idle > s.MaxSpare:
		// Event does not stop another child while some are still
		// finishing, unless the scoreboard has room for a full set.
		if !event || active == total || s.ServerLimit-total > s.DaemonsLimit {
			p.retireOne(false)
		}
		p.spawnRate = 1
	case idle < s.MinSpare:
		switch {
		case activeThreads >= s.MaxRequestWorkers:
			if idle == 0 {
				if !p.reported.maxWorkers {
					p.Log.Error(codes.reached + ": server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting")
					p.reported.maxWorkers = true
				}
			} else if !p.reported.nearMax {
				p.Log.Error(codes.near + ": server is within MinSpareThreads of MaxRequestWorkers, consider raising the MaxRequestWorkers setting")
				p.reported.nearMax = true
			}
			p.spawnRate = 1
		case len(free) == 0:
			p.Log.Error(codes.full)
			p.spawnRate = 1
		default:
			n := min(len(free), p.spawnRate)
			if n+active > s.DaemonsLimit {
				if active < s.DaemonsLimit {
					n = s.DaemonsLimit - active
				} else {
					// At the active limit while old children finish: wait
					// for them, and do not let the rate grow meanwhile.
					n = 0
					p.spawnRate = 1
					p.holdOff++
				}
			}
			if p.spawnRate >= 8 {
				if event {
					p.Log.Info(fmt.Sprintf("AH00486: server seems busy, (you may need to increase StartServers, ThreadsPerChild or Min/MaxSpareThreads), spawning %d children, there are around %d idle threads, %d active children, and %d children that are shutting down", n, idle, active, total))
				} else {
					p.Log.Info(fmt.Sprintf("AH00289: server seems busy, (you may need to increase StartServers, ThreadsPerChild or Min/MaxSpareThreads), spawning %d children, there are around %d idle threads, and %d total children", n, idle, total))
				}
			}
			p.spawnAll(free[:n])
			p.growRate()
		}
	default:
		p.spawnRate = 1
	}
}

var threadedMaintCodes = map[Kind]struct{ reached, near, full string }{
	Worker: {"AH00286", "AH00287", "AH00288: scoreboard is full, not at MaxRequestWorkers"},
	Event:  {"AH00484", "AH10159", "AH03490: scoreboard is full, not at MaxRequestWorkers.Increase ServerLimit."},
}

func (p *Pool) spawnAll(slots []int) {
	for _, slot := range slots {
		if err := p.spawnLocked(slot); err != nil {
			p.Log.Error(err.Error())
			return
		}
	}
}

// growRate doubles the spawn rate up to MAX_SPAWN_RATE, unless held off.
func (p *Pool) growRate() {
	if p.holdOff > 0 {
		p.holdOff--
	} else if p.spawnRate < maxSpawnRate {
		p.spawnRate *= 2
	}
}

// retireOne asks one active child to finish its connections and exit
// (Apache's pod): the highest slot, and for prefork an idle child, so that
// slot numbers stay low and nobody waits.
func (p *Pool) retireOne(idleOnly bool) {
	best := -1
	for slot, proc := range p.procs {
		if p.retired[proc] || p.Board.Process(slot).Quiescing() {
			continue
		}
		if idleOnly && p.Board.Worker(slot, 0).Status() > scoreboard.Ready {
			continue
		}
		best = max(best, slot)
	}
	if best < 0 {
		return
	}
	p.retire(best, p.procs[best])
}

// retire asks the child in slot to finish its connections and exit.
func (p *Pool) retire(slot int, proc *mpm.Process) {
	p.retired[proc] = true
	p.Board.Process(slot).SetQuiescing()
	_ = proc.Signal(syscall.SIGUSR1)
}

// hardStopWait is how long a hard stop waits for its children after
// their SIGTERM before it kills them.
const hardStopWait = 3 * time.Second

// Stop ends every child: graceful sends SIGUSR1 and waits; otherwise
// SIGTERM, and children still alive hardStopWait later get SIGKILL, as do
// those still alive when ctx ends. Stop returns when all children have
// exited. A hard Stop while a graceful one drains (apache2's SIGTERM during
// a graceful stop) makes it hard: the children left get SIGTERM, and
// SIGKILL hardStopWait later; it returns when the first Stop does, or
// when its ctx ends. Any other later Stop returns at once.
func (p *Pool) Stop(ctx context.Context, graceful bool) error {
	p.mu.Lock()
	if p.stopping {
		if !graceful {
			select { // under p.mu: two hard Stops do not both close it
			case <-p.hurry:
			default:
				close(p.hurry)
			}
		}
		p.mu.Unlock()
		if graceful {
			return nil
		}
		select {
		case <-p.stopped:
		case <-ctx.Done():
		}
		return nil
	}
	defer close(p.stopped)
	p.stopping = true
	procs := make([]*mpm.Process, 0, len(p.procs))
	for slot, proc := range p.procs {
		procs = append(procs, proc)
		p.Board.Process(slot).SetQuiescing()
	}
	p.mu.Unlock()
	close(p.quit)
	<-p.loopDone
	sig := syscall.SIGTERM
	if graceful {
		sig = syscall.SIGUSR1
	}
	for _, proc := range procs {
		_ = proc.Signal(sig)
	}
	hurry := p.hurry
	if !graceful {
		hurry = nil
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, hardStopWait)
		defer cancel()
	}
	var err error
	for _, proc := range procs {
	wait:
		for {
			select {
			case <-proc.Done():
				break wait
			case <-hurry: // a hard Stop came: this one is hard from now on
				hurry = nil
				for _, q := range procs {
					_ = q.Signal(syscall.SIGTERM)
				}
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, hardStopWait)
				defer cancel()
			case <-ctx.Done():
				p.Log.Warn(fmt.Sprintf("AH00046: child process %d still did not exit, sending a SIGKILL", proc.Pid))
				_ = proc.Signal(syscall.SIGKILL)
				<-proc.Done()
				err = errors.Join(err, fmt.Errorf("child %d killed: %w", proc.Pid, ctx.Err()))
				break wait
			}
		}
	}
	p.wg.Wait()
	p.mu.Lock()
	for slot := range p.procs {
		p.freeSlot(slot)
	}
	clear(p.procs)
	p.mu.Unlock()
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

// bucketOf picks a child's listeners: with listeners buckets (the host
// binds one SO_REUSEPORT socket per bucket and Listen), the child in slot
// takes bucket slot % buckets, as Apache's children do.
func bucketOf(ls []mpm.Listener, slot int) []mpm.Listener {
	n := 0
	for _, l := range ls {
		n = max(n, l.Bucket+1)
	}
	if n <= 1 {
		return ls
	}
	var out []mpm.Listener
	for _, l := range ls {
		if l.Bucket == slot%n {
			out = append(out, l)
		}
	}
	return out
}
