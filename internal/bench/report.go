package main

import (
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// commandLog keeps each distinct command the run used, with the scratch
// directory, ports and start numbers replaced by placeholders.
type commandLog struct {
	scratch string
	repo    string
	mu      sync.Mutex
	seen    map[string]bool
	list    []string
}

var (
	portRE  = regexp.MustCompile(`127\.0\.0\.1:[1-9]\d*`) // not :0, which our config asks for
	startRE = regexp.MustCompile(`(/(?:ours|apache|nginx)(?:-[a-z]+)*)-\d+`)
)

func (c *commandLog) add(label string, argv []string) {
	quoted := make([]string, len(argv))
	for i, a := range argv {
		if strings.ContainsAny(a, " ;:'\"*") && !strings.HasPrefix(a, "http://") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		quoted[i] = a
	}
	line := c.normalize(strings.Join(quoted, " "))
	if label != "" {
		line += "    # " + label
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	if !c.seen[line] {
		c.seen[line] = true
		c.list = append(c.list, line)
	}
}

// normalize replaces what differs from run to run by placeholders.
func (c *commandLog) normalize(s string) string {
	s = strings.ReplaceAll(s, c.scratch, "$SCRATCH")
	s = strings.ReplaceAll(s, c.repo, "$REPO")
	s = portRE.ReplaceAllString(s, "127.0.0.1:$$PORT")
	return startRE.ReplaceAllString(s, "$1-N")
}

func (c *commandLog) lines() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.list...)
}

// report is everything the outputs show.
type report struct {
	When       time.Time
	Facts      []fact
	Rows       []result // one per server and scenario: the median round (medianRows)
	All        []result // every round's rows
	Commands   []string
	Configs    []fact // name, text: one config file per server kind
	Plan       plan
	Args       string  // how the harness was invoked
	LoadBefore float64 // 1-minute load average when the run began
}

// sortRows groups the rows by scenario, in scenario order, keeping the
// server order within each (ours beside Apache with the same MPM).
func (rep *report) sortRows() {
	index := map[string]int{}
	for i, sc := range scenarios {
		index[sc.ID] = i
	}
	slices.SortStableFunc(rep.Rows, func(a, b result) int { return index[a.Scenario.ID] - index[b.Scenario.ID] })
}

// cells is one row rendered as text, shared by the terminal table and
// the markdown table.
func (rep *report) cells(r result) []string {
	c := []string{r.Scenario.Title, r.Target.Name, "—", "—", "—", "—", "—", "", ""}
	if r.Failed != "" {
		c[2] = "failed"
	} else if r.Scenario.Run == runStartup {
		c[3], c[4] = fmtDur(r.P50), fmtDur(r.P99)
	} else {
		c[2] = fmtInt(int64(math.Round(r.RPS)))
		c[3], c[4] = fmtDur(r.P50), fmtDur(r.P99)
		c[5] = fmtInt(r.Errors)
	}
	if r.PSS > 0 {
		c[6] = fmt.Sprintf("%.1f", float64(r.PSS)/(1<<20))
	}
	if r.Target.Kind == kindOurs {
		p := peers(r.Target)
		c[7], c[8] = rep.ratio(r, p[0]), rep.ratio(r, p[1])
	}
	return c
}

var header = []string{"scenario", "server", "req/s", "p50", "p99", "errors", "PSS MiB", "ours/Apache", "ours/nginx"}

// ratio is ours over the peer on the same scenario: req/s for load rows
// (higher is better), startup time for the startup row (lower is better).
func (rep *report) ratio(r result, peer target) string {
	if r.Idle.blocked() && r.RPS == 0 {
		return "—" // the MPM's design, not its speed: see the legend
	}
	if q, ok := rep.pairedRatio(r, peer, ratioValue(r.Scenario)); ok {
		return fmt.Sprintf("%.2f×", q)
	}
	return "—"
}

