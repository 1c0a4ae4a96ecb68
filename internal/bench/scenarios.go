package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/proctree"
	"github.com/httpd-mpm/httpd-mpm/internal/testserver"
)

// How a scenario runs.
const (
	runWrk     = "wrk"     // wrk against one running server
	runStartup = "startup" // exec → first 200, several fresh starts
	runRestart = "restart" // two graceful restarts under load
	runSwap    = "swap"    // two MPM swaps under load (ours only)
)

// scenario is one row group of the table.
type scenario struct {
	ID, Title string
	Run       string
	Path      string // document requested
	Close     bool   // "Connection: close" on every request
	Idle      int    // idle keep-alive connections held open during the load
	Slow      int    // clients slowly downloading slowFile during the load
	OursOnly  bool
	Linked    bool // also run on ours with the MPM linked in (target.Linked)
}

// scenarios in table order.
//
// The slow row starts 150 clients downloading a 50 MiB file at 80 KiB/s
// each (more than the 128 workers of worker and event) 2 s before the
// load: a server that writes a response to its end on a worker has none
// left (Apache event and ours finish them in the event loop: write
// completion).
//
// The two idle rows hold 1,000 and 10,000 idle keep-alive connections
// (holdIdle) while wrk loads the server; each first runs the same load
// without them on the same server (idleResult.BaseRPS).
// Every server is configured to accept that many (config.go: Apache event's
// and ours' AsyncRequestWorkerFactor, nginx's worker_connections); prefork
// and worker cannot by design: their idle connections hold every process
// or thread. The file limit is raised for the servers and the client
// (raiseFileLimit).
var scenarios = []scenario{
	{ID: "ka-1k", Title: "1 KiB keep-alive", Run: runWrk, Path: "/1k.bin", Linked: true},
	{ID: "close-1k", Title: "1 KiB Connection: close", Run: runWrk, Path: "/1k.bin", Close: true},
	{ID: "ka-100k", Title: "100 KiB keep-alive", Run: runWrk, Path: "/100k.bin"},
	{ID: "idle-1k", Title: "1 KiB keep-alive + 1,000 idle", Run: runWrk, Path: "/1k.bin", Idle: 1000},
	{ID: "idle-10k", Title: "1 KiB keep-alive + 10,000 idle", Run: runWrk, Path: "/1k.bin", Idle: 10000},
	{ID: "slow-150", Title: "1 KiB keep-alive + 150 slow readers", Run: runWrk, Path: "/1k.bin", Slow: 150},
	{ID: "startup", Title: "start → first 200", Run: runStartup, Path: "/1k.bin", Linked: true},
	{ID: "graceful", Title: "2 graceful restarts under load", Run: runRestart, Path: "/1k.bin"},
	{ID: "swap", Title: "2 MPM swaps under load", Run: runSwap, Path: "/1k.bin", OursOnly: true},
}

// result is one table row: a scenario on a server.
type result struct {
	Scenario scenario
	Target   target
	loadResult
	PSS int64 // bytes, whole process tree, after the load
	// Cost is what the whole process tree used during the measured load
	// (wrk rows; nil elsewhere or when the load failed).
	Cost *proctree.Usage
	// StartCPU is, on a start row, the median over the starts of the CPU
	// time the server's process tree had used when the first 200 came
	// (proctree.Tree.RunTime: every live thread, from its exec).
	StartCPU time.Duration
	Idle     *idleResult
	Failed   string // why there is no measurement
	Note     string
	Round    int // which round measured it, from 0 (runRounds)
}

// idleResult is what an idle row measured about its idle connections.
type idleResult struct {
	Want, Held int // asked for, established (each answered one request)
	Usable     int // answered a second request after the load
	// BaseRPS is the same load run just before, without idle connections.
	BaseRPS float64
	// PSS of the process tree before opening them and with them open
	// (before the load): the difference per connection is what an idle
	// keep-alive connection costs the server.
	PSSBefore, PSSHeld int64
}

// perRequest is the server's CPU time (µs) and context switches per
// request of the measured load; false without a measurement.
func (r result) perRequest() (cpuMicros, switches float64, ok bool) {
	if r.Cost == nil || r.Failed != "" || r.Requests <= 0 {
		return 0, 0, false
	}
	n := float64(r.Requests)
	return float64(r.Cost.CPUTime()) / float64(time.Microsecond) / n, float64(r.Cost.Switches) / n, true
}

// blocked is whether the idle connections took every worker: the server
// stopped answering new ones before the count was reached, as an MPM that
// gives each connection a worker (prefork, worker) does.
func (r *idleResult) blocked() bool { return r != nil && r.Held < r.Want }

