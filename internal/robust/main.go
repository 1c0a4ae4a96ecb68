//go:build linux

// Command robust attacks and breaks the real server, one scenario at a
// time, while well-behaved clients keep asking for a page, and prints one
// row per scenario: what the good clients got, how long the server took
// to serve again, the memory of the whole process tree, the bound the row
// must meet and whether it did. It exits 1 if any row is out of bound.
// It is `make robust`; it uses bin/httpd and modules/ as `make build`
// left them and builds nothing. It is Linux-only (/proc, prlimit, mount).
//
//	go run ./internal/robust [-mpm=prefork,event] [-only=slowloris,kill-child] [-v] [-keep]
//
// Everything runs on 127.0.0.1 with ports the kernel picks; every load is
// bounded in count and time; every process started is stopped.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/proctree"
)

func main() { os.Exit(run()) }

func run() int {
	mpms := flag.String("mpm", "prefork,worker,event", "comma-separated MPMs for the rows that depend on the MPM")
	only := flag.String("only", "", "comma-separated scenario ids to run: "+scenarioIDs())
	repo := flag.String("repo", ".", "repository root holding bin/httpd and modules/")
	keep := flag.Bool("keep", false, "keep the scratch directory (configs, logs) for inspection")
	verbose := flag.Bool("v", false, "print each row's notes as it finishes")
	flag.Parse()

	scs, err := selectScenarios(*only)
	if err != nil {
		fmt.Fprintln(os.Stderr, "robust:", err)
		return 2
	}
	l, err := newLab(*repo)
	if err != nil {
		fmt.Fprintln(os.Stderr, "robust:", err)
		return 1
	}
	defer func() {
		l.stopAll()
		if *keep {
			fmt.Fprintln(os.Stderr, "robust: scratch kept in", l.scratch)
		} else {
			os.RemoveAll(l.scratch)
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var rows []row
	started := time.Now()
	for _, sc := range scs {
		for _, m := range strings.Split(*mpms, ",") {
			m = strings.TrimSpace(m)
			if m == "" || (sc.oneMPM && m != oneMPM(*mpms)) {
				continue
			}
			if ctx.Err() != nil {
				break
			}
			r := l.run(sc, m)
			rows = append(rows, r)
			fmt.Fprintf(os.Stderr, "    %-34s %-8s %s  (%s)\n", sc.title, m, r.verdict(), r.took.Round(100*time.Millisecond))
			if *verbose || !r.pass {
				for _, n := range append(r.notes, r.why...) {
					fmt.Fprintf(os.Stderr, "        %s\n", n)
				}
			}
		}
	}
	fmt.Print(table(rows, time.Since(started)))
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "robust: interrupted; servers stopped")
		return 130
	}
	for _, r := range rows {
		if !r.pass {
			return 1
		}
	}
	return 0
}

// oneMPM is the MPM that runs the rows that do not depend on the MPM
// (request parsing, files, logs): event if it is selected, else the first.
func oneMPM(mpms string) string {
	list := strings.Split(mpms, ",")
	for _, m := range list {
		if strings.TrimSpace(m) == "event" {
			return "event"
		}
	}
	return strings.TrimSpace(list[0])
}

// lab holds what every scenario shares.
type lab struct {
	repo    string
	scratch string
	n       int
	live    sync.Map // *server → true while it may run
}

func newLab(repo string) (*lab, error) {
	repo, err := filepath.Abs(repo)
	if err != nil {
		return nil, err
	}
	for _, f := range []string{"bin/httpd", "modules/mod_mpm_prefork.so", "modules/mod_mpm_worker.so", "modules/mod_mpm_event.so"} {
		if _, err := os.Stat(filepath.Join(repo, f)); err != nil {
			return nil, fmt.Errorf("%s not built (make build)", f)
		}
	}
	scratch, err := os.MkdirTemp("", "httpd-mpm-robust-")
	if err != nil {
		return nil, err
	}
	// Children run as nobody: they must reach the document roots.
	if err := os.Chmod(scratch, 0o755); err != nil {
		return nil, err
	}
	raiseFDLimit()
	return &lab{repo: repo, scratch: scratch}, nil
}