// ratioValue is what a ratio of sc's rows compares: the median start time
// for the start row, req/s for the others.
func ratioValue(sc scenario) func(result) float64 {
	if sc.Run == runStartup {
		return func(x result) float64 { return float64(x.P50) }
	}
	return func(x result) float64 { return x.RPS }
}

// pairedRatio is value(ours) ÷ value(peer) on r's scenario. With rounds it
// is the median (lower middle) of the rounds' own ratios, each of ours and
// the peer measured in the same round, rather than of the two median rows,
// which may come from different rounds; false when no pair has a peer
// value above 0.
func (rep *report) pairedRatio(r result, peer target, value func(result) float64) (float64, bool) {
	var qs []float64
	if rep.Plan.Rounds > 1 {
		for round := range rep.Plan.Rounds {
			o, ok := rep.roundRow(r.Target, r.Scenario, round)
			p, pok := rep.roundRow(peer, r.Scenario, round)
			if ok && pok && value(p) > 0 {
				qs = append(qs, value(o)/value(p))
			}
		}
	} else if p, ok := rep.peerRow(r, peer); ok && value(p) > 0 {
		qs = append(qs, value(r)/value(p))
	}
	if len(qs) == 0 {
		return 0, false
	}
	slices.Sort(qs)
	return qs[(len(qs)-1)/2], true
}

// peerRow is peer's row on r's scenario; false when r or it failed or
// there is none.
func (rep *report) peerRow(r result, peer target) (result, bool) {
	if r.Failed != "" {
		return result{}, false
	}
	for _, o := range rep.Rows {
		if o.Scenario.ID == r.Scenario.ID && o.Target == peer && o.Failed == "" {
			return o, true
		}
	}
	return result{}, false
}

// peers are the servers ours is compared with: Apache with the same MPM,
// and nginx.
func peers(ours target) [2]target {
	return [2]target{
		{Name: kindApache + "-" + ours.MPM, Kind: kindApache, MPM: ours.MPM},
		{Name: kindNginx, Kind: kindNginx},
	}
}

// costHeader heads the table of what each request cost the server.
var costHeader = []string{"scenario", "server", "CPU µs/req", "switches/req", "CPU/req ours÷Apache", "CPU/req ours÷nginx"}

// costCells are the rows of the cost table: every load row, with the
// server's CPU time and context switches per request and, for ours, its
// CPU per request over the peers' (lower is better).
func (rep *report) costCells() [][]string {
	var out [][]string
	for _, r := range rep.Rows {
		if r.Scenario.Run != runWrk {
			continue
		}
		c := []string{r.Scenario.Title, r.Target.Name, "—", "—", "", ""}
		cpu, sw, ok := r.perRequest()
		if ok {
			c[2], c[3] = fmt.Sprintf("%.1f", cpu), fmt.Sprintf("%.2f", sw)
		}
		q := rep.peerRatios(r, ok, cpuPerRequest)
		c[4], c[5] = q[0], q[1]
		out = append(out, c)
	}
	return out
}

// startHeader heads the table of what a start cost the server.
var startHeader = []string{"server", "start → first 200", "CPU to the first 200", "CPU ours÷Apache", "CPU ours÷nginx"}

// startCells are the rows of the start cost table: every start row with
// the time to the first 200, the CPU time the server's tree used until
// then and, for ours, that CPU time over the peers' (lower is better).
func (rep *report) startCells() [][]string {
	var out [][]string
	for _, r := range rep.Rows {
		if r.Scenario.Run != runStartup {
			continue
		}
		c := []string{r.Target.Name, "—", "—", "", ""}
		if r.Failed == "" {
			c[1], c[2] = fmtDur(r.P50), fmtDur(r.StartCPU)
		}
		q := rep.peerRatios(r, r.Failed == "", startCPU)
		c[3], c[4] = q[0], q[1]
		out = append(out, c)
	}
	return out
}