// PerConn is the resident memory per idle connection, in bytes.
func (r *idleResult) PerConn() float64 {
	if r == nil || r.Held == 0 {
		return 0
	}
	return float64(r.PSSHeld-r.PSSBefore) / float64(r.Held)
}

// plan is what to run and how long.
type plan struct {
	Duration        time.Duration // each wrk run
	RestartDuration time.Duration // each restart run
	Warmup          time.Duration
	Conns           int
	Starts          int // fresh starts for start → first 200
	Rounds          int // times everything runs (runRounds); at least 1
}

// bench runs every scenario of scs on t; a server that does not start
// gives failed rows and the run goes on.
func (l *lab) bench(ctx context.Context, t target, scs []scenario, p plan, progress func(result)) []result {
	var out []result
	emit := func(r result) {
		out = append(out, r)
		progress(r)
	}
	var wrkRows []scenario
	for _, sc := range scs {
		if (sc.OursOnly && t.Kind != kindOurs) || (t.Linked && !sc.Linked) {
			continue
		}
		if sc.Run == runWrk {
			wrkRows = append(wrkRows, sc)
		}
	}
	// The load rows of scs share one server: start it once, warm it up
	// (runRounds passes one scenario at a time: a server per row).
	if len(wrkRows) > 0 {
		for _, r := range l.benchWrk(ctx, t, wrkRows, p) {
			emit(r)
		}
	}
	for _, sc := range scs {
		if ctx.Err() != nil {
			break
		}
		if (sc.OursOnly && t.Kind != kindOurs) || (t.Linked && !sc.Linked) {
			continue
		}
		switch sc.Run {
		case runStartup:
			emit(l.benchStartup(ctx, t, sc, p))
		case runRestart, runSwap:
			emit(l.benchRestart(ctx, t, sc, p))
		}
	}
	return out
}

func (l *lab) benchWrk(ctx context.Context, t target, scs []scenario, p plan) []result {
	var out []result
	s, err := l.startReady(ctx, t)
	if err != nil {
		for _, sc := range scs {
			out = append(out, result{Scenario: sc, Target: t, Failed: "did not start: " + err.Error()})
		}
		return out
	}
	defer l.stopInto(s, &out)
	url := "http://" + s.Addr()
	if p.Warmup > 0 {
		l.runWrk(ctx, url+scs[0].Path, p.Conns, p.Warmup, false)
	}
	for _, sc := range scs {
		if ctx.Err() != nil {
			break
		}
		r := result{Scenario: sc, Target: t}
		var idle *idleHold
		if sc.Idle > 0 {
			// The same load without idle connections just before: machine
			// noise drifts slowly, so the ratio of adjacent runs is steadier
			// than against the keep-alive row measured earlier.
			base, _ := l.runWrk(ctx, url+sc.Path, p.Conns, p.Duration, sc.Close)
			time.Sleep(time.Second) // let memory settle after the load
			before := s.pss()
			idle = holdIdle(s.Addr(), sc.Path, sc.Idle)
			// Let the servers settle (ours detaches a parked connection's
			// state after 200 ms) before reading their memory.
			time.Sleep(time.Second)
			r.Idle = &idleResult{Want: sc.Idle, Held: idle.held(), BaseRPS: base.RPS, PSSBefore: before, PSSHeld: s.pss()}
		}
		var slow *slowReaders
		if sc.Slow > 0 {
			slow = startSlow(s.Addr(), "/"+slowFile, sc.Slow)
			time.Sleep(2 * time.Second) // they stall once their windows are full
		}
		before := proctree.UsageOf(s.Pid())
		lr, err := l.runWrk(ctx, url+sc.Path, p.Conns, p.Duration, sc.Close)
		cost := proctree.UsageOf(s.Pid()).Sub(before)
		r.PSS = s.pss()
		if idle != nil {
			r.Idle.Usable = idle.release()
		}
		if slow != nil {
			conns, heads := slow.end()
			r.Note = fmt.Sprintf("%d slow readers connected, %d answered", conns, heads)
		}
		if err != nil {
			r.Failed = err.Error()
		} else {
			r.loadResult, r.Cost = lr, &cost
		}
		if !alive(s) {
			r.Failed = "server died during the run" + s.LogTail(5)
		}
		out = append(out, r)
		if !alive(s) {
			break
		}
	}
	return out
}

