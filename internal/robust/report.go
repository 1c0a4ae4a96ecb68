//go:build linux

package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"
)

// table prints the rows, then each row's bounds and notes.
func table(rows []row, took time.Duration) string {
	head := []string{"#", "scenario", "MPM", "good ok", "failed", "refused", "recovery", "worst", "memory base→peak", "result"}
	cells := [][]string{head}
	pass := 0
	for i, r := range rows {
		rec := "—"
		switch {
		case r.hasRecovery:
			rec = fmtDur(r.recovery)
		case r.never:
			rec = "never"
		}
		cells = append(cells, []string{
			fmt.Sprint(i + 1), r.title, r.mpm, fmt.Sprint(r.ok), fmt.Sprint(r.failed), fmt.Sprint(r.refused),
			rec, fmtDur(r.worst), fmtMiB(r.memBase) + "→" + fmtMiB(r.memPeak), r.verdict(),
		})
		if r.pass {
			pass++
		}
	}
	width := make([]int, len(head))
	for _, c := range cells {
		for j, v := range c {
			width[j] = max(width[j], utf8.RuneCountInString(v))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nhttpd-mpm robustness: %d rows, %d within bound, %d out (%s, %d CPUs, %s)\n",
		len(rows), pass, len(rows)-pass, took.Round(time.Second), runtime.NumCPU(), time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "good load: %d clients on new connections + %d keep-alive clients, GET /hello.txt, %s pause; server Timeout %s, KeepAliveTimeout %s, MaxRequestWorkers %d\n\n",
		freshClients, keepAliveClients, clientPause, serverTimeout, keepAliveTimeout, capacity)
	for i, c := range cells {
		for j, v := range c {
			pad := strings.Repeat(" ", width[j]-utf8.RuneCountInString(v))
			if j >= 3 && j <= 7 { // numbers right-aligned
				b.WriteString(pad + v)
			} else {
				b.WriteString(v + pad)
			}
			if j < len(c)-1 {
				b.WriteString("  ")
			}
		}
		b.WriteByte('\n')
		if i == 0 {
			for j := range c {
				b.WriteString(strings.Repeat("-", width[j]))
				if j < len(c)-1 {
					b.WriteString("  ")
				}
			}
			b.WriteByte('\n')
		}
	}
	b.WriteString("\ngood ok / failed / refused: the good clients' requests answered as expected, failed otherwise, refused at connect.\n" +
		"recovery: from the fault (or the attack's end) to the first good request started after it that succeeded.\n" +
		"worst: the slowest good request. memory: resident size of the whole process tree (host, MPM parent, children), at the start → peak.\n")
	b.WriteString("\nbounds and figures:\n")
	for i, r := range rows {
		fmt.Fprintf(&b, "%2d %s (%s): %s — %s\n", i+1, r.title, r.mpm, r.verdict(), strings.Join(r.bounds, ", "))
		for _, n := range r.notes {
			fmt.Fprintf(&b, "     %s\n", n)
		}
		for _, w := range r.why {
			fmt.Fprintf(&b, "     FAIL: %s\n", w)
		}
	}
	return b.String()
}

func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	default:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
}

func fmtMiB(n int64) string { return fmt.Sprintf("%.0fMiB", float64(n)/(1<<20)) }