// startCPU is r's CPU time to its first 200 in ms, 0 without one.
func startCPU(r result) float64 { return float64(r.StartCPU) / float64(time.Millisecond) }

// startLegend explains the start cost table.
const startLegend = "CPU to the first 200: user + system CPU time that every live thread of the server's process tree " +
	"had run when the first 200 arrived, from its exec (the first field of /proc/PID/task/*/schedstat, nanoseconds, " +
	"summed over the tree; ours: host, MPM plugin process and the children started so far; Apache: parent and " +
	"children; nginx: master and workers); the median of the starts, which need not be the start of the median time. " +
	"A thread or process that exited before is not counted. When a start keeps more processes busy than the machine " +
	"has cores, its time to the first 200 cannot be shorter than this CPU time divided by the cores. Ratios: ours ÷ " +
	"peer in the same round, the median over rounds; lower is better."

// peerRatios are, for a row of ours, value(r) over each peer's (Apache with
// the same MPM, nginx; pairedRatio) as table cells: "—" when r has no
// measurement (ok false) or a peer has none; empty for a peer's own row.
func (rep *report) peerRatios(r result, ok bool, value func(result) float64) [2]string {
	var out [2]string
	if r.Target.Kind != kindOurs {
		return out
	}
	for i, peer := range peers(r.Target) {
		out[i] = "—"
		if q, found := rep.pairedRatio(r, peer, value); ok && found {
			out[i] = fmt.Sprintf("%.2f×", q)
		}
	}
	return out
}

// cpuPerRequest is r's CPU µs per request, 0 without a measurement.
func cpuPerRequest(r result) float64 {
	cpu, _, _ := r.perRequest()
	return cpu
}

// costLegend explains the cost table.
const costLegend = "CPU µs/req: user + system CPU time of the server's whole process tree (ours: host, MPM parent and children; " +
	"Apache: parent and children; nginx: master and workers; every thread of each) from just before to just after the " +
	"measured wrk run (not the warm-up), divided by the requests wrk completed. It is utime + stime + cutime + cstime " +
	"of /proc/PID/stat summed over the tree: a thread that exits keeps counting in its process, and a process that " +
	"exits and is reaped by its parent in the tree keeps counting in the parent's cutime + cstime; a zombie counts as " +
	"itself. Switches/req: voluntary + nonvoluntary context switches of every live thread of the tree " +
	"(/proc/PID/task/*/status), the same difference over the same requests; those of threads and processes that " +
	"exited during the run are lost, so it can only undercount. Not counted: kernel work done in wrk's own system " +
	"calls (on loopback the receiving side's TCP processing often runs in the sender's context, so each side pays " +
	"part of the other's, alike for every server); a process reaped during the snapshot itself may count twice or " +
	"not at all (rare: these servers keep their children on load rows). The idle rows include keeping the idle " +
	"connections, the slow-reader row feeding the slow readers. Resolution: 10 ms (USER_HZ 100) per process, small " +
	"against the seconds of CPU a 5 s run uses. Other work on the machine makes req/s swing by 2× from run to run but changes the server's " +
	"own CPU per request much less: on a busy machine these are the numbers to trust. Ratios: ours ÷ peer, lower is " +
	"better; with rounds, the median of each round's ratio."

// idleHeader heads the idle keep-alive table: one row per idle row and
// server.
var idleHeader = []string{"idle connections", "server", "held", "usable after", "PSS per idle conn", "req/s without", "req/s with", "with ÷ without"}