// raiseFDLimit lets this process hold the attack's connections.
func raiseFDLimit() {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
}

// stopAll stops every server still running (on error or interrupt).
func (l *lab) stopAll() {
	l.live.Range(func(k, _ any) bool {
		k.(*server).stop()
		l.live.Delete(k)
		return true
	})
}

// scenario is one attack or fault.
type scenario struct {
	id, title string
	oneMPM    bool // the MPM does not matter: run under one only
	// ownUser keeps the children under our uid (no User/Group), so that
	// prlimit(2) may reach them without CAP_SYS_RESOURCE.
	ownUser bool
	extra   string   // config lines added for it
	env     []string // environment added to httpd's (and so its children's)
	// accept says what a good client counts as answered; nil: the page.
	accept func(code int, body string) bool
	// prepare, if set, runs on the server's directory before it starts;
	// undo, if not nil, runs after the row (even on failure).
	prepare func(dir string) (undo func(), err error)
	do      func(r *runCtx)
}

// runCtx is a scenario in progress.
type runCtx struct {
	lab  *lab
	s    *server
	mpm  string
	load *load
	mem  *memSampler
	row  *row

	loadStart time.Time
	t         tally // after finish
	out       []outcome
}

// row is one line of the table.
type row struct {
	title, mpm          string
	ok, failed, refused int
	recovery            time.Duration
	hasRecovery, never  bool
	worst               time.Duration
	memBase, memPeak    int64
	bounds, why, notes  []string
	pass                bool
	took                time.Duration
}

func (r row) verdict() string {
	if r.pass {
		return "PASS"
	}
	return "FAIL"
}

// run runs sc under mpm and makes its row.
func (l *lab) run(sc scenario, mpm string) row {
	begin := time.Now()
	r := &row{title: sc.title, mpm: mpm, pass: true}
	l.n++
	var cleanup []func()
	defer func() {
		for _, f := range cleanup {
			f()
		}
	}()
	prepare := func(dir string) error {
		if sc.prepare == nil {
			return nil
		}
		undo, err := sc.prepare(dir)
		if undo != nil {
			cleanup = append(cleanup, undo)
		}
		return err
	}
	s, err := l.startServer(fmt.Sprintf("%02d-%s-%s", l.n, sc.id, mpm), mpm, sc.extra, sc.env, !sc.ownUser, prepare)
	if err != nil {
		r.fail("server did not start: " + err.Error())
		return *r
	}
	rc := &runCtx{lab: l, s: s, mpm: mpm, row: r}
	rc.mem = startMemSampler(s)
	r.memBase = rc.mem.base
	rc.load = startLoad(s.Addr(), sc.accept)
	rc.loadStart = time.Now()
	func() {
		defer func() {
			if p := recover(); p != nil {
				r.fail(fmt.Sprintf("scenario panicked: %v", p))
			}
		}()
		sc.do(rc)
	}()
	rc.finish()
	r.ok, r.failed, r.refused, r.worst = rc.t.ok, rc.t.failed, rc.t.refused, rc.t.worst
	if e := rc.t.errSummary(); e != "" {
		r.notes = append(r.notes, "good requests that failed: "+e)
	}
	if err := s.stop(); err != nil {
		r.fail("stop: " + err.Error())
	}
	l.live.Delete(s)
	if left := s.LeftBehind(); len(left) > 0 {
		r.fail(fmt.Sprintf("%d processes left behind", len(left)))
	}
	r.took = time.Since(begin)
	return *r
}

// finish stops the load and the memory sampler once; later calls do nothing.
func (rc *runCtx) finish() {
	if rc.load == nil {
		return
	}
	rc.out = rc.load.stop()
	rc.load = nil
	rc.t = count(rc.out)
	rc.row.memPeak = rc.mem.stop()
}

// expect records a bound and whether it held.
func (rc *runCtx) expect(bound string, ok bool, got string) {
	rc.row.bounds = append(rc.row.bounds, bound)
	if !ok {
		rc.row.fail(fmt.Sprintf("out of bound: %s (got %s)", bound, got))
	}
}

func (r *row) fail(why string) {
	r.pass = false
	r.why = append(r.why, why)
}

