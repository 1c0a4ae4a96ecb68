// Package e2e_test runs the real httpd with the real MPM plugins on
// 127.0.0.1 port 0 and talks to it with real clients. Every MPM runs the
// same body.
package e2e_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// forEachMPM runs body once per built-in MPM, each on its own server.
func forEachMPM(t *testing.T, body func(t *testing.T, in *instance, mpmName string)) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			root := newSite(t, m.Name, m.Module, "")
			body(t, start(t, root), m.Name)
		})
	}
}

func TestServeStatic(t *testing.T) {
	forEachMPM(t, func(t *testing.T, in *instance, _ string) { serveStatic(t, in) })
}

// serveStatic is the body of TestServeStatic: index, files, validators,
// errors and redirects from newSite's document tree.
func serveStatic(t *testing.T, in *instance) {
	t.Helper()
	resp, body := in.get("/")
	if resp.StatusCode != 200 || !strings.Contains(body, "index page") {
		t.Fatalf("GET / = %d %q", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("GET / Content-Type = %q, want text/html", ct)
	}
	resp, body = in.get("/hello.txt")
	if resp.StatusCode != 200 || body != "hello, world\n" {
		t.Fatalf("GET /hello.txt = %d %q", resp.StatusCode, body)
	}
	if cl := resp.Header.Get("Content-Length"); cl != "13" {
		t.Errorf("Content-Length = %q, want 13", cl)
	}
	lm := resp.Header.Get("Last-Modified")
	if lm == "" {
		t.Fatal("no Last-Modified")
	}
	if resp, _ := in.get("/hello.txt", "If-Modified-Since", lm); resp.StatusCode != 304 {
		t.Errorf("If-Modified-Since: status %d, want 304", resp.StatusCode)
	}
	if resp, body := in.get("/missing.html"); resp.StatusCode != 404 || !strings.Contains(body, "<title>404 Not Found</title>") {
		t.Errorf("missing = %d %q", resp.StatusCode, body)
	}
	if resp, _ := in.get("/noindex/"); resp.StatusCode != 403 {
		t.Errorf("directory without index = %d, want 403", resp.StatusCode)
	}
	if resp, _ := in.get("/sub"); resp.StatusCode != 301 || !strings.HasSuffix(resp.Header.Get("Location"), "/sub/") {
		t.Errorf("/sub = %d Location %q, want 301 to /sub/", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := in.get("/sub/"); resp.StatusCode != 200 || body != "sub index\n" {
		t.Errorf("/sub/ = %d %q", resp.StatusCode, body)
	}
	resp, body = in.get("/big.bin")
	if resp.StatusCode != 200 || len(body) != 1<<20 {
		t.Errorf("big.bin = %d, %d bytes", resp.StatusCode, len(body))
	}
}

func TestHostileRequests(t *testing.T) {
	forEachMPM(t, func(t *testing.T, in *instance, _ string) {
		cases := []struct{ req, status string }{
			{"GET /../../../../etc/passwd HTTP/1.0\r\n\r\n", " 400 "},
			{"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.0\r\n\r\n", " 40"},
			{"GET / HTTP/1.1\r\n\r\n", " 400 "}, // no Host
			{"DELETE /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", " 405 "},
			{"GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", " 414 "},
			{"BLAH\r\n\r\n", " 400 "},
		}
		for _, c := range cases {
			out := in.raw(c.req)
			line, _, _ := strings.Cut(out, "\r\n")
			if !strings.Contains(line, c.status) {
				t.Errorf("%.40q: status line %q, want %q", c.req, line, c.status)
			}
			if strings.Contains(out, "root:") {
				t.Errorf("%.40q escaped DocumentRoot", c.req)
			}
		}
	})
}

func TestKeepAlive(t *testing.T) {
	forEachMPM(t, func(t *testing.T, in *instance, _ string) {
		tr := &http.Transport{MaxIdleConnsPerHost: 1}
		defer tr.CloseIdleConnections()
		c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		reused := 0
		for i := 0; i < 10; i++ {
			req, _ := http.NewRequest("GET", in.url("/hello.txt"), nil)
			req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
				GotConn: func(info httptrace.GotConnInfo) {
					if info.Reused {
						reused++
					}
				},
			}))
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 64)
			n, _ := resp.Body.Read(buf)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(buf[:n]) != "hello, world\n" {
				t.Fatalf("request %d: %d %q", i, resp.StatusCode, buf[:n])
			}
		}
		if reused != 9 {
			t.Errorf("%d of 9 follow-up requests reused the connection", reused)
		}
		// Pipelined requests are answered in order on one connection.
		out := in.raw("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /sub/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if i, j := strings.Index(out, "hello, world"), strings.Index(out, "sub index"); i < 0 || j < i {
			t.Errorf("pipelined answers out of order or missing:\n%s", out)
		}
	})
}