// idleCells are the rows of the idle keep-alive table: what holding the
// idle connections cost in memory and in throughput, against the same
// load without them, run just before on the same server.
func (rep *report) idleCells() [][]string {
	var out [][]string
	for _, r := range rep.Rows {
		if r.Scenario.Idle == 0 {
			continue
		}
		c := []string{fmtInt(int64(r.Scenario.Idle)), r.Target.Name, "—", "—", "—", "—", "—", "—"}
		if r.Idle != nil {
			c[2], c[3] = fmtInt(int64(r.Idle.Held)), fmtInt(int64(r.Idle.Usable))
			if r.Idle.Held > 0 && !r.Idle.blocked() {
				c[4] = fmtBytes(r.Idle.PerConn())
			}
		}
		base := 0.0
		if r.Idle != nil {
			base = r.Idle.BaseRPS
		}
		if base > 0 {
			c[5] = fmtInt(int64(math.Round(base)))
		}
		if r.Failed == "" {
			c[6] = fmtInt(int64(math.Round(r.RPS)))
			if base > 0 {
				c[7] = fmt.Sprintf("%.0f%%", 100*r.RPS/base)
			}
		}
		out = append(out, c)
	}
	return out
}

// idleLegend explains the idle keep-alive table.
const idleLegend = "Idle rows: before the load, the client opens that many connections one by one, sends one request on each " +
	"and keeps them open and silent (it stops at the first that is not answered within 2 s); after the load it sends " +
	"one more request on each: \"usable after\" counts the 2xx answers. PSS per idle connection: proportional memory (PSS) of the " +
	"whole process tree with the idle connections open (1 s after the last) minus just before opening them, on a " +
	"server warmed up by the load without them, divided by the connections held; it is within about ±1 MiB ÷ connections " +
	"of noise (the heap of a Go server breathes), so the 10,000 row says more; a server that held fewer than asked shows " +
	"none: its opening waited 2 s for a connection no worker took, while the tree's memory moved for other reasons " +
	"(prefork's children return tens of MiB of heap after the warm-up load). \"Without\" is the same load on the " +
	"same server with no idle connection, run just before opening them."

// linkedHeader heads the table of the two forms of one MPM: plugin and
// linked into httpd.
var linkedHeader = []string{"scenario", "MPM", "plugin req/s", "linked-in req/s", "plugin p99", "linked-in p99", "linked ÷ plugin"}

// linkedCells pairs each row of ours with the MPM linked in with the row
// of the same MPM as a plugin on the same scenario.
func (rep *report) linkedCells() [][]string {
	var out [][]string
	for _, r := range rep.Rows {
		if !r.Target.Linked || r.Scenario.Run != runWrk {
			continue
		}
		c := []string{r.Scenario.Title, r.Target.MPM, "—", "—", "—", "—", "—"}
		if r.Failed == "" {
			c[3], c[5] = fmtInt(int64(math.Round(r.RPS))), fmtDur(r.P99)
		}
		for _, p := range rep.Rows {
			if p.Scenario.ID != r.Scenario.ID || p.Target.Kind != kindOurs || p.Target.MPM != r.Target.MPM || p.Target.Linked || p.Failed != "" {
				continue
			}
			c[2], c[4] = fmtInt(int64(math.Round(p.RPS))), fmtDur(p.P99)
			if r.Failed == "" && p.RPS > 0 {
				c[6] = fmt.Sprintf("%.2f×", r.RPS/p.RPS)
			}
		}
		out = append(out, c)
	}
	return out
}

// linkedLegend explains the linked-in table.
const linkedLegend = "Linked in: the same MPM code built into httpd (make MPM=NAME) and run in the host's own process, " +
	"against the plugin (make; LoadModule): same config but the LoadModule line, same load, separate runs. The plugin " +
	"boundary is crossed only to start, configure, watch and stop the MPM; children accept and serve connections " +
	"directly in both forms, so the ratio should be 1.00× within the machine's noise."

