// Package status is mod_status: the server-status handler, reading the
// shared scoreboard. It answers the HTML page and the machine-readable
// "?auto" form with Apache 2.4.71's field names, order and number formats,
// so that monitoring written for Apache (apachectl status, Prometheus's
// apache_exporter, collectd, Munin) reads it unchanged.
package status

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/aphtml"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/scoreboard"
)

// Handler serves server-status. Only GET and HEAD are answered (405 otherwise;
// package mpm declines the others to the default handler, as apache2's mod_status);
// HEAD gets GET's fields, the Content-Length too, without the body.
type Handler struct {
	Board    *scoreboard.Board
	MPM      string // "event", "worker", "prefork"
	Software string // ServerVersion, e.g. "Apache/2.4.71 (Unix) httpd-mpm"
	Built    string // Server Built
	// Extended is ExtendedStatus: the totals, CPU and per-worker table.
	Extended bool
	// Now, if set, replaces time.Now (tests).
	Now func() time.Time
}

const (
	kbyte = 1024
	mbyte = 1024 * 1024
	gbyte = 1024 * 1024 * 1024
	// clockTicks is sysconf(_SC_CLK_TCK) on Linux.
	clockTicks = 100
	lineWidth  = 64 // STATUS_MAXLINE
)

// report is everything a page shows, computed once per request.
type report struct {
	now, restart     time.Time
	uptime           int64 // seconds
	sum              scoreboard.Summary
	load             [3]float64
	cpu              cpuTimes // seconds, over live children
	durationMs       int64
	kbytes           uint64
	procs            []procRow
	limits           scoreboard.Limits
	serverName, via  string
	generation       int
	extended, async  bool
	software, mpm, b string
}

type cpuTimes struct{ user, sys, cuser, csys float64 }

func (c cpuTimes) total() float64 { return c.user + c.sys + c.cuser + c.csys }

type procRow struct {
	slot, pid            int
	stopping, oldGen     bool
	conns                scoreboard.Conns
	accepting            bool
	busy, graceful, idle int
	cpu                  cpuTimes // seconds
	workers              []scoreboard.WorkerInfo
	workerIdx            []int
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		http1.WriteError(w, r, http.StatusMethodNotAllowed, "")
		return
	}
	q := r.URL.RawQuery
	rep := h.collect(r)
	if strings.Contains(q, "refresh") {
		n := 10
		if _, v, ok := strings.Cut(q, "refresh="); ok {
			end := strings.IndexAny(v, "&;")
			if end < 0 {
				end = len(v)
			}
			if k, err := strconv.Atoi(v[:end]); err == nil && k >= 1 {
				n = k
			}
		}
		w.Header().Set("Refresh", strconv.Itoa(n))
	}
	var b bytes.Buffer
	if strings.Contains(q, "auto") {
		w.Header().Set("Content-Type", "text/plain; charset=ISO-8859-1")
		rep.writeAuto(&b)
	} else {
		w.Header().Set("Content-Type", "text/html; charset=ISO-8859-1")
		rep.writeHTML(&b, !strings.Contains(q, "notable"))
	}
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.Write(b.Bytes())
}

