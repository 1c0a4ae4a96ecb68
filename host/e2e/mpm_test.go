package e2e_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// statusLocation turns on mod_status at /server-status.
const statusLocation = `
<Location /server-status>
    SetHandler server-status
</Location>
`

// autoStatus is a parsed server-status?auto: the first line, then the
// keys in order and their values.
type autoStatus struct {
	host   string
	keys   []string
	values map[string]string
}

func (a autoStatus) int(key string) int {
	n, err := strconv.Atoi(a.values[key])
	if err != nil {
		return -1
	}
	return n
}

// auto fetches and parses server-status?auto.
func (in *instance) auto() autoStatus {
	in.t.Helper()
	resp, body := in.get("/server-status?auto", "Connection", "close")
	if resp.StatusCode != 200 {
		in.t.Fatalf("server-status?auto: %d\n%s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=ISO-8859-1" {
		in.t.Errorf("server-status?auto Content-Type %q", ct)
	}
	a := autoStatus{values: map[string]string{}}
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for first := true; sc.Scan(); first = false {
		if first {
			a.host = sc.Text()
			continue
		}
		k, v, ok := strings.Cut(sc.Text(), ": ")
		if !ok {
			k, v = strings.TrimSuffix(sc.Text(), ":"), ""
		}
		a.keys = append(a.keys, k)
		a.values[k] = v
	}
	return a
}

// holdWorker opens a connection and sends half a request head, which
// keeps one worker (a whole prefork child) reading until it is closed.
func holdWorker(t *testing.T, in *instance) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", in.addr)
	must(t, err)
	fmt.Fprintf(c, "GET /hello.txt HTTP/1.1\r\nHost: x\r\n")
	return c
}

// mpmSite is a site for one MPM with small spare bounds, so that load
// makes a visible difference: prefork keeps 2..3 idle children, worker
// and event 2..5 idle threads of 2-thread children; at most 10 workers.
func mpmSite(t *testing.T, name, module, extra string) string {
	tuned := map[string]string{
		"prefork": "StartServers 1\nMinSpareServers 2\nMaxSpareServers 3\nMaxRequestWorkers 10\n",
		"worker":  "StartServers 1\nThreadsPerChild 2\nMinSpareThreads 2\nMaxSpareThreads 5\nMaxRequestWorkers 10\n",
		"event":   "StartServers 1\nThreadsPerChild 2\nMinSpareThreads 2\nMaxSpareThreads 5\nMaxRequestWorkers 10\n",
	}[name]
	return newSite(t, name, module, tuned+statusLocation+extra)
}

// waitFor polls cond (bounded) and fails with what it last saw.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() (bool, string)) {
	t.Helper()
	var last string
	ok := eventually(limit, func() bool {
		var done bool
		done, last = cond()
		return done
	})
	if !ok {
		t.Fatalf("%s: not reached within %s; last seen: %s", what, limit, last)
	}
}

// TestSpareServersConverge: the number of processes and idle workers
// follows load as Apache's maintenance does: up while fewer than MinSpare
// are idle, down one child per second while more than MaxSpare are idle.
func TestSpareServersConverge(t *testing.T) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			in := start(t, mpmSite(t, m.Name, m.Module, ""))
			plugin := in.pluginPid()
			threads := 2
			minIdle, maxIdle := 2, 5
			if m.Name == "prefork" {
				threads, maxIdle = 1, 3
			}
			// Looking is load too: the status request holds a worker
			// ('W'), which counts as idle here since it is free right
			// after, but maintenance may run while it is busy and then
			// keep one child more than it would unobserved.
			state := func() (kids, idle, reading int, sb string) {
				time.Sleep(200 * time.Millisecond)
				sb = in.auto().values["Scoreboard"]
				return len(children(plugin)), strings.Count(sb, "_") + 1, strings.Count(sb, "R"), sb
			}
			inRange := func(kids, lo, hi, idle int) bool {
				return kids >= lo && kids <= hi && idle >= minIdle && idle <= maxIdle
			}
			// At rest: StartServers 1, grown to MinSpare idle.
			restKids := map[string]int{"prefork": 2, "worker": 1, "event": 1}[m.Name]
			waitFor(t, "start", 20*time.Second, func() (bool, string) {
				kids, idle, _, sb := state()
				return inRange(kids, restKids, restKids+1, idle), fmt.Sprintf("%d children, %q", kids, sb)
			})

			// Load: 4 workers busy. Children are added until MinSpare are
			// idle again, and never past MaxRequestWorkers.
			var held []net.Conn
			for range 4 {
				held = append(held, holdWorker(t, in))
			}
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			waitFor(t, "grow under load", 40*time.Second, func() (bool, string) {
				kids, idle, reading, sb := state()
				return reading == 4 && inRange(kids, 1, 10/threads, idle), fmt.Sprintf("%d children, %q", kids, sb)
			})

			// Load gone: one child retired per pass until at most
			// MaxSpare are idle.
			for _, c := range held {
				c.Close()
			}
			held = nil
			wantKids := map[string]int{"prefork": 3, "worker": 2, "event": 2}[m.Name]
			waitFor(t, "shrink after load", 40*time.Second, func() (bool, string) {
				kids, idle, reading, sb := state()
				return reading == 0 && inRange(kids, wantKids, wantKids+1, idle), fmt.Sprintf("%d children, %q", kids, sb)
			})
		})
	}
}