// TestRealClients drives the server with curl and ab.
func TestRealClients(t *testing.T) {
	for _, tool := range []string{"curl", "ab"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed (make test-deps installs it): %v", tool, err)
		}
	}
	forEachMPM(t, func(t *testing.T, in *instance, _ string) {
		out, err := exec.Command("curl", "-sS", "-i", in.url("/")).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "HTTP/1.1 200 OK") || !strings.Contains(string(out), "index page") {
			t.Fatalf("curl: %v\n%s", err, out)
		}
		out, err = exec.Command("curl", "-sS", "-I", in.url("/hello.txt")).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Content-Length: 13") {
			t.Fatalf("curl -I: %v\n%s", err, out)
		}
		// With keep-alive each connection holds a worker (prefork: a whole
		// child) until it ends, so ab's concurrency stays within the
		// smallest pool (prefork's 3 children); as with Apache, more
		// keep-alive clients than workers make ab count "Length" failures
		// for connections that wait out KeepAliveTimeout.
		for _, args := range [][]string{{"-k", "-c", "3"}, {"-c", "16"}} {
			args = append(args, "-n", "2000", "-s", "20", in.url("/hello.txt"))
			out, err = exec.Command("ab", args...).CombinedOutput()
			if err != nil {
				t.Fatalf("ab %v: %v\n%s", args, err, out)
			}
			for _, want := range []string{"Complete requests:      2000", "Failed requests:        0"} {
				if !strings.Contains(string(out), want) {
					t.Errorf("ab %v: no %q in\n%s", args, want, out)
				}
			}
			if strings.Contains(string(out), "Non-2xx responses") {
				t.Errorf("ab %v: non-2xx responses\n%s", args, out)
			}
		}
	})
}

// TestProcessModel checks each MPM's real process shape.
func TestProcessModel(t *testing.T) {
	forEachMPM(t, func(t *testing.T, in *instance, name string) {
		plugin := in.pluginPid()
		want := map[string]int{"prefork": 3, "worker": 2, "event": 2}[name]
		kids := executedChildren(plugin, want)
		if len(kids) != want {
			t.Fatalf("%s plugin has %d children, want StartServers=%d", name, len(kids), want)
		}
		exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", plugin))
		if filepath.Base(exe) != "mod_mpm_"+name+".so" {
			t.Errorf("plugin executable %q", exe)
		}
		for _, kid := range kids {
			if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", kid)); filepath.Base(exe) != wire.ChildProgram(name) {
				t.Errorf("child %d executable %q, want the child program %s", kid, exe, wire.ChildProgram(name))
			}
		}
		if name == "prefork" {
			// One connection at a time per child: StartServers idle
			// keep-alive connections occupy every child, so a fresh
			// connection is not answered until one is released.
			var held []net.Conn
			for i := 0; i < want; i++ {
				c := keepAliveConn(t, in)
				held = append(held, c)
			}
			c, err := net.Dial("tcp", in.addr)
			must(t, err)
			defer c.Close()
			fmt.Fprintf(c, "GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			if n, _ := c.Read(make([]byte, 1)); n != 0 {
				t.Errorf("prefork answered a %dth connection while %d children each held one", want+1, want)
			}
			held[0].Close()
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil || !strings.Contains(line, "200") {
				t.Errorf("after release: %q %v", line, err)
			}
			for _, h := range held[1:] {
				h.Close()
			}
		}
	})
}

// keepAliveConn opens a connection, completes one request on it and
// leaves it idle in keep-alive.
func keepAliveConn(t *testing.T, in *instance) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", in.addr)
	must(t, err)
	fmt.Fprintf(c, "GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Close {
		t.Fatalf("keep-alive request: %d close=%v", resp.StatusCode, resp.Close)
	}
	c.SetReadDeadline(time.Time{})
	return c
}

