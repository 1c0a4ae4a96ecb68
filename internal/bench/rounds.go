package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
)

// Rounds. Other work on the machine drifts over minutes, so a ratio is
// only as good as the closeness in time of its two runs. runRounds runs
// the scenarios one after the other, every server on a scenario before
// the next scenario (ours and its peers minutes apart at most), and with
// more than one round it runs everything again with the servers in the
// reverse order, then forward, and so on: a steady drift then favours
// no server. medianRows keeps one round per row.

// runRounds runs every scenario on every target p.Rounds times and
// returns every row measured, each with its Round.
func (l *lab) runRounds(ctx context.Context, targets []target, scs []scenario, p plan, progress func(result)) []result {
	var all []result
	for round := range max(p.Rounds, 1) {
		order := slices.Clone(targets)
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for _, sc := range scs {
			if ctx.Err() != nil {
				return all
			}
			if p.Rounds > 1 {
				fmt.Fprintf(os.Stderr, "==> %s (round %d of %d)\n", sc.Title, round+1, p.Rounds)
			} else {
				fmt.Fprintf(os.Stderr, "==> %s\n", sc.Title)
			}
			for _, t := range order {
				for _, r := range l.bench(ctx, t, []scenario{sc}, p, progress) {
					r.Round = round
					all = append(all, r)
				}
			}
		}
	}
	return all
}

// medianRows keeps one row per server and scenario, in the order they
// were first measured: the median round (the lower of the two middle
// ones for an even count) by req/s for a load row and by the median start
// time for the start row, and for a restart row the round with the most
// errors (a claim of none must hold in every round). Rounds that failed
// count only if all did; then the first failure stands.
func medianRows(all []result) []result {
	type key struct{ target, scenario string }
	var order []key
	groups := map[key][]result{}
	for _, r := range all {
		k := key{r.Target.Name, r.Scenario.ID}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	out := make([]result, 0, len(order))
	for _, k := range order {
		out = append(out, pickRound(groups[k]))
	}
	return out
}

func pickRound(rs []result) result {
	var ok []result
	for _, r := range rs {
		if r.Failed == "" {
			ok = append(ok, r)
		}
	}
	if len(ok) == 0 {
		return rs[0]
	}
	var pick result
	switch ok[0].Scenario.Run {
	case runRestart, runSwap:
		pick = slices.MaxFunc(ok, func(a, b result) int { return int(a.Errors - b.Errors) })
	case runStartup:
		slices.SortStableFunc(ok, func(a, b result) int { return int(a.P50 - b.P50) })
		pick = ok[(len(ok)-1)/2]
	default:
		slices.SortStableFunc(ok, func(a, b result) int {
			switch {
			case a.RPS < b.RPS:
				return -1
			case a.RPS > b.RPS:
				return 1
			}
			return 0
		})
		pick = ok[(len(ok)-1)/2]
	}
	if n := len(rs) - len(ok); n > 0 {
		pick.Note = joinNote(pick.Note, fmt.Sprintf("failed in %d of %d rounds", n, len(rs)))
	}
	return pick
}

// roundsHeader heads the table of every round, shown with more than one.
var roundsHeader = []string{"scenario", "server", "by round", "ours/Apache by round", "ours/nginx by round"}

const roundsLegend = "Every round of every row: req/s (load rows), the median start (start row) or errors (restart rows); " +
	"the ratios are ours over the peer measured in the same round and scenario (seconds to a minute apart). The main " +
	"table shows each server's median round (the round with the most errors for restart rows), and as ratios the " +
	"median of these. The spread of a ratio across rounds is the machine's noise."

// roundCells are the rows of the rounds table: every row of the main
// table with its value in each round and, for ours, the ratios to its
// peers round by round. Empty with a single round.
func (rep *report) roundCells() [][]string {
	if rep.Plan.Rounds <= 1 {
		return nil
	}
	var out [][]string
	for _, r := range rep.Rows {
		var vals []string
		var ratios [2][]string
		for round := range rep.Plan.Rounds {
			o, ok := rep.roundRow(r.Target, r.Scenario, round)
			vals = append(vals, roundValue(o, ok))
			if r.Target.Kind != kindOurs {
				continue
			}
			for i, peer := range peers(r.Target) {
				p, pok := rep.roundRow(peer, r.Scenario, round)
				ratios[i] = append(ratios[i], roundRatio(o, p, ok && pok))
			}
		}
		row := []string{r.Scenario.Title, r.Target.Name, strings.Join(vals, " · "), "", ""}
		for i := range ratios {
			if slices.ContainsFunc(ratios[i], func(s string) bool { return s != "—" }) {
				row[3+i] = strings.Join(ratios[i], " · ")
			}
		}
		out = append(out, row)
	}
	return out
}

// roundRow is t's row on sc in the given round; false if it failed or
// was not measured.
func (rep *report) roundRow(t target, sc scenario, round int) (result, bool) {
	for _, r := range rep.All {
		if r.Round == round && r.Target == t && r.Scenario.ID == sc.ID {
			return r, r.Failed == ""
		}
	}
	return result{}, false
}

func roundValue(r result, ok bool) string {
	switch {
	case !ok:
		return "—"
	case r.Scenario.Run == runStartup:
		return fmtDur(r.P50)
	case r.Scenario.Run == runRestart || r.Scenario.Run == runSwap:
		return fmtInt(r.Errors)
	}
	return fmtInt(int64(r.RPS + 0.5))
}

func roundRatio(ours, peer result, ok bool) string {
	value := ratioValue(ours.Scenario)
	if !ok || value(peer) <= 0 || (ours.Scenario.Run != runStartup && ours.Scenario.Run != runWrk) {
		return "—" // restart rows: errors by round, no ratio
	}
	return fmt.Sprintf("%.2f", value(ours)/value(peer))
}
