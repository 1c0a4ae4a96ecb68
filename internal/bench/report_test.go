package main

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/proctree"
)

func TestParseWrk(t *testing.T) {
	out := "Running 2s test @ http://127.0.0.1:1/1k.bin\n  1 threads and 50 connections\n" +
		"BENCH requests=20000 duration_us=2000000 p50_us=1200 p99_us=4500 connect=1 read=2 write=0 status=3 timeout=4\n"
	r, err := parseWrk(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 20000 || r.RPS != 10000 || r.P50 != 1200*time.Microsecond || r.P99 != 4500*time.Microsecond || r.Errors != 10 {
		t.Errorf("parseWrk = %+v", r)
	}
	if _, err := parseWrk("unable to connect to 127.0.0.1:1 Connection refused\n"); err == nil {
		t.Error("parseWrk accepted output without a summary")
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{fmtInt(0), "0"}, {fmtInt(999), "999"}, {fmtInt(1000), "1,000"}, {fmtInt(1234567), "1,234,567"}, {fmtInt(-1000), "-1,000"},
		{fmtDur(412 * time.Microsecond), "412µs"}, {fmtDur(1234 * time.Microsecond), "1.23ms"}, {fmtDur(2 * time.Second), "2.00s"}, {fmtDur(0), "—"},
		{shortNum(63412), "63k"}, {shortNum(1.5e6), "1.5M"}, {shortNum(500), "500"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	for raw, want := range map[float64]float64{3: 5, 12000: 20000, 26800: 50000, 1: 1, 0.3: 0.5} {
		if got := niceStep(raw); got != want {
			t.Errorf("niceStep(%v) = %v, want %v", raw, got, want)
		}
	}
}

// scenarioByID is the scenario with id (the list's order changes as rows
// are added).
func scenarioByID(id string) scenario {
	for _, sc := range scenarios {
		if sc.ID == id {
			return sc
		}
	}
	panic("no scenario " + id)
}

func sample() *report {
	ts := allTargets()
	rep := &report{When: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Plan: plan{Duration: 5 * time.Second, RestartDuration: 6 * time.Second, Conns: 50, Starts: 5}}
	for i, t := range ts {
		rep.Rows = append(rep.Rows,
			// 50,000 requests costing (i+1) s of CPU: 20 µs each for
			// target 0, 40 for target 1, ...; 25,000 switches: 0.5 each.
			result{Scenario: scenarioByID("ka-1k"), Target: t, loadResult: loadResult{Requests: 50000, RPS: float64(10000 * (i + 1)), P50: time.Millisecond, P99: 3 * time.Millisecond}, PSS: 20 << 20,
				Cost: &proctree.Usage{CPU: int64(i+1) * proctree.TicksPerSecond, Switches: 25000}},
			result{Scenario: scenarioByID("startup"), Target: t, loadResult: loadResult{P50: time.Duration(i+1) * 10 * time.Millisecond},
				StartCPU: time.Duration(i+1) * 4 * time.Millisecond})
	}
	rep.Rows = append(rep.Rows, result{Scenario: scenarioByID("close-1k"), Target: ts[0], Failed: "did not start: x"})
	rep.sortRows()
	return rep
}

func TestRatios(t *testing.T) {
	rep := sample()
	// ours-prefork is target 0 (10,000 req/s), apache-prefork target 1
	// (20,000), nginx the last (70,000).
	c := rep.cells(rep.Rows[0])
	if c[1] != "ours-prefork" || c[7] != "0.50×" || c[8] != "0.14×" {
		t.Errorf("keep-alive row = %q", c)
	}
	for _, r := range rep.Rows {
		if r.Scenario.Run == runStartup && r.Target.Name == "ours-prefork" {
			if c := rep.cells(r); c[7] != "0.50×" || c[3] != "10.00ms" {
				t.Errorf("startup row = %q", c)
			}
		}
	}
	for _, r := range rep.Rows {
		if r.Failed != "" {
			if c := rep.cells(r); c[2] != "failed" || c[7] != "—" {
				t.Errorf("failed row = %q", c)
			}
		}
	}
}

func TestCostTable(t *testing.T) {
	rep := sample()
	cells := rep.costCells()
	// ka-1k on every target, then the failed close-1k row.
	if len(cells) != len(allTargets())+1 {
		t.Fatalf("cost table has %d rows: %q", len(cells), cells)
	}
	want := map[string][]string{
		// ours-prefork: target 0, 20 µs; apache-prefork target 1, 40 µs;
		// nginx target 6, 140 µs.
		"1 KiB keep-alive|ours-prefork":   {"20.0", "0.50", "0.50×", "0.14×"},
		"1 KiB keep-alive|apache-prefork": {"40.0", "0.50", "", ""},
		"1 KiB keep-alive|nginx":          {"140.0", "0.50", "", ""},
		// ours-event-linked: target 9, 200 µs; apache-event target 5.
		"1 KiB keep-alive|ours-event-linked":   {"200.0", "0.50", "1.67×", "1.43×"},
		"1 KiB Connection: close|ours-prefork": {"—", "—", "—", "—"},
	}
	seen := 0
	for _, c := range cells {
		if w, ok := want[c[0]+"|"+c[1]]; ok {
			seen++
			if strings.Join(c[2:], "|") != strings.Join(w, "|") {
				t.Errorf("%s / %s = %q, want %q", c[0], c[1], c[2:], w)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("cost table lacks rows: %q", cells)
	}
	// A row without a measurement, or with no request, has no cost.
	for _, r := range []result{{Scenario: scenarioByID("ka-1k"), loadResult: loadResult{Requests: 10}},
		{Scenario: scenarioByID("ka-1k"), Cost: &proctree.Usage{CPU: 5}}} {
		if _, _, ok := r.perRequest(); ok {
			t.Errorf("perRequest of %+v is ok", r)
		}
	}
	md := rep.Markdown()
	for _, w := range []string{"## CPU time and context switches per request", "| scenario | server | CPU µs/req | switches/req | CPU/req ours÷Apache | CPU/req ours÷nginx |",
		"| 1 KiB keep-alive | ours-prefork | 20.0 | 0.50 | 0.50× | 0.14× |"} {
		if !strings.Contains(md, w) {
			t.Errorf("markdown lacks %q:\n%s", w, md)
		}
	}
	if txt := rep.Text(); !strings.Contains(txt, "CPU/req ours÷nginx") || !strings.Contains(txt, costLegend) {
		t.Errorf("terminal output lacks the cost table:\n%s", txt)
	}
}

func TestStartTable(t *testing.T) {
	rep := sample()
	cells := rep.startCells()
	if len(cells) != len(allTargets()) {
		t.Fatalf("start table has %d rows: %q", len(cells), cells)
	}
	want := map[string][]string{
		// ours-prefork: target 0, 4 ms of CPU; apache-prefork target 1,
		// 8 ms; nginx target 6, 28 ms.
		"ours-prefork":   {"10.00ms", "4.00ms", "0.50×", "0.14×"},
		"apache-prefork": {"20.00ms", "8.00ms", "", ""},
		"nginx":          {"70.00ms", "28.00ms", "", ""},
	}
	seen := 0
	for _, c := range cells {
		if w, ok := want[c[0]]; ok {
			seen++
			if strings.Join(c[1:], "|") != strings.Join(w, "|") {
				t.Errorf("%s = %q, want %q", c[0], c[1:], w)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("start table lacks rows: %q", cells)
	}
	if md := rep.Markdown(); !strings.Contains(md, "## CPU time of a start") || !strings.Contains(md, "| ours-prefork | 10.00ms | 4.00ms | 0.50× | 0.14× |") {
		t.Errorf("markdown lacks the start table:\n%s", md)
	}
	if txt := rep.Text(); !strings.Contains(txt, startLegend) {
		t.Errorf("terminal output lacks the start table:\n%s", txt)
	}
}

func TestOutputs(t *testing.T) {
	rep := sample()
	d := xml.NewDecoder(strings.NewReader(rep.SVG()))
	for {
		_, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed: %v", err)
		}
	}
	md := rep.Markdown()
	for _, want := range []string{"| scenario | server | req/s |", "| 1 KiB keep-alive | ours-prefork | 10,000 |", "benchmarks.svg", "1 KiB Connection: close / ours-prefork: did not start: x"} {
		if !strings.Contains(md, want) && !strings.Contains(rep.Text(), want) {
			t.Errorf("outputs lack %q", want)
		}
	}
}

func TestSelect(t *testing.T) {
	ts, err := selectTargets("event,nginx")
	if err != nil || len(ts) != 4 || ts[0].Name != "ours-event" || ts[1].Name != "ours-event-linked" || ts[2].Name != "apache-event" || ts[3].Name != "nginx" {
		t.Errorf("selectTargets(event,nginx) = %v, %v", ts, err)
	}
	if ts, _ := selectTargets(""); len(ts) != 10 || ts[0].Name != "ours-prefork" || ts[1].Name != "ours-prefork-linked" || ts[9].Name != "nginx" {
		t.Errorf("selectTargets() = %v", ts)
	}
	if _, err := selectTargets("evnt"); err == nil {
		t.Error("selectTargets accepted a misspelling")
	}
	if scs, err := selectScenarios("startup,ka-1k"); err != nil || len(scs) != 2 || scs[0].ID != "ka-1k" {
		t.Errorf("selectScenarios = %v, %v", scs, err)
	}
}

func TestLinkedTable(t *testing.T) {
	rep := sample()
	// sample gives each target 10,000 × its position + 1 req/s: ours-event
	// is target 4 (50,000), ours-event-linked target 9 (100,000).
	var event []string
	for _, c := range rep.linkedCells() {
		if c[1] == "event" {
			event = c
		}
	}
	want := []string{"1 KiB keep-alive", "event", "50,000", "100,000", "3.00ms", "3.00ms", "2.00×"}
	if strings.Join(event, "|") != strings.Join(want, "|") {
		t.Errorf("event row = %q, want %q (all: %q)", event, want, rep.linkedCells())
	}
	if md := rep.Markdown(); !strings.Contains(md, "## The MPM linked in versus as a plugin") || !strings.Contains(md, "| 1 KiB keep-alive | event | 50,000 | 100,000 |") {
		t.Errorf("markdown lacks the linked-in table:\n%s", md)
	}
}

func TestIdleTable(t *testing.T) {
	rep := sample()
	ts := allTargets()
	rep.Rows = append(rep.Rows,
		result{Scenario: scenarioByID("idle-10k"), Target: ts[2], loadResult: loadResult{RPS: 0},
			Idle: &idleResult{Want: 10000, Held: 128, Usable: 128, BaseRPS: 30000, PSSBefore: 50 << 20, PSSHeld: 50 << 20}},
		result{Scenario: scenarioByID("idle-10k"), Target: ts[4], loadResult: loadResult{RPS: 9500},
			Idle: &idleResult{Want: 10000, Held: 10000, Usable: 10000, BaseRPS: 10000, PSSBefore: 50 << 20, PSSHeld: 50<<20 + 1_000_000}},
		result{Scenario: scenarioByID("idle-10k"), Target: ts[6], loadResult: loadResult{RPS: 9000},
			Idle: &idleResult{Want: 10000, Held: 10000, Usable: 10000, BaseRPS: 9500, PSSBefore: 20 << 20, PSSHeld: 20 << 20}})
	rep.sortRows()
	for _, r := range rep.Rows {
		if r.Scenario.ID != "idle-10k" || r.Target.Kind != kindOurs {
			continue
		}
		// The worker row: every worker held, no ratio (not 0.00×);
		// the event row: its ratio to nginx.
		want := map[string]string{"ours-worker": "—", "ours-event": "1.06×"}[r.Target.Name]
		if c := rep.cells(r); c[8] != want {
			t.Errorf("%s: ours/nginx = %q, want %q", r.Target.Name, c[8], want)
		}
	}
	cells := rep.idleCells()
	if len(cells) != 3 {
		t.Fatalf("idle table has %d rows", len(cells))
	}
	want := [][]string{
		{"10,000", "ours-worker", "128", "128", "—", "30,000", "0", "0%"},
		{"10,000", "ours-event", "10,000", "10,000", "100 B", "10,000", "9,500", "95%"},
		{"10,000", "nginx", "10,000", "10,000", "0 B", "9,500", "9,000", "95%"},
	}
	for i := range want {
		if strings.Join(cells[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q, want %q", i, cells[i], want[i])
		}
	}
	if md := rep.Markdown(); !strings.Contains(md, "## Idle keep-alive connections") || !strings.Contains(md, "| 10,000 | ours-event | 10,000 | 10,000 | 100 B |") {
		t.Errorf("markdown lacks the idle table:\n%s", md)
	}
}

func TestRounds(t *testing.T) {
	ka, start, graceful := scenarioByID("ka-1k"), scenarioByID("startup"), scenarioByID("graceful")
	ours, nginx := allTargets()[4], allTargets()[6]
	if ours.Name != "ours-event" || nginx.Name != "nginx" {
		t.Fatalf("targets moved: %s, %s", ours.Name, nginx.Name)
	}
	load := func(tg target, round int, rps float64) result {
		return result{Scenario: ka, Target: tg, Round: round, loadResult: loadResult{RPS: rps, P50: time.Duration(rps)}}
	}
	all := []result{
		load(ours, 0, 300), load(nginx, 0, 200),
		{Scenario: start, Target: ours, Round: 0, loadResult: loadResult{P50: 30 * time.Millisecond}},
		{Scenario: graceful, Target: ours, Round: 0, loadResult: loadResult{Errors: 0}},
		load(ours, 1, 100), load(nginx, 1, 200),
		{Scenario: start, Target: ours, Round: 1, Failed: "did not start: x"},
		{Scenario: graceful, Target: ours, Round: 1, loadResult: loadResult{Errors: 2}},
		load(ours, 2, 200), load(nginx, 2, 100),
		{Scenario: start, Target: ours, Round: 2, loadResult: loadResult{P50: 10 * time.Millisecond}},
		{Scenario: graceful, Target: ours, Round: 2, loadResult: loadResult{Errors: 1}},
	}
	rep := &report{All: all, Rows: medianRows(all), Plan: plan{Rounds: 3}}
	got := map[string]result{}
	for _, r := range rep.Rows {
		got[r.Target.Name+" "+r.Scenario.ID] = r
	}
	if len(rep.Rows) != 4 {
		t.Errorf("medianRows kept %d rows, want one per server and scenario (4)", len(rep.Rows))
	}
	if r := got["ours-event ka-1k"]; r.RPS != 200 || r.P50 != 200 || r.Round != 2 {
		t.Errorf("ours ka-1k = round %d, %v req/s; want the median round 2 (200 req/s) whole", r.Round, r.RPS)
	}
	// Its ratio is the median of the rounds' paired ratios (1.50, 0.50,
	// 2.00), not 200 ÷ nginx's median 200 from another round.
	if c := rep.cells(got["ours-event ka-1k"]); c[8] != "1.50×" {
		t.Errorf("ours/nginx = %q, want the median paired ratio 1.50×", c[8])
	}
	if r := got["ours-event startup"]; r.P50 != 10*time.Millisecond || !strings.Contains(r.Note, "failed in 1 of 3 rounds") {
		t.Errorf("startup = %v %q; want the lower middle of two measured rounds (10ms) and a note of the failed one", r.P50, r.Note)
	}
	if r := got["ours-event graceful"]; r.Errors != 2 {
		t.Errorf("graceful = %d errors, want the worst round's 2", r.Errors)
	}
	var row []string
	for _, c := range rep.roundCells() {
		if c[0] == ka.Title && c[1] == "ours-event" {
			row = c
		}
	}
	if want := []string{ka.Title, "ours-event", "300 · 100 · 200", "", "1.50 · 0.50 · 2.00"}; strings.Join(row, "|") != strings.Join(want, "|") {
		t.Errorf("rounds row = %q, want %q", row, want)
	}
	if md := rep.Markdown(); !strings.Contains(md, "## Every round") || !strings.Contains(md, "3 rounds") {
		t.Error("markdown lacks the rounds table or says nothing of the rounds")
	}
	if one := (&report{Rows: rep.Rows, All: all, Plan: plan{Rounds: 1}}); one.roundCells() != nil || strings.Contains(one.Markdown(), "## Every round") {
		t.Error("a single round got a rounds table")
	}
}