// TestEventIdleConnectionsHoldNoWorker: with more idle keep-alive
// connections than workers (2 children x 4 threads), event still serves a
// new client at once; worker, whose connections hold their thread, cannot.
func TestEventIdleConnectionsHoldNoWorker(t *testing.T) {
	for _, m := range testbin.MPMs[1:] {
		t.Run(m.Name, func(t *testing.T) {
			// A long KeepAliveTimeout, so that worker's held threads stay
			// held for the whole check.
			in := start(t, newSite(t, m.Name, m.Module, "KeepAliveTimeout 60"))
			var held []net.Conn
			for i := 0; i < 8; i++ {
				if m.Name == "worker" {
					// Worker: each idle connection holds a thread.
					c, err := net.Dial("tcp", in.addr)
					must(t, err)
					fmt.Fprintf(c, "GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
					held = append(held, c)
					continue
				}
				held = append(held, keepAliveConn(t, in))
			}
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			time.Sleep(200 * time.Millisecond) // let worker's accepts settle
			c, err := net.Dial("tcp", in.addr)
			must(t, err)
			defer c.Close()
			fmt.Fprintf(c, "GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			line, err := bufio.NewReader(c).ReadString('\n')
			served := err == nil && strings.Contains(line, "200")
			if m.Name == "event" && !served {
				t.Errorf("event did not serve a new client with 8 idle keep-alive connections: %q %v", line, err)
			}
			if m.Name == "worker" && served {
				t.Errorf("worker served a 9th connection while 8 connections held all 8 threads")
			}
		})
	}
}

// TestStopSignals: TERM stops at once, WINCH gracefully; either way the
// pid file goes and no plugin or child process is left.
func TestStopSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGWINCH} {
		for _, m := range testbin.MPMs {
			t.Run(m.Name+"/"+sig.String(), func(t *testing.T) {
				root := newSite(t, m.Name, m.Module, "")
				in := start(t, root)
				plugin := in.pluginPid()
				kids := children(plugin)
				in.signal(sig)
				if code := in.wait(); code != 0 {
					t.Errorf("exit code %d", code)
				}
				if _, err := os.Stat(filepath.Join(root, "run/httpd.pid")); !os.IsNotExist(err) {
					t.Errorf("pid file still there: %v", err)
				}
				for _, p := range append(kids, plugin) {
					if !eventually(5*time.Second, func() bool { return !alive(p) }) {
						t.Errorf("process %d survived the host", p)
					}
				}
			})
		}
	}
}

// TestHostKilled: after kill -9 of the host no plugin or child survives.
func TestHostKilled(t *testing.T) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			in := start(t, newSite(t, m.Name, m.Module, ""))
			plugin := in.pluginPid()
			var kids []int
			eventually(5*time.Second, func() bool { kids = children(plugin); return len(kids) > 0 })
			in.signal(syscall.SIGKILL)
			in.wait()
			for _, p := range append(kids, plugin) {
				// DESIGN: gone within a second; polled a little longer on a
				// loaded machine, and the bound is what fails the test.
				if !eventually(3*time.Second, func() bool { return !alive(p) }) {
					t.Errorf("process %d survived kill -9 of the host", p)
				}
			}
		})
	}
}

// TestSwapMPMOnGracefulRestart edits the LoadModule line and sends USR1:
// the new MPM serves on the same socket, the old plugin exits.
func TestSwapMPMOnGracefulRestart(t *testing.T) {
	root := newSite(t, "prefork", "mpm_prefork_module", "")
	in := start(t, root)
	old := in.pluginPid()
	conf := filepath.Join(root, "httpd.conf")
	b, err := os.ReadFile(conf)
	must(t, err)
	s := strings.Replace(string(b), "LoadModule mpm_prefork_module "+in.modules+"/mod_mpm_prefork.so", "LoadModule mpm_event_module "+in.modules+"/mod_mpm_event.so", 1)
	write(t, conf, s)
	addr := in.addr
	in.signal(syscall.SIGUSR1)
	var exe string
	ok := eventually(20*time.Second, func() bool {
		kids := children(in.cmd.Process.Pid)
		if len(kids) != 1 || kids[0] == old {
			return false
		}
		exe, _ = os.Readlink(fmt.Sprintf("/proc/%d/exe", kids[0]))
		return filepath.Base(exe) == "mod_mpm_event.so"
	})
	if !ok {
		t.Fatalf("after USR1 the plugin is %q, want mod_mpm_event.so", exe)
	}
	if resp, body := in.get("/hello.txt"); resp.StatusCode != 200 || body != "hello, world\n" || in.addr != addr {
		t.Fatalf("after swap: %d %q", resp.StatusCode, body)
	}
	if !eventually(10*time.Second, func() bool { return !alive(old) }) {
		t.Error("old plugin still running")
	}
}

// TestBrokenReloadKeepsServing: a config error on USR1 is logged and the
// server goes on with the old config.
func TestBrokenReloadKeepsServing(t *testing.T) {
	root := newSite(t, "event", "mpm_event_module", "")
	in := start(t, root)
	plugin := in.pluginPid()
	conf := filepath.Join(root, "httpd.conf")
	b, _ := os.ReadFile(conf)
	write(t, conf, string(b)+"\nNoSuchDirective 1\n")
	in.signal(syscall.SIGUSR1)
	ok := eventually(10*time.Second, func() bool {
		log, _ := os.ReadFile(filepath.Join(root, "logs/error_log"))
		return strings.Contains(string(log), "Invalid command 'NoSuchDirective'")
	})
	if !ok {
		t.Fatal("config error not logged")
	}
	if resp, _ := in.get("/hello.txt"); resp.StatusCode != 200 {
		t.Fatalf("not serving after a broken reload: %d", resp.StatusCode)
	}
	if kids := children(in.cmd.Process.Pid); len(kids) != 1 || kids[0] != plugin {
		t.Errorf("plugin changed: %v, was %d", kids, plugin)
	}
}