// benchStartup starts the server p.Starts times and reports the median
// (P50) and slowest (P99 column) time from exec to the first 200, the
// median CPU time the process tree used until then, and the memory of the
// idle server right after it.
func (l *lab) benchStartup(ctx context.Context, t target, sc scenario, p plan) result {
	r := result{Scenario: sc, Target: t}
	var times, cpu []time.Duration
	for range p.Starts {
		s, err := l.start(t)
		if err != nil {
			r.Failed = "did not start: " + err.Error()
			return r
		}
		d, err := s.ready(ctx, sc.Path, 30*time.Second)
		if err == nil {
			cpu = append(cpu, proctree.Of(s.Pid()).RunTime()) // before anything else reads /proc
			r.PSS = s.pss()
		}
		if serr := s.stop(); serr != nil && r.Note == "" {
			r.Note = "stop: " + serr.Error()
		}
		if err != nil {
			r.Failed = "did not start: " + err.Error()
			return r
		}
		times = append(times, d)
	}
	slices.Sort(times)
	slices.Sort(cpu)
	r.P50 = times[len(times)/2]
	r.P99 = times[len(times)-1]
	r.StartCPU = cpu[len(cpu)/2]
	return r
}

// benchRestart loads a fresh server with hammer for p.RestartDuration and
// sends two graceful restarts, at one and two thirds. For runSwap the
// LoadModule line is rewritten first: to the other MPM, then back.
func (l *lab) benchRestart(ctx context.Context, t target, sc scenario, p plan) (r result) {
	r = result{Scenario: sc, Target: t}
	s, err := l.startReady(ctx, t)
	if err != nil {
		r.Failed = "did not start: " + err.Error()
		return r
	}
	defer func() {
		if err := s.stop(); err != nil {
			r.Note = joinNote(r.Note, "stop: "+err.Error())
		}
	}()
	var sigErrs []string
	// Snapshots of the process tree before each signal and at the end
	// show that each restart really started new processes (and, for a
	// swap, which MPM they run).
	var snaps []snapshot
	step := func(from, to string) func() {
		return func() {
			snaps = append(snaps, snap(s.Pid()))
			if sc.Run == runSwap {
				if err := s.swapMPM(from, to, l.cmds); err != nil {
					sigErrs = append(sigErrs, err.Error())
					return
				}
			}
			if err := s.reload(l.cmds); err != nil {
				sigErrs = append(sigErrs, err.Error())
			}
		}
	}
	third := p.RestartDuration / 3
	events := map[time.Duration]func(){third: step(t.MPM, swapPeer(t.MPM)), 2 * third: step(swapPeer(t.MPM), t.MPM)}
	lr, err := hammer(ctx, s.Addr(), sc.Path, p.Conns, p.RestartDuration, events)
	r.loadResult = lr
	r.PSS = s.pss()
	snaps = append(snaps, snap(s.Pid()))
	r.Note = joinNote(r.Note, restartEvidence(snaps, third, sc.Run == runSwap))
	if err != nil {
		r.Failed = err.Error()
	}
	if len(sigErrs) > 0 {
		r.Note = joinNote(r.Note, "signal: "+sigErrs[0])
	}
	if !alive(s) {
		r.Note = joinNote(r.Note, "server exited during the run"+s.LogTail(5))
	} else if code, _, err := testserver.Get(s.Addr(), sc.Path, 2*time.Second); err != nil || code != 200 {
		r.Note = joinNote(r.Note, fmt.Sprintf("not serving after the restarts (%d, %v)", code, err))
	}
	return r
}

// swapPeer is the MPM an MPM swap goes to and comes back from.
func swapPeer(mpm string) string {
	if mpm == "event" {
		return "worker"
	}
	return "event"
}

// startReady starts t and waits until it serves.
func (l *lab) startReady(ctx context.Context, t target) (*server, error) {
	s, err := l.start(t)
	if err != nil {
		return nil, err
	}
	if _, err := s.ready(ctx, "/1k.bin", 30*time.Second); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// stopInto stops s and notes a stop problem on the last row.
func (l *lab) stopInto(s *server, rows *[]result) {
	if err := s.stop(); err != nil && len(*rows) > 0 {
		last := &(*rows)[len(*rows)-1]
		last.Note = joinNote(last.Note, "stop: "+err.Error())
	}
}

func alive(s *server) bool {
	select {
	case <-s.Done:
		return false
	default:
		return true
	}
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// snapshot is a server's process tree at one moment.
type snapshot struct {
	procs proctree.Tree
	gen   string // see generation
}

func snap(root int) snapshot {
	procs := proctree.Of(root)
	return snapshot{procs, generation(procs)}
}

// restartEvidence says how many new processes each restart started and,
// for a swap, what ran at each step.
func restartEvidence(snaps []snapshot, within time.Duration, showExe bool) string {
	var counts []string
	for i := 1; i < len(snaps); i++ {
		counts = append(counts, fmt.Sprint(newProcs(snaps[i-1].procs, snaps[i].procs)))
	}
	out := fmt.Sprintf("new processes %v after each restart: %s", within, strings.Join(counts, ", "))
	if showExe {
		var gens []string
		for _, sn := range snaps {
			gens = append(gens, sn.gen)
		}
		out += "; processes before, between and after: " + strings.Join(gens, " → ")
	}
	return out
}