func (h *Handler) collect(r *http.Request) *report {
	now := time.Now()
	if h.Now != nil {
		now = h.Now()
	}
	g := h.Board.Global()
	rep := &report{
		now: now, restart: g.RestartTime(), sum: h.Board.Summary(), limits: g.Limits(),
		generation: g.Generation(), extended: h.Extended, software: h.Software, mpm: h.MPM, b: h.Built,
	}
	rep.async = rep.limits.Async
	rep.uptime = max(int64(now.Sub(rep.restart)/time.Second), 0)
	rep.durationMs = int64(rep.sum.Duration / time.Millisecond)
	rep.kbytes = rep.sum.Bytes >> 10
	rep.load = loadAvg()
	rep.serverName, _ = http1.ServerHostPort(r)
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		rep.via = a.String()
		if host, _, err := net.SplitHostPort(rep.via); err == nil {
			rep.via = host
		}
	}
	threads := max(rep.limits.ThreadsPerChild, 1)
	for i := 0; i < h.Board.ServerLimit(); i++ {
		ps := h.Board.Process(i)
		pid := ps.Pid()
		var row procRow
		if pid != 0 {
			row = procRow{slot: i, pid: pid, stopping: ps.Quiescing(), oldGen: ps.Generation() != rep.generation,
				conns: ps.Conns(), accepting: !ps.NotAccepting()}
			ct := procCPU(pid)
			rep.cpu.user += ct.user
			rep.cpu.sys += ct.sys
			rep.cpu.cuser += ct.cuser
			rep.cpu.csys += ct.csys
			row.cpu = ct
		}
		for j := 0; j < h.Board.ThreadLimit(); j++ {
			wi := h.Board.Worker(i, j).Info()
			if pid != 0 && j < threads {
				switch {
				case wi.Status == scoreboard.Ready:
					row.idle++
				case wi.Status == scoreboard.Graceful:
					row.graceful++
				case wi.Status.Busy():
					row.busy++
				}
			}
			if rep.extended && !(wi.Accesses == 0 && (wi.Status == scoreboard.Ready || wi.Status == scoreboard.Dead)) {
				row.workers = append(row.workers, wi)
				row.workerIdx = append(row.workerIdx, j)
			}
		}
		if pid != 0 || len(row.workers) > 0 {
			row.slot = i
			row.pid = pid
			rep.procs = append(rep.procs, row)
		}
	}
	return rep
}

// writeAuto is the "?auto" form: one "Key: value" per line.
func (rep *report) writeAuto(b *bytes.Buffer) {
	s := rep.sum
	fmt.Fprintf(b, "%s\n", rep.serverName)
	fmt.Fprintf(b, "ServerVersion: %s\n", rep.software)
	fmt.Fprintf(b, "ServerMPM: %s\n", rep.mpm)
	fmt.Fprintf(b, "Server Built: %s\n", rep.b)
	fmt.Fprintf(b, "CurrentTime: %s\n", htTime(rep.now))
	fmt.Fprintf(b, "RestartTime: %s\n", htTime(rep.restart))
	fmt.Fprintf(b, "ParentServerConfigGeneration: %d\n", 1)
	fmt.Fprintf(b, "ParentServerMPMGeneration: %d\n", rep.generation)
	fmt.Fprintf(b, "ServerUptimeSeconds: %d\n", rep.uptime)
	fmt.Fprintf(b, "ServerUptime:%s\n", showTime(rep.uptime))
	fmt.Fprintf(b, "Load1: %s\nLoad5: %s\nLoad15: %s\n", g(rep.load[0]), g(rep.load[1]), g(rep.load[2]))
	if rep.extended {
		fmt.Fprintf(b, "Total Accesses: %d\n", s.Accesses)
		fmt.Fprintf(b, "Total kBytes: %d\n", rep.kbytes)
		fmt.Fprintf(b, "Total Duration: %d\n", rep.durationMs)
		c := rep.cpu
		fmt.Fprintf(b, "CPUUser: %s\nCPUSystem: %s\nCPUChildrenUser: %s\nCPUChildrenSystem: %s\n", g(c.user), g(c.sys), g(c.cuser), g(c.csys))
		if c.total() != 0 && rep.uptime > 0 {
			fmt.Fprintf(b, "CPULoad: %s\n", g(c.total()/float64(rep.uptime)*100))
		}
		fmt.Fprintf(b, "Uptime: %d\n", rep.uptime)
		if rep.uptime > 0 {
			fmt.Fprintf(b, "ReqPerSec: %s\n", g(float64(s.Accesses)/float64(rep.uptime)))
			fmt.Fprintf(b, "BytesPerSec: %s\n", g(float64(kbyte*rep.kbytes)/float64(rep.uptime)))
		}
		if s.Accesses > 0 {
			fmt.Fprintf(b, "BytesPerReq: %s\n", g(float64(kbyte*rep.kbytes)/float64(s.Accesses)))
			fmt.Fprintf(b, "DurationPerReq: %s\n", g(float64(rep.durationMs)/float64(s.Accesses)))
		}
	}
	fmt.Fprintf(b, "BusyWorkers: %d\n", s.BusyWorkers)
	fmt.Fprintf(b, "GracefulWorkers: %d\n", s.GracefulWorkers)
	fmt.Fprintf(b, "IdleWorkers: %d\n", s.IdleWorkers)
	if rep.async {
		c := s.Conns
		fmt.Fprintf(b, "Processes: %d\n", s.Processes)
		fmt.Fprintf(b, "Stopping: %d\n", s.Stopping)
		fmt.Fprintf(b, "ConnsTotal: %d\n", c.Total)
		fmt.Fprintf(b, "ConnsAsyncWaitIO: %d\n", c.WaitIO)
		fmt.Fprintf(b, "ConnsAsyncWriting: %d\n", c.Writing)
		fmt.Fprintf(b, "ConnsAsyncKeepAlive: %d\n", c.KeepAlive)
		fmt.Fprintf(b, "ConnsAsyncClosing: %d\n", c.Closing)
	}
	fmt.Fprintf(b, "Scoreboard: %s\n", s.Scoreboard)
}