// notes are the failures, error breakdowns and remarks under the table.
// A server that failed the same way on every row gets one note.
func (rep *report) notes() []string {
	var out []string
	type key struct{ server, text string }
	count := map[key]int{}
	rows := map[string]int{}
	for _, r := range rep.Rows {
		rows[r.Target.Name]++
		if r.Failed != "" {
			count[key{r.Target.Name, r.Failed}]++
		}
	}
	said := map[key]bool{}
	for _, r := range rep.Rows {
		k := key{r.Target.Name, r.Failed}
		if r.Failed != "" && count[k] == rows[r.Target.Name] && count[k] > 1 {
			if !said[k] {
				said[k] = true
				out = append(out, fmt.Sprintf("%s (every row): %s", r.Target.Name, r.Failed))
			}
			continue
		}
		var parts []string
		if r.Failed != "" {
			parts = append(parts, r.Failed)
		}
		if r.Detail != "" {
			parts = append(parts, "errors: "+r.Detail)
		}
		if r.Note != "" {
			parts = append(parts, r.Note)
		}
		if len(parts) > 0 {
			out = append(out, fmt.Sprintf("%s / %s: %s", r.Scenario.Title, r.Target.Name, strings.Join(parts, "; ")))
		}
	}
	return out
}

// Text is the table for the terminal.
func (rep *report) Text() string {
	rows := [][]string{header}
	for _, r := range rep.Rows {
		rows = append(rows, rep.cells(r))
	}
	var b strings.Builder
	for _, f := range rep.Facts {
		fmt.Fprintf(&b, "%-14s %s\n", f.Name+":", f.Value)
	}
	b.WriteString("\n")
	textTable(&b, rows)
	if cost := rep.costCells(); len(cost) > 0 {
		b.WriteString("\n")
		textTable(&b, append([][]string{costHeader}, cost...))
		b.WriteString("\n" + costLegend + "\n")
	}
	if start := rep.startCells(); len(start) > 0 {
		b.WriteString("\n")
		textTable(&b, append([][]string{startHeader}, start...))
		b.WriteString("\n" + startLegend + "\n")
	}
	if idle := rep.idleCells(); len(idle) > 0 {
		b.WriteString("\n")
		textTable(&b, append([][]string{idleHeader}, idle...))
		b.WriteString("\n" + idleLegend + "\n")
	}
	if linked := rep.linkedCells(); len(linked) > 0 {
		b.WriteString("\n")
		textTable(&b, append([][]string{linkedHeader}, linked...))
		b.WriteString("\n" + linkedLegend + "\n")
	}
	if rounds := rep.roundCells(); len(rounds) > 0 {
		b.WriteString("\n")
		textTable(&b, append([][]string{roundsHeader}, rounds...))
		b.WriteString("\n" + roundsLegend + "\n")
	}
	b.WriteString("\n" + legend(rep.Plan) + "\n")
	for _, n := range rep.notes() {
		b.WriteString("  * " + n + "\n")
	}
	b.WriteString("\nCommands:\n")
	for _, c := range rep.Commands {
		b.WriteString("  " + c + "\n")
	}
	return b.String()
}