// TestMaxConnectionsPerChild: a child ends after that many connections
// and the parent starts others: the child pids change, no request fails.
func TestMaxConnectionsPerChild(t *testing.T) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			in := start(t, newSite(t, m.Name, m.Module, "MaxConnectionsPerChild 3"))
			plugin := in.pluginPid()
			var first []int
			eventually(10*time.Second, func() bool { first = children(plugin); return len(first) > 0 })
			for i := range 30 {
				resp, body := in.get("/hello.txt", "Connection", "close")
				if resp.StatusCode != 200 || body != "hello, world\n" {
					t.Fatalf("request %d: %d %q", i, resp.StatusCode, body)
				}
			}
			waitFor(t, "children replaced", 20*time.Second, func() (bool, string) {
				now := children(plugin)
				for _, p := range first {
					if alive(p) {
						return false, fmt.Sprintf("first children %v, now %v", first, now)
					}
				}
				return len(now) > 0, fmt.Sprintf("first children %v, now %v", first, now)
			})
			if resp, _ := in.get("/hello.txt", "Connection", "close"); resp.StatusCode != 200 {
				t.Errorf("after recycling: %d", resp.StatusCode)
			}
		})
	}
}

// TestMaxRequestWorkersCaps: with every worker busy no child is added,
// the next connection waits, and the error log says so once with the
// MPM's AH code.
func TestMaxRequestWorkersCaps(t *testing.T) {
	workers := map[string]int{"prefork": 3, "worker": 8, "event": 8} // from siteConfig
	codes := map[string]string{"prefork": "AH00161", "worker": "AH00286", "event": "AH00484"}
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			root := newSite(t, m.Name, m.Module, "")
			in := start(t, root)
			plugin := in.pluginPid()
			var held []net.Conn
			for range workers[m.Name] {
				held = append(held, holdWorker(t, in))
			}
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			line := fmt.Sprintf("%s: server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting", codes[m.Name])
			waitFor(t, "MaxRequestWorkers logged", 20*time.Second, func() (bool, string) {
				b, _ := os.ReadFile(filepath.Join(root, "logs/error_log"))
				return strings.Contains(string(b), line), string(b)
			})
			maxKids := map[string]int{"prefork": 3, "worker": 2, "event": 2}[m.Name]
			if kids := children(plugin); len(kids) > maxKids {
				t.Errorf("%d children with MaxRequestWorkers %d", len(kids), workers[m.Name])
			}
			c, err := net.Dial("tcp", in.addr)
			must(t, err)
			defer c.Close()
			fmt.Fprintf(c, "GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
			if n, _ := c.Read(make([]byte, 1)); n != 0 {
				t.Errorf("a connection beyond MaxRequestWorkers was answered while all %d workers were busy", workers[m.Name])
			}
			held[0].Close()
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			status, err := bufio.NewReader(c).ReadString('\n')
			if err != nil || !strings.Contains(status, "200") {
				t.Errorf("after a worker was freed: %q %v", status, err)
			}
			b, _ := os.ReadFile(filepath.Join(root, "logs/error_log"))
			if n := strings.Count(string(b), line); n != 1 {
				t.Errorf("MaxRequestWorkers logged %d times, want once", n)
			}
		})
	}
}