// writeHTML is the page a browser gets.
func (rep *report) writeHTML(b *bytes.Buffer, tables bool) {
	s := rep.sum
	b.WriteString("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>Apache Status</title>\n</head><body>\n")
	fmt.Fprintf(b, "<h1>Apache Server Status for %s (via %s)</h1>\n\n", esc(rep.serverName), esc(rep.via))
	fmt.Fprintf(b, "<dl><dt>Server Version: %s</dt>\n", esc(rep.software))
	fmt.Fprintf(b, "<dt>Server MPM: %s</dt>\n", esc(rep.mpm))
	fmt.Fprintf(b, "<dt>Server Built: %s\n</dt></dl><hr /><dl>\n", esc(rep.b))
	fmt.Fprintf(b, "<dt>Current Time: %s</dt>\n", htTime(rep.now))
	fmt.Fprintf(b, "<dt>Restart Time: %s</dt>\n", htTime(rep.restart))
	fmt.Fprintf(b, "<dt>Parent Server Config. Generation: %d</dt>\n", 1)
	fmt.Fprintf(b, "<dt>Parent Server MPM Generation: %d</dt>\n", rep.generation)
	fmt.Fprintf(b, "<dt>Server uptime: %s</dt>\n", showTime(rep.uptime))
	fmt.Fprintf(b, "<dt>Server load: %.2f %.2f %.2f</dt>\n", rep.load[0], rep.load[1], rep.load[2])
	if rep.extended {
		fmt.Fprintf(b, "<dt>Total accesses: %d - Total Traffic: %s - Total Duration: %d</dt>\n", s.Accesses, kbyteOut(rep.kbytes), rep.durationMs)
		c := rep.cpu
		fmt.Fprintf(b, "<dt>CPU Usage: u%s s%s cu%s cs%s", g(c.user), g(c.sys), g(c.cuser), g(c.csys))
		if c.total() != 0 && rep.uptime > 0 {
			fmt.Fprintf(b, " - %s%% CPU load</dt>\n", g3(c.total()/float64(rep.uptime)*100))
		} else {
			b.WriteString("</dt>\n")
		}
		b.WriteString("<dt>")
		if rep.uptime > 0 {
			fmt.Fprintf(b, "%s requests/sec - %s/second - ", g3(float64(s.Accesses)/float64(rep.uptime)), byteOut(float64(kbyte*rep.kbytes)/float64(rep.uptime)))
		}
		if s.Accesses > 0 {
			fmt.Fprintf(b, "%s/request - %s ms/request", byteOut(float64(kbyte*rep.kbytes)/float64(s.Accesses)), g(float64(rep.durationMs)/float64(s.Accesses)))
		}
		b.WriteString("</dt>\n")
	}
	fmt.Fprintf(b, "<dt>%d requests currently being processed, %d workers gracefully restarting, %d idle workers</dt>\n</dl>", s.BusyWorkers, s.GracefulWorkers, s.IdleWorkers)
	if rep.async {
		rep.writeProcessTable(b)
	}
	b.WriteString("<pre>")
	for i := 0; i < len(s.Scoreboard); i++ {
		b.WriteByte(s.Scoreboard[i])
		if (i+1)%lineWidth == 0 {
			b.WriteByte('\n')
		}
	}
	b.WriteString("</pre>\n")
	b.WriteString(scoreboardKey)
	if !rep.extended {
		b.WriteString("\n<hr />To obtain a full report with current status information you need to use the <code>ExtendedStatus On</code> directive.\n")
	} else if tables {
		rep.writeWorkerTable(b)
	} else {
		rep.writeWorkerDetails(b)
	}
	b.WriteString("</body></html>\n")
}