// textTable writes rows (the first is the header) in aligned columns,
// the first two left-aligned, the numbers right-aligned.
func textTable(b *strings.Builder, rows [][]string) {
	width := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	for n, row := range rows {
		for i, c := range row {
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			if i >= 2 {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
			b.WriteString("  ")
		}
		b.WriteString("\n")
		if n == 0 {
			for i := range row {
				b.WriteString(strings.Repeat("-", width[i]) + "  ")
			}
			b.WriteString("\n")
		}
	}
}

// mdTable writes rows (the first is the header) as a markdown table.
func mdTable(b *strings.Builder, rows [][]string) {
	for n, row := range rows {
		c := make([]string, len(row))
		for i := range row {
			c[i] = strings.ReplaceAll(row[i], "|", `\|`)
		}
		b.WriteString("| " + strings.Join(c, " | ") + " |\n")
		if n == 0 {
			b.WriteString("|")
			for i := range row {
				if i >= 2 {
					b.WriteString("---:|")
				} else {
					b.WriteString("---|")
				}
			}
			b.WriteString("\n")
		}
	}
}

func legend(p plan) string {
	rounds := "Each scenario ran on every server before the next scenario. "
	if p.Rounds > 1 {
		rounds = fmt.Sprintf("%d rounds: each scenario ran on every server before the next scenario, the servers in reverse order "+
			"every other round; each row is its median round (the lower middle one of an even count; restart rows: the round with "+
			"the most errors), every round below. ", p.Rounds)
	}
	return rounds + fmt.Sprintf("Load rows: wrk -t1 -c%d for %v each, after a %v warm-up; p50/p99 are wrk's latency percentiles. "+
		"Start row: p50 = median and p99 = slowest of %d starts, exec → first 200 on GET; PSS of the idle server. "+
		"Restart rows: %d keep-alive clients (Go, one request at a time) for %v, graceful restart at 1/3 and 2/3 "+
		"(SIGUSR1; nginx SIGHUP); errors = every request that did not get a 2xx, and every refused connect. "+
		"Idle rows of prefork and worker: the idle connections take every worker (each holds one connection, as in "+
		"Apache's same MPMs: \"held\" in the idle table), the load then gets nothing, and no ratio is shown. "+
		"The MPM swap rows are ours only: Apache refuses to change its MPM on a graceful restart (AH00534). "+
		"PSS: proportional set size of the whole process tree after the load (a page shared by n processes counts 1/n in each; summed resident sizes would count the Go binary's text once per child). Ratios: ours ÷ peer, req/s (higher is better) except the start row "+
		"(time: lower is better); with rounds, the median of each round's ratio (ours and the peer run in the same round, not the two median rows); req/s depends on what else runs on the machine, CPU time per request (next table) "+
		"much less.",
		p.Conns, p.Duration, p.Warmup, p.Starts, p.Conns, p.RestartDuration)
}

// Markdown is BENCHMARKS.md.
func (rep *report) Markdown() string {
	var b strings.Builder
	b.WriteString("# Benchmarks\n\n")
	fmt.Fprintf(&b, "Measured %s with `%s`. Our httpd under each MPM beside Apache with the same MPM and the same directives, and nginx; "+
		"all on 127.0.0.1, loads from the same machine. These numbers report; nothing asserts them.\n\n",
		rep.When.UTC().Format("2006-01-02 15:04 MST"), rep.Args)
	if rep.LoadBefore > 0.5 {
		fmt.Fprintf(&b, "**The machine was busy** (load average %.2f before the run): other work shared the CPUs, "+
			"so req/s and latencies are low and noisy; CPU time per request (below the main table) is much steadier. "+
			"Rerun `make bench` on an idle machine.\n\n", rep.LoadBefore)
	}
	b.WriteString("![requests per second](benchmarks.svg)\n\n")
	rows := [][]string{header}
	for _, r := range rep.Rows {
		rows = append(rows, rep.cells(r))
	}
	mdTable(&b, rows)
	b.WriteString("\n" + legend(rep.Plan) + "\n\n")
	if cost := rep.costCells(); len(cost) > 0 {
		b.WriteString("## CPU time and context switches per request\n\n")
		mdTable(&b, append([][]string{costHeader}, cost...))
		b.WriteString("\n" + costLegend + "\n\n")
	}
	if start := rep.startCells(); len(start) > 0 {
		b.WriteString("## CPU time of a start\n\n")
		mdTable(&b, append([][]string{startHeader}, start...))
		b.WriteString("\n" + startLegend + "\n\n")
	}
	if idle := rep.idleCells(); len(idle) > 0 {
		b.WriteString("## Idle keep-alive connections\n\n")
		mdTable(&b, append([][]string{idleHeader}, idle...))
		b.WriteString("\n" + idleLegend + "\n\n")
	}
	if linked := rep.linkedCells(); len(linked) > 0 {
		b.WriteString("## The MPM linked in versus as a plugin\n\n")
		mdTable(&b, append([][]string{linkedHeader}, linked...))
		b.WriteString("\n" + linkedLegend + "\n\n")
	}
	if rounds := rep.roundCells(); len(rounds) > 0 {
		b.WriteString("## Every round\n\n")
		mdTable(&b, append([][]string{roundsHeader}, rounds...))
		b.WriteString("\n" + roundsLegend + "\n\n")
	}
	if notes := rep.notes(); len(notes) > 0 {
		b.WriteString("Notes:\n\n")
		for _, n := range notes {
			b.WriteString("- " + strings.ReplaceAll(n, "\n", " ") + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("## Machine\n\n| | |\n|---|---|\n")
	for _, f := range rep.Facts {
		fmt.Fprintf(&b, "| %s | %s |\n", f.Name, strings.ReplaceAll(f.Value, "|", `\|`))
	}
	b.WriteString("\n## Reproduce\n\n```sh\nmake bench                                   # full run, rewrites BENCHMARKS.md and benchmarks.svg\n" +
		"go run ./internal/bench -quick               # 2 s runs, a smoke check\n" +
		"go run ./internal/bench -only=event,nginx    # a subset: server kinds (ours, apache, nginx), MPMs or names\n" +
		"go run ./internal/bench -rounds=3            # everything three times, servers in alternating order; median rounds\n```\n\n")
	b.WriteString("Every server gets its own scratch root (`$SCRATCH/<server>-N`) and serves the same `htdocs` " +
		"(`1k.bin`, 1,024 bytes; `100k.bin`, 102,400 bytes); access logs are off everywhere. Commands used:\n\n```sh\n")
	for _, c := range rep.Commands {
		b.WriteString(c + "\n")
	}
	b.WriteString("```\n")
	for _, c := range rep.Configs {
		fmt.Fprintf(&b, "\n<details><summary>%s</summary>\n\n```\n%s```\n\n</details>\n", c.Name, c.Value)
	}
	return b.String()
}

// chartScenarios are the wrk rows drawn in the chart.
func (rep *report) chartScenarios() []scenario {
	var out []scenario
	seen := map[string]bool{}
	for _, r := range rep.Rows {
		if r.Scenario.Run == runWrk && !seen[r.Scenario.ID] {
			seen[r.Scenario.ID] = true
			out = append(out, r.Scenario)
		}
	}
	return out
}

// serverColor: ours in blues, Apache in oranges, nginx green; darker for
// prefork, lighter for event.
var serverColor = map[string]string{
	"ours-prefork": "#08519c", "ours-worker": "#3182bd", "ours-event": "#6baed6",
	"apache-prefork": "#a63603", "apache-worker": "#e6550d", "apache-event": "#fd8d3c",
	"nginx": "#31a354",
}

// SVG is benchmarks.svg: requests per second, grouped by scenario, one
// bar per server.
func (rep *report) SVG() string {
	scs := rep.chartScenarios()
	var servers []target
	for _, t := range allTargets() {
		if t.Linked {
			continue // the linked-in table compares those
		}
		for _, r := range rep.Rows {
			if r.Target == t && r.Scenario.Run == runWrk {
				servers = append(servers, t)
				break
			}
		}
	}
	value := func(sc scenario, t target) (float64, bool) {
		for _, r := range rep.Rows {
			if r.Scenario.ID == sc.ID && r.Target == t && r.Failed == "" {
				return r.RPS, true
			}
		}
		return 0, false
	}
	top := 1.0
	for _, sc := range scs {
		for _, t := range servers {
			if v, ok := value(sc, t); ok {
				top = max(top, v)
			}
		}
	}
	step := niceStep(top / 5)
	top = math.Ceil(top/step) * step

	const (
		left, right, bottom = 70.0, 20.0, 50.0
		legendW, legendH    = 120.0, 18.0
		barW, gap, groupGap = 22.0, 3.0, 36.0
		plotH               = 300.0
	)
	barsW := float64(len(servers))*(barW+gap) - gap
	groupW := max(barsW, 150) // room for the scenario's name
	width := left + right + float64(len(scs))*(groupW+groupGap)
	width = max(width, 720) // room for the title
	perRow := max(1, int((width-left-right)/legendW))
	rows := (len(servers) + perRow - 1) / perRow
	topM := 44 + float64(rows)*legendH + 14
	height := topM + plotH + bottom
	y := func(v float64) float64 { return topM + plotH - v/top*plotH }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12">`+"\n",
		width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.0f" y="20" font-size="15" font-weight="bold">Requests per second (wrk -t1 -c%d, 127.0.0.1, %s)</text>`+"\n",
		left, rep.Plan.Conns, rep.When.UTC().Format("2006-01-02"))
	// Legend.
	for i, t := range servers {
		lx, ly := left+float64(i%perRow)*legendW, 34+float64(i/perRow)*legendH
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="12" height="12" fill="%s"/><text x="%.0f" y="%.0f">%s</text>`+"\n",
			lx, ly, serverColor[t.Name], lx+16, ly+10, t.Name)
	}
	// Axis and grid.
	for v := 0.0; v <= top+step/2; v += step {
		fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#dddddd"/>`+"\n", left, width-right, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, y(v)+4, shortNum(v))
	}
	fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#333333"/>`+"\n", left, width-right, y(0), y(0))
	// Bars.
	for gi, sc := range scs {
		gx := left + groupGap/2 + float64(gi)*(groupW+groupGap)
		for si, t := range servers {
			x := gx + (groupW-barsW)/2 + float64(si)*(barW+gap)
			v, ok := value(sc, t)
			if !ok {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#999999">×</text>`+"\n", x+barW/2, y(0)-4)
				continue
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.0f" height="%.1f" fill="%s"><title>%s %s: %s req/s</title></rect>`+"\n",
				x, y(v), barW, y(0)-y(v), serverColor[t.Name], t.Name, sc.Title, fmtInt(int64(v)))
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="9">%s</text>`+"\n", x+barW/2, y(v)-3, shortNum(v))
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", gx+groupW/2, y(0)+20, xmlEscape(sc.Title))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// niceStep rounds a raw axis step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func shortNum(v float64) string {
	switch {
	case v >= 1e6:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v/1e6), ".0") + "M"
	case v >= 1e3:
		return fmt.Sprintf("%.0fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// fmtInt writes n with thousands separators.
func fmtInt(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + fmtInt(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// fmtBytes prints a size in bytes: B below a KiB, then KiB.
func fmtBytes(n float64) string {
	if math.Abs(n) < 1024 {
		return fmt.Sprintf("%.0f B", n)
	}
	return fmt.Sprintf("%.1f KiB", n/1024)
}

// fmtDur prints latencies: µs below a millisecond, then ms, then s.
func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

// sampleConfigs are the generated configs (event MPM for ours and Apache)
// and wrk's summary script, for BENCHMARKS.md.
func sampleConfigs(l *lab) []fact {
	c := l.cmds
	dir := filepath.Join(l.scratch, "apache-event-1")
	return []fact{
		{"ours: $SCRATCH/ours-event-N/httpd.conf (other MPMs: only the LoadModule line differs)",
			c.normalize(oursConfig("event", filepath.Join(l.repo, "modules"), l.docroot, false))},
		{"Apache: $SCRATCH/apache-event-N/httpd.conf (other MPMs: only the LoadModule line differs)",
			c.normalize(apacheConfig("event", dir, l.docroot, 8080, l.asRoot))},
		{"nginx: $SCRATCH/nginx-N/nginx.conf", c.normalize(nginxConfig(filepath.Join(l.scratch, "nginx-1"), l.docroot, 8080))},
		{"wrk: $SCRATCH/summary.lua", wrkScript},
	}
}
