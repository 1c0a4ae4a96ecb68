// Command bench measures our httpd under each MPM beside Apache with the
// same MPM and nginx, all on 127.0.0.1, and writes BENCHMARKS.md and
// benchmarks.svg. It is `make bench`; it reports and asserts nothing.
//
//	go run ./internal/bench [-quick] [-only=event,nginx] [-duration=5s]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	os.Exit(run())
}

func run() int {
	quick := flag.Bool("quick", false, "short runs (2 s loads, 3 starts, 3 s restarts): a smoke check")
	duration := flag.Duration("duration", 5*time.Second, "length of each wrk run (whole seconds)")
	restartDur := flag.Duration("restart-duration", 6*time.Second, "length of each graceful-restart run")
	conns := flag.Int("c", 50, "concurrent connections of every load")
	starts := flag.Int("starts", 15, "fresh starts for the start → first 200 row (median)")
	only := flag.String("only", "", "comma-separated servers to run: kinds (ours, apache, nginx), MPMs (prefork, worker, event) or names (ours-event)")
	only2 := flag.String("scenarios", "", "comma-separated scenario ids to run: "+scenarioIDs())
	repo := flag.String("repo", ".", "repository root holding bin/httpd and modules/")
	out := flag.String("out", ".", "directory for BENCHMARKS.md and benchmarks.svg; empty writes nothing")
	keep := flag.Bool("keep", false, "keep the scratch directory (configs, logs) for inspection")
	rounds := flag.Int("rounds", 1, "run everything this many times, the servers in reverse order every other round; each row shows its median round")
	flag.Parse()

	p := plan{Duration: *duration, RestartDuration: *restartDur, Warmup: time.Second, Conns: *conns, Starts: *starts, Rounds: max(*rounds, 1)}
	if *quick {
		p.Duration, p.RestartDuration, p.Starts = 2*time.Second, 3*time.Second, 3
		flagSet := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { flagSet[f.Name] = true })
		if flagSet["duration"] {
			p.Duration = *duration
		}
		if flagSet["restart-duration"] {
			p.RestartDuration = *restartDur
		}
		if flagSet["starts"] {
			p.Starts = *starts
		}
	}
	p.Starts = max(p.Starts, 1)
	targets, err := selectTargets(*only)
	if err == nil {
		var scs []scenario
		scs, err = selectScenarios(*only2)
		if err == nil {
			return bench(p, targets, scs, *repo, *out, *keep)
		}
	}
	fmt.Fprintln(os.Stderr, "bench:", err)
	return 2
}

func bench(p plan, targets []target, scs []scenario, repo, out string, keep bool) int {
	if err := ensureTools(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	repo, err := filepath.Abs(repo)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	if p.Conns > preforkServers {
		fmt.Fprintf(os.Stderr, "bench: warning: -c %d exceeds the %d prefork children; prefork rows will queue connections\n", p.Conns, preforkServers)
	}
	loadBefore := loadAverage()
	if loadBefore > 0.5 {
		fmt.Fprintf(os.Stderr, "bench: warning: load average %.2f: other work shares the CPUs; numbers will be low and noisy\n", loadBefore)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	l, err := newLab(repo)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	defer func() {
		l.stopAll()
		if keep {
			fmt.Fprintln(os.Stderr, "bench: scratch kept in", l.scratch)
		} else {
			os.RemoveAll(l.scratch)
		}
	}()
	rep := &report{When: time.Now(), Plan: p, Args: "go run ./internal/bench " + strings.Join(os.Args[1:], " ")}
	rep.Args, rep.LoadBefore = strings.TrimSpace(rep.Args), loadBefore
	idle := 0
	for _, sc := range scs {
		idle = max(idle, sc.Idle)
	}
	// The idle rows hold that many descriptors in this process and in the
	// server (one child may get them all).
	if need := uint64(idle + 2*p.Conns + 64); idle > 0 {
		if lim := raiseFileLimit(); lim < need {
			fmt.Fprintf(os.Stderr, "bench: warning: open file limit %d is below the %d the idle rows need (ulimit -n)\n", lim, need)
		}
	}
	rep.All = l.runRounds(ctx, targets, scs, p, progress)
	rep.Rows = medianRows(rep.All)
	rep.sortRows()
	rep.Facts = machineFacts(repo, loadBefore)
	rep.Commands = l.cmds.lines()
	rep.Configs = sampleConfigs(l)
	fmt.Print(rep.Text())
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "bench: interrupted; servers stopped, nothing written")
		return 130
	}
	if out != "" {
		for name, text := range map[string]string{"BENCHMARKS.md": rep.Markdown(), "benchmarks.svg": rep.SVG()} {
			path := filepath.Join(out, name)
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				fmt.Fprintln(os.Stderr, "bench:", err)
				return 1
			}
			fmt.Fprintln(os.Stderr, "bench: wrote", path)
		}
	}
	return 0
}