const scoreboardKey = `<p>Scoreboard Key:<br />
"<b><code>_</code></b>" Waiting for Connection, 
"<b><code>S</code></b>" Starting up, 
"<b><code>R</code></b>" Reading Request,<br />
"<b><code>W</code></b>" Sending Reply, 
"<b><code>K</code></b>" Keepalive (read), 
"<b><code>D</code></b>" DNS Lookup,<br />
"<b><code>C</code></b>" Closing connection, 
"<b><code>L</code></b>" Logging, 
"<b><code>G</code></b>" Gracefully finishing,<br /> 
"<b><code>I</code></b>" Idle cleanup of worker, 
"<b><code>.</code></b>" Open slot with no current process<br />
</p>
`

// writeProcessTable is event's table of child processes.
func (rep *report) writeProcessTable(b *bytes.Buffer) {
	b.WriteString("\n\n<table rules=\"all\" cellpadding=\"1%\">\n" +
		"<tr><th rowspan=\"2\">Slot</th><th rowspan=\"2\">PID</th><th rowspan=\"2\">Stopping</th><th colspan=\"2\">Connections</th>\n" +
		"<th colspan=\"3\">Threads</th><th colspan=\"4\">Async connections</th></tr>\n" +
		"<tr><th>total</th><th>accepting</th><th>busy</th><th>graceful</th><th>idle</th><th>wait-io</th><th>writing</th><th>keep-alive</th><th>closing</th></tr>\n")
	var sum procRow
	n, stopping := 0, 0
	for _, p := range rep.procs {
		if p.pid == 0 {
			continue
		}
		n++
		stop := "no"
		if p.stopping {
			stop = "yes"
			stopping++
		}
		if p.oldGen {
			stop += " (old gen)"
		}
		acc := "yes"
		if !p.accepting {
			acc = "no"
		}
		fmt.Fprintf(b, "<tr><td>%d</td><td>%d</td><td>%s</td><td>%d</td><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>\n",
			p.slot, p.pid, stop, p.conns.Total, acc, p.busy, p.graceful, p.idle, p.conns.WaitIO, p.conns.Writing, p.conns.KeepAlive, p.conns.Closing)
		sum.conns.Total += p.conns.Total
		sum.busy += p.busy
		sum.graceful += p.graceful
		sum.idle += p.idle
		sum.conns.WaitIO += p.conns.WaitIO
		sum.conns.Writing += p.conns.Writing
		sum.conns.KeepAlive += p.conns.KeepAlive
		sum.conns.Closing += p.conns.Closing
	}
	fmt.Fprintf(b, "<tr><td>Sum</td><td>%d</td><td>%d</td><td>%d</td><td>&nbsp;</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>\n</table>\n",
		n, stopping, sum.conns.Total, sum.busy, sum.graceful, sum.idle, sum.conns.WaitIO, sum.conns.Writing, sum.conns.KeepAlive, sum.conns.Closing)
}