// TestStartupLevel: -e debug shows mod_so's AH01575 for the MPM plugin on
// the console at startup, as apache2 -e debug does; LogLevel (info here)
// does not, and without -e it stays hidden.
func TestStartupLevel(t *testing.T) {
	httpd, _ := build(t)
	m := testbin.MPMs[len(testbin.MPMs)-1]
	for _, level := range []string{"debug", ""} {
		t.Run("e="+level, func(t *testing.T) {
			root := newSite(t, m.Name, m.Module, "")
			args := []string{"-d", root, "-f", "httpd.conf", "-D", "FOREGROUND"}
			if level != "" {
				args = append(args, "-e", level)
			}
			in := startCmd(t, root, exec.Command(httpd, args...))
			want := fmt.Sprintf("] [so:debug] [pid %d] AH01575: loaded module %s from %s\n", in.cmd.Process.Pid, m.Module, filepath.Join(in.modules, "mod_mpm_"+m.Name+".so"))
			// stderr reaches the buffer through exec's copying goroutine: read it
			// once httpd has exited and all of it is there.
			in.signal(syscall.SIGTERM)
			in.wait()
			if got := strings.Contains(in.stderr.String(), want); got != (level == "debug") {
				t.Errorf("-e %q: AH01575 on stderr is %v:\n%s", level, got, in.stderr)
			}
		})
	}
}

// startWithTypes starts mpm on a site whose TypesConfig (returned) gives
// /a.tst the type text/x-test, and checks that it does.
func startWithTypes(t *testing.T, mpm, module string) (*instance, string) {
	t.Helper()
	root := newSite(t, mpm, module, "TypesConfig mime.types")
	types := filepath.Join(root, "mime.types")
	write(t, types, "text/x-test\ttst\n")
	write(t, filepath.Join(root, "htdocs/a.tst"), "test\n")
	in := start(t, root)
	if resp, _ := in.get("/a.tst"); resp.Header.Get("Content-Type") != "text/x-test" {
		t.Fatalf("before: Content-Type %q", resp.Header.Get("Content-Type"))
	}
	return in, types
}

// TestChildrenKeepGenerationTypes: the children a generation starts
// serve the TypesConfig file as it read it, as apache2's, which its parent
// reads at start-up: children started after the file changed, here after
// their predecessors were killed, still serve the types it had.
func TestChildrenKeepGenerationTypes(t *testing.T) {
	in, types := startWithTypes(t, "prefork", "mpm_prefork_module")
	write(t, types, "text/x-other\ttst\n")
	plugin := in.pluginPid()
	old := children(plugin)
	for _, pid := range old {
		must(t, syscall.Kill(pid, syscall.SIGKILL))
	}
	var kids []int
	if !eventually(10*time.Second, func() bool {
		kids = children(plugin)
		return len(kids) >= 3 && !slices.ContainsFunc(kids, func(pid int) bool { return slices.Contains(old, pid) })
	}) {
		t.Fatalf("children %v, killed %v: want 3 new ones", kids, old)
	}
	for range 3 { // whichever child takes the connection
		if resp, _ := in.get("/a.tst"); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/x-test" {
			t.Fatalf("after: %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

// TestReloadMissingTypesConfig: a TypesConfig file gone at a graceful
// restart is mod_mime's AH01597 in the error log, with its line. Apache
// exits there (AH00020); we go on serving with the old config, its types
// included, as for any other broken reload.
func TestReloadMissingTypesConfig(t *testing.T) {
	in, types := startWithTypes(t, "event", "mpm_event_module")
	root := in.root
	plugin := in.pluginPid()
	must(t, os.Remove(types))
	in.signal(syscall.SIGUSR1)
	want := "] (2)No such file or directory: AH01597: could not open mime types config file " + types + ". (TypesConfig on line "
	var log string
	ok := eventually(10*time.Second, func() bool {
		b, _ := os.ReadFile(filepath.Join(root, "logs/error_log"))
		log = string(b)
		return strings.Contains(log, "configuration not reloaded")
	})
	if !ok || !strings.Contains(log, "[mime:error] [pid ") || !strings.Contains(log, want) {
		t.Fatalf("want %q then \"configuration not reloaded\" in the error log:\n%s", want, log)
	}
	if resp, _ := in.get("/a.tst"); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/x-test" {
		t.Fatalf("after: %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if kids := children(in.cmd.Process.Pid); len(kids) != 1 || kids[0] != plugin {
		t.Errorf("plugin changed: %v, was %d", kids, plugin)
	}
}