func (rc *runCtx) note(format string, args ...any) {
	rc.row.notes = append(rc.row.notes, fmt.Sprintf(format, args...))
}

// expectNoFailures is the bound of most rows: every good request
// answered, none refused.
func (rc *runCtx) expectNoFailures() {
	rc.finish()
	rc.expect("failed 0", rc.t.failed == 0, fmt.Sprint(rc.t.failed))
	rc.expect("refused 0", rc.t.refused == 0, fmt.Sprint(rc.t.refused))
}

// expectWorst bounds the slowest good request.
func (rc *runCtx) expectWorst(limit time.Duration) {
	rc.finish()
	rc.expect("worst ≤ "+fmtDur(limit), rc.t.worst <= limit, fmtDur(rc.t.worst))
}

// expectMem bounds the memory peak: the host and the MPM parent as they
// were at the start plus as many children as the MPM may run (prefork:
// MaxRequestWorkers; worker and event: twice MaxRequestWorkers /
// ThreadsPerChild, for children still draining beside their
// replacements), each twice the size of a child at the start, plus 32 MiB.
// An attack's connections cost buffers of some KiB each; a leak per
// connection or per byte of a 10 MiB head would go far past this.
func (rc *runCtx) expectMem() {
	rc.finish()
	limit := rc.mem.limit
	rc.expect("mem ≤ "+fmtMiB(limit), rc.row.memPeak <= limit, fmtMiB(rc.row.memPeak))
}

// setRecovery records the recovery time and bounds it.
func (rc *runCtx) setRecovery(d time.Duration, ok bool, limit time.Duration) {
	rc.row.recovery, rc.row.hasRecovery, rc.row.never = d, ok, !ok
	if !ok {
		rc.expect("recovery ≤ "+fmtDur(limit), false, "never")
		return
	}
	rc.expect("recovery ≤ "+fmtDur(limit), d <= limit, fmtDur(d))
}

// sleep waits while the load runs.
func (rc *runCtx) sleep(d time.Duration) { time.Sleep(d) }

// tool runs an outside program, bounded by limit, and returns its output.
func tool(limit time.Duration, argv ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// memSampler keeps the largest resident size of the server's process
// tree, sampled every 50 ms.
type memSampler struct {
	base  int64
	peak  int64
	limit int64 // see expectMem
	quit  chan struct{}
	done  chan struct{}
}

func startMemSampler(s *server) *memSampler {
	m := &memSampler{quit: make(chan struct{}), done: make(chan struct{})}
	t := s.Sample()
	m.base = t.RSS()
	m.peak = m.base
	kids := t.ChildrenOf(s.Plugin())
	var kidRSS int64
	for _, k := range kids {
		kidRSS += proctree.RSS(k)
	}
	maxKids := int64(capacity)
	if s.mpm != "prefork" {
		maxKids = 2 * capacity / threadsPerChild
	}
	if len(kids) > 0 {
		avg := kidRSS / int64(len(kids))
		m.limit = m.base - kidRSS + maxKids*2*avg + 32<<20
	}
	go func() {
		defer close(m.done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-m.quit:
				return
			case <-t.C:
				m.peak = max(m.peak, s.Sample().RSS())
			}
		}
	}()
	return m
}

func (m *memSampler) stop() int64 {
	close(m.quit)
	<-m.done
	return m.peak
}

// selectScenarios picks scenarios by id, in the order given.
func selectScenarios(ids string) ([]scenario, error) {
	all := scenarios()
	if ids == "" {
		return all, nil
	}
	byID := map[string]scenario{}
	for _, sc := range all {
		byID[sc.id] = sc
	}
	var out []scenario
	for _, id := range strings.Split(ids, ",") {
		sc, ok := byID[strings.TrimSpace(id)]
		if !ok {
			return nil, fmt.Errorf("-only: unknown scenario %q (have %s)", id, scenarioIDs())
		}
		out = append(out, sc)
	}
	return out, nil
}

func scenarioIDs() string {
	var ids []string
	for _, sc := range scenarios() {
		ids = append(ids, sc.id)
	}
	return strings.Join(ids, ", ")
}

// scenarios lists every row kind, in table order.
func scenarios() []scenario {
	return append(attacks(), faults()...)
}