// writeWorkerTable is the ExtendedStatus table: one row per worker that
// served something or is busy.
func (rep *report) writeWorkerTable(b *bytes.Buffer) {
	b.WriteString("\n\n<table border=\"0\"><tr><th>Srv</th><th>PID</th><th>Acc</th><th>M</th><th>CPU\n</th><th>SS</th><th>Req</th><th>Dur</th><th>Conn</th><th>Child</th><th>Slot</th><th>Client</th><th>Protocol</th><th>VHost</th><th>Request</th></tr>\n\n")
	for _, p := range rep.procs {
		for _, w := range p.workers {
			mode := string(w.Status.Char())
			switch w.Status {
			case scoreboard.Ready, scoreboard.Dead, scoreboard.Graceful, scoreboard.IdleKill:
			default:
				mode = "<b>" + mode + "</b>"
			}
			ss, req := rep.lastRequest(w)
			fmt.Fprintf(b, "<tr><td><b>%d-%d</b></td><td>%d</td><td>%d/%d/%d</td><td>%s\n</td><td>%.2f</td><td>%d</td><td>%d</td><td>%d</td><td>%.1f</td><td>%.2f</td><td>%.2f\n</td><td>%s</td><td>%s</td><td nowrap>%s</td><td nowrap>%s</td></tr>\n\n",
				p.slot, w.Generation, p.pid, w.ConnAccesses, w.MyAccesses, w.Accesses, mode, p.cpu.total(), ss, req, w.Duration/time.Millisecond,
				float64(w.ConnBytes)/kbyte, float64(w.MyBytes)/mbyte, float64(w.Bytes)/mbyte,
				esc(w.Client), esc(w.Prot), esc(w.VHost), esc(w.Request))
		}
	}
	b.WriteString("</table>\n <hr /> <table>\n" +
		" <tr><th>Srv</th><td>Child Server number - generation</td></tr>\n" +
		" <tr><th>PID</th><td>OS process ID</td></tr>\n" +
		" <tr><th>Acc</th><td>Number of accesses this connection / this child / this slot</td></tr>\n" +
		" <tr><th>M</th><td>Mode of operation</td></tr>\n" +
		"<tr><th>CPU</th><td>CPU usage, number of seconds</td></tr>\n" +
		"<tr><th>SS</th><td>Seconds since beginning of most recent request</td></tr>\n" +
		" <tr><th>Req</th><td>Milliseconds required to process most recent request</td></tr>\n" +
		" <tr><th>Dur</th><td>Sum of milliseconds required to process all requests</td></tr>\n" +
		" <tr><th>Conn</th><td>Kilobytes transferred this connection</td></tr>\n" +
		" <tr><th>Child</th><td>Megabytes transferred this child</td></tr>\n" +
		" <tr><th>Slot</th><td>Total megabytes transferred this slot</td></tr>\n" +
		" </table>\n")
}

// lastRequest is a worker's SS and Req: the seconds since its most recent
// request began and the milliseconds that request took.
func (rep *report) lastRequest(w scoreboard.WorkerInfo) (ss, req int64) {
	if !w.LastUsed.IsZero() {
		ss = int64(rep.now.Sub(w.LastUsed) / time.Second)
	}
	if w.Stop.After(w.Start) {
		req = int64(w.Stop.Sub(w.Start) / time.Millisecond)
	}
	return ss, req
}

// stateNames are the workers' states as the ?notable form names them.
var stateNames = [...]string{
	scoreboard.Dead: "Dead", scoreboard.Starting: "Starting", scoreboard.Ready: "Ready",
	scoreboard.BusyRead: "<b>Read</b>", scoreboard.BusyWrite: "<b>Write</b>",
	scoreboard.BusyKeepalive: "<b>Keepalive</b>", scoreboard.BusyLog: "<b>Logging</b>",
	scoreboard.BusyDNS: "<b>DNS lookup</b>", scoreboard.Closing: "<b>Closing</b>",
	scoreboard.Graceful: "Graceful", scoreboard.IdleKill: "Dying",
}

