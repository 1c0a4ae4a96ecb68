package scoreboard

import "time"

// Summary is what server-status and the host's Watch report, counted the
// way Apache's mod_status counts.
type Summary struct {
	// Processes are the slots with a live child; Stopping those of them
	// that are quiescing.
	Processes, Stopping int
	// BusyWorkers, IdleWorkers and GracefulWorkers count the workers of
	// live, non-quiescing children: Ready workers of the running
	// generation are idle, Graceful ones graceful, and every state but
	// Dead, Starting and IdleKill busy.
	BusyWorkers, IdleWorkers, GracefulWorkers int
	// Accesses, Bytes and Duration add up every worker record, dead slots
	// included (a slot keeps its totals across children).
	Accesses, Bytes uint64
	Duration        time.Duration
	// Scoreboard has one character per worker record, except Dead records
	// beyond the limits in force (slot ≥ MaxDaemons or thread ≥
	// ThreadsPerChild), which Apache leaves out: MaxRequestWorkers
	// characters plus any live worker beyond.
	Scoreboard string
	// Pids of the live children, in slot order, as the board says: a child
	// can write any number there, so they are for reports, never for
	// signals (an MPM signals the pids it started).
	Pids []int
	// Conns adds up the children's connection counters.
	Conns Conns
}

// Summary counts the board.
func (b *Board) Summary() Summary {
	var s Summary
	lim := b.Global().Limits()
	gen := b.Global().Generation()
	maxDaemons, threads := lim.MaxDaemons, lim.ThreadsPerChild
	if maxDaemons <= 0 {
		maxDaemons = b.serverLimit
	}
	if threads <= 0 {
		threads = b.threadLimit
	}
	// The global record is in memory every child can write: its numbers
	// only steer the counting, and what is allocated is bounded by the
	// limits this Board was created or opened with, never by them.
	sb := make([]byte, 0, min(max(lim.MaxRequestWorkers, 16), b.serverLimit*b.threadLimit))
	for i := 0; i < b.serverLimit; i++ {
		p := b.Process(i)
		pid := p.Pid()
		live := pid != 0 && !p.Quiescing()
		if pid != 0 {
			s.Processes++
			s.Pids = append(s.Pids, pid)
			if p.Quiescing() {
				s.Stopping++
			}
			c := p.Conns()
			s.Conns.Total += c.Total
			s.Conns.WaitIO += c.WaitIO
			s.Conns.Writing += c.Writing
			s.Conns.KeepAlive += c.KeepAlive
			s.Conns.Closing += c.Closing
			s.Conns.Suspended += c.Suspended
		}
		for j := 0; j < b.threadLimit; j++ {
			w := b.Worker(i, j)
			st := w.Status()
			s.Accesses += w.r.accessCount.Load()
			s.Bytes += w.r.bytesServed.Load()
			s.Duration += time.Duration(w.r.duration.Load()) * time.Microsecond
			if st == Dead && (i >= maxDaemons || j >= threads) {
				continue
			}
			sb = append(sb, st.Char())
			if !live {
				continue
			}
			switch {
			case st == Ready:
				if w.Generation() == gen {
					s.IdleWorkers++
				}
			case st == Graceful:
				s.GracefulWorkers++
			case st.Busy():
				s.BusyWorkers++
			}
		}
	}
	s.Scoreboard = string(sb)
	return s
}