// autoKeys are the lines of Apache 2.4.71's ?auto, in order (captured
// from apache2 with ExtendedStatus on); the Processes..ConnsAsyncClosing
// block is event's only. CPULoad, BytesPerReq and DurationPerReq appear
// only when there is something to divide.
var autoKeys = []string{"ServerVersion", "ServerMPM", "Server Built", "CurrentTime", "RestartTime",
	"ParentServerConfigGeneration", "ParentServerMPMGeneration", "ServerUptimeSeconds", "ServerUptime",
	"Load1", "Load5", "Load15", "Total Accesses", "Total kBytes", "Total Duration",
	"CPUUser", "CPUSystem", "CPUChildrenUser", "CPUChildrenSystem", "CPULoad", "Uptime", "ReqPerSec", "BytesPerSec",
	"BytesPerReq", "DurationPerReq", "BusyWorkers", "GracefulWorkers", "IdleWorkers",
	"Processes", "Stopping", "ConnsTotal", "ConnsAsyncWaitIO", "ConnsAsyncWriting", "ConnsAsyncKeepAlive", "ConnsAsyncClosing",
	"Scoreboard"}

// TestServerStatusAuto: ?auto has Apache's fields in Apache's order, its
// counters add up to the requests sent, and the scoreboard is as long as
// MaxRequestWorkers.
func TestServerStatusAuto(t *testing.T) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			in := start(t, newSite(t, m.Name, m.Module, statusLocation))
			before := in.auto()
			const n = 40
			for i := range n {
				if resp, _ := in.get("/hello.txt", "Connection", "close"); resp.StatusCode != 200 {
					t.Fatalf("request %d: %d", i, resp.StatusCode)
				}
			}
			if resp, _ := in.get("/big.bin", "Connection", "close"); resp.StatusCode != 200 {
				t.Fatal("big.bin")
			}
			after := in.auto()
			// The first status request, n small files and big.bin.
			if got := after.int("Total Accesses") - before.int("Total Accesses"); got != n+2 {
				t.Errorf("Total Accesses went from %d to %d, want +%d", before.int("Total Accesses"), after.int("Total Accesses"), n+2)
			}
			if kb := after.int("Total kBytes"); kb < 1024 {
				t.Errorf("Total kBytes %d after a 1 MiB download", kb)
			}
			if after.host != "127.0.0.1" || after.values["ServerMPM"] != m.Name || !strings.HasPrefix(after.values["ServerVersion"], "httpd-mpm/") {
				t.Errorf("host %q, ServerMPM %q, ServerVersion %q", after.host, after.values["ServerMPM"], after.values["ServerVersion"])
			}
			want := map[string]int{"prefork": 3, "worker": 8, "event": 8}[m.Name]
			if sb := after.values["Scoreboard"]; len(sb) != want || strings.Trim(sb, "_SRWKDCLGI.") != "" {
				t.Errorf("Scoreboard %q, want %d characters", sb, want)
			}
			if after.int("BusyWorkers") < 1 || after.int("BusyWorkers")+after.int("IdleWorkers") > want {
				t.Errorf("BusyWorkers %d, IdleWorkers %d", after.int("BusyWorkers"), after.int("IdleWorkers"))
			}
			// Order: the keys present follow Apache's order.
			j := 0
			for _, k := range after.keys {
				for j < len(autoKeys) && autoKeys[j] != k {
					j++
				}
				if j == len(autoKeys) {
					t.Fatalf("key %q unknown or out of Apache's order: %q", k, after.keys)
				}
			}
			_, async := after.values["ConnsTotal"]
			if async != (m.Name == "event") {
				t.Errorf("async block present=%v for %s", async, m.Name)
			}
			for _, k := range []string{"Total Accesses", "BytesPerReq", "DurationPerReq", "IdleWorkers", "Scoreboard"} {
				if _, ok := after.values[k]; !ok {
					t.Errorf("no %s line", k)
				}
			}
			// The HTML page.
			resp, body := in.get("/server-status", "Connection", "close")
			if resp.StatusCode != 200 || !strings.Contains(body, "<title>Apache Status</title>") || !strings.Contains(body, "Server MPM: "+m.Name) ||
				!strings.Contains(body, "GET /server-status HTTP/1.1") {
				// The request being answered is always in the table (a
				// worker's last /hello.txt may have been replaced by the
				// ?auto requests since).
				t.Errorf("HTML status %d:\n%s", resp.StatusCode, body)
			}
		})
	}
}