// progress prints each row as it is measured.
func progress(r result) {
	switch {
	case r.Failed != "":
		fmt.Fprintf(os.Stderr, "    %-32s FAILED: %s\n", r.Target.Name, r.Failed)
	case r.Scenario.Run == runStartup:
		fmt.Fprintf(os.Stderr, "    %-32s median %s, slowest %s, CPU %s to the first 200\n", r.Target.Name, fmtDur(r.P50), fmtDur(r.P99), fmtDur(r.StartCPU))
	default:
		fmt.Fprintf(os.Stderr, "    %-32s %s req/s, p50 %s, p99 %s, errors %d, PSS %.1f MiB\n",
			r.Target.Name, fmtInt(int64(r.RPS)), fmtDur(r.P50), fmtDur(r.P99), r.Errors, float64(r.PSS)/(1<<20))
	}
	if cpu, sw, ok := r.perRequest(); ok {
		fmt.Fprintf(os.Stderr, "    %-32s CPU %.1f µs/req, %.2f context switches/req\n", "", cpu, sw)
	}
	if i := r.Idle; i != nil {
		fmt.Fprintf(os.Stderr, "    %-32s idle: %d of %d held, %d usable after the load, %s per idle connection\n",
			"", i.Held, i.Want, i.Usable, fmtBytes(i.PerConn()))
	}
	if r.Detail != "" {
		fmt.Fprintf(os.Stderr, "    %-32s errors: %s\n", "", r.Detail)
	}
	if r.Note != "" {
		fmt.Fprintf(os.Stderr, "    %-32s note: %s\n", "", r.Note)
	}
}

// selectTargets filters allTargets by -only, in the order to run them:
// ours with an MPM linked in right after the same MPM as a plugin, so
// that the two forms run next to each other (machine noise drifts slowly).
func selectTargets(only string) ([]target, error) {
	out, err := filterTargets(only)
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(out); i++ {
		t := out[i]
		if !t.Linked {
			continue
		}
		for j := 0; j < i; j++ {
			if p := out[j]; p.Kind == kindOurs && p.MPM == t.MPM && !p.Linked {
				copy(out[j+2:i+1], out[j+1:i])
				out[j+1] = t
				break
			}
		}
	}
	return out, nil
}

// filterTargets is allTargets filtered by -only.
func filterTargets(only string) ([]target, error) {
	all := allTargets()
	if only == "" {
		return all, nil
	}
	var out []target
	used := map[string]bool{}
	for _, t := range all {
		for _, w := range strings.Split(only, ",") {
			w = strings.TrimSpace(w)
			if w == t.Name || w == t.Kind || (w == t.MPM && t.MPM != "") {
				out = append(out, t)
				used[w] = true
				break
			}
		}
	}
	for _, w := range strings.Split(only, ",") {
		if w = strings.TrimSpace(w); w != "" && !used[w] {
			return nil, fmt.Errorf("-only: %q names no server (kinds: ours, apache, nginx; MPMs: prefork, worker, event)", w)
		}
	}
	return out, nil
}

// selectScenarios filters scenarios by -scenarios.
func selectScenarios(ids string) ([]scenario, error) {
	if ids == "" {
		return scenarios, nil
	}
	want := map[string]bool{}
	for _, id := range strings.Split(ids, ",") {
		want[strings.TrimSpace(id)] = true
	}
	var out []scenario
	for _, sc := range scenarios {
		if want[sc.ID] {
			out = append(out, sc)
			delete(want, sc.ID)
		}
	}
	for id := range want {
		return nil, fmt.Errorf("-scenarios: unknown %q (have %s)", id, scenarioIDs())
	}
	return out, nil
}

func scenarioIDs() string {
	var ids []string
	for _, sc := range scenarios {
		ids = append(ids, sc.ID)
	}
	return strings.Join(ids, ", ")
}