// writeWorkerDetails is the ExtendedStatus part of the "?notable" form:
// the worker table's rows as text, one paragraph per worker.
func (rep *report) writeWorkerDetails(b *bytes.Buffer) {
	b.WriteString("<hr /><h2>Server Details</h2>\n\n")
	for _, p := range rep.procs {
		for _, w := range p.workers {
			pid := "-"
			if w.Status != scoreboard.Dead {
				pid = strconv.Itoa(p.pid)
			}
			state := "?STATE?"
			if int(w.Status) < len(stateNames) {
				state = stateNames[w.Status]
			}
			ss, req := rep.lastRequest(w)
			fmt.Fprintf(b, "<b>Server %d-%d</b> (%s): %d|%d|%d [%s] u%s s%s cu%s cs%s\n %d %d %d(%s|%s|%s)\n <i>%s {%s}</i> <i>(%s)</i> <b>[%s]</b><br />\n\n",
				p.slot, w.Generation, pid, w.ConnAccesses, w.MyAccesses, w.Accesses, state,
				g(p.cpu.user), g(p.cpu.sys), g(p.cpu.cuser), g(p.cpu.csys), ss, req, w.Duration/time.Millisecond,
				byteOut(float64(w.ConnBytes)), byteOut(float64(w.MyBytes)), byteOut(float64(w.Bytes)),
				esc(w.Client), esc(w.Request), esc(w.Prot), esc(w.VHost))
		}
	}
}

// htTime is "%A, %d-%b-%Y %H:%M:%S %Z" in local time, as ap_ht_time.
func htTime(t time.Time) string { return t.Local().Format("Monday, 02-Jan-2006 15:04:05 MST") }

// showTime is mod_status's show_time: " N days N hours …", zero parts left out.
func showTime(secs int64) string {
	var b strings.Builder
	part := func(n int64, unit string) {
		if n == 0 {
			return
		}
		fmt.Fprintf(&b, " %d %s", n, unit)
		if n != 1 {
			b.WriteByte('s')
		}
	}
	part(secs/86400, "day")
	part(secs/3600%24, "hour")
	part(secs/60%60, "minute")
	part(secs%60, "second")
	return b.String()
}

// g is APR's "%g": six significant digits, no trailing zeros, and no
// leading zero before the point (".5").
func g(f float64) string { return aprFloat(strconv.FormatFloat(f, 'g', 6, 64)) }

// g3 is APR's "%.3g".
func g3(f float64) string { return aprFloat(strconv.FormatFloat(f, 'g', 3, 64)) }

func aprFloat(s string) string {
	if strings.HasPrefix(s, "0.") {
		return s[1:]
	}
	if strings.HasPrefix(s, "-0.") {
		return "-" + s[2:]
	}
	return s
}

// byteOut is mod_status's format_byte_out.
func byteOut(bytes float64) string {
	switch {
	case bytes < 5*kbyte:
		return fmt.Sprintf("%d B", int64(bytes))
	case bytes < mbyte/2:
		return fmt.Sprintf("%.1f kB", bytes/kbyte)
	case bytes < gbyte/2:
		return fmt.Sprintf("%.1f MB", bytes/mbyte)
	}
	return fmt.Sprintf("%.1f GB", bytes/gbyte)
}

// kbyteOut is mod_status's format_kbyte_out.
func kbyteOut(kb uint64) string {
	switch {
	case kb < kbyte:
		return fmt.Sprintf("%d kB", kb)
	case kb < mbyte:
		return fmt.Sprintf("%.1f MB", float64(kb)/kbyte)
	}
	return fmt.Sprintf("%.1f GB", float64(kb)/mbyte)
}

// esc is apache2's ap_escape_html.
var esc = aphtml.Escape

// loadAvg reads /proc/loadavg (zeros where there is none).
func loadAvg() [3]float64 {
	var l [3]float64
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return l
	}
	f := strings.Fields(string(b))
	for i := 0; i < 3 && i < len(f); i++ {
		l[i], _ = strconv.ParseFloat(f[i], 64)
	}
	return l
}

// procCPU reads a process's CPU times (utime, stime, cutime, cstime).
func procCPU(pid int) cpuTimes {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return cpuTimes{}
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	i := strings.LastIndexByte(line, ')')
	if i < 0 {
		return cpuTimes{}
	}
	fields := strings.Fields(line[i+1:])
	// After the command: state ppid … utime is field 14 of the full line,
	// that is index 11 here.
	if len(fields) < 15 {
		return cpuTimes{}
	}
	tick := func(s string) float64 { n, _ := strconv.ParseFloat(s, 64); return n / clockTicks }
	return cpuTimes{user: tick(fields[11]), sys: tick(fields[12]), cuser: tick(fields[13]), csys: tick(fields[14])}
}