// TestApacheExporter: Debian's prometheus-apache-exporter reads our
// server-status?auto like Apache's.
func TestApacheExporter(t *testing.T) {
	exporter, err := exec.LookPath("prometheus-apache-exporter")
	if err != nil {
		t.Fatalf("prometheus-apache-exporter not installed (make test-deps installs it): %v", err)
	}
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			in := start(t, newSite(t, m.Name, m.Module, statusLocation))
			for range 5 {
				in.get("/hello.txt", "Connection", "close")
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			must(t, err)
			addr := ln.Addr().String()
			ln.Close()
			cmd := exec.Command(exporter, "--scrape_uri=http://"+in.addr+"/server-status?auto", "--telemetry.address="+addr)
			must(t, cmd.Start())
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
			var metrics string
			waitFor(t, "exporter metrics", 20*time.Second, func() (bool, string) {
				resp, err := http.Get("http://" + addr + "/metrics")
				if err != nil {
					return false, err.Error()
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				metrics = string(b)
				return strings.Contains(metrics, "apache_up 1"), metrics
			})
			for _, want := range []string{
				`apache_info{mpm="` + m.Name + `",version="httpd-mpm/`,
				`apache_workers{state="idle"}`, `apache_workers{state="busy"}`,
				`apache_scoreboard{state="idle"}`, `apache_scoreboard{state="reply"}`,
				"apache_accesses_total ", "apache_uptime_seconds_total ",
			} {
				if !strings.Contains(metrics, want) {
					t.Errorf("no %s in the exporter's metrics:\n%s", want, metrics)
				}
			}
			if m.Name == "event" && !strings.Contains(metrics, `apache_processes{state="all"} 2`) {
				t.Errorf("event: want 2 processes in the metrics:\n%s", metrics)
			}
		})
	}
}

// TestUserGroup: as root the children drop to User/Group, the MPM parent
// stays root, and pages are still served.
func TestUserGroup(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to change user")
	}
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			root := newSite(t, m.Name, m.Module, "User nobody\nGroup #65534\n")
			// nobody must reach the document root.
			reachableByNobody(t, root)
			in := start(t, root)
			plugin := in.pluginPid()
			var kids []int
			if !eventually(10*time.Second, func() bool { kids = children(plugin); return len(kids) > 0 }) {
				t.Fatal("no child started")
			}
			if uid := procUID(plugin); uid != 0 {
				t.Errorf("MPM parent runs as uid %d, want root", uid)
			}
			// A child is root from its fork until it drops to User in its
			// first package init (seen under load): each must come to run
			// as nobody.
			var wrong string
			if !eventually(10*time.Second, func() bool {
				wrong = ""
				for _, k := range children(plugin) {
					if uid := procUID(k); uid != 65534 && uid != -1 { // -1: gone
						wrong = fmt.Sprintf("child %d runs as uid %d", k, uid)
					}
				}
				return wrong == ""
			}) {
				t.Errorf("%s, want nobody (65534)", wrong)
			}
			if resp, body := in.get("/hello.txt", "Connection", "close"); resp.StatusCode != 200 || body != "hello, world\n" {
				t.Errorf("as nobody: %d %q", resp.StatusCode, body)
			}
		})
	}
}

// A SIGTERM that reaches a child while it starts ends it: the MPM parent
// catches SIGTERM rather than ignore it, as an ignored signal stays ignored
// in the processes it executes (a stop right after a start waited for the
// SIGKILL, 3 s later, of a child that was starting).
func TestPluginDoesNotIgnoreSIGTERM(t *testing.T) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			in := start(t, newSite(t, m.Name, m.Module, ""))
			plugin := in.pluginPid()
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", plugin))
			must(t, err)
			var ign uint64
			for _, l := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(l, "SigIgn:"); ok {
					ign, err = strconv.ParseUint(strings.TrimSpace(v), 16, 64)
					must(t, err)
				}
			}
			if ign&(1<<(15-1)) != 0 { // SIGTERM is 15
				t.Errorf("the MPM parent (pid %d) ignores SIGTERM (SigIgn %x): its children start with it ignored", plugin, ign)
			}
			if ign&(1<<(1-1)) == 0 { // SIGHUP: still the host's business
				t.Errorf("the MPM parent (pid %d) does not ignore SIGHUP (SigIgn %x)", plugin, ign)
			}
		})
	}
}

// procUID is the real uid of a process.
func procUID(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Uid:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				n, _ := strconv.Atoi(f[0])
				return n
			}
		}
	}
	return -1
}
