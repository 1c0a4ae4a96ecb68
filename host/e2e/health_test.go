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
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// healthExtra makes HangTimeout (the longer of Timeout and
// KeepAliveTimeout, plus 5 s) 6 s.
const healthExtra = "Timeout 1\nKeepAliveTimeout 1\n"

// TestHungChildReplaced: under every MPM, a child stopped with SIGSTOP
// stops beating; the MPM parent logs it as hung, ends it and starts a
// replacement, and the server goes on answering.
func TestHungChildReplaced(t *testing.T) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			root := newSite(t, m.Name, m.Module, healthExtra)
			in := start(t, root)
			plugin := in.pluginPid()
			var kids []int
			eventually(20*time.Second, func() bool { kids = children(plugin); return len(kids) >= 2 })
			if len(kids) < 2 {
				t.Fatalf("children %v, want 2 or more", kids)
			}
			victim := kids[0]
			must(t, syscall.Kill(victim, syscall.SIGSTOP))
			defer syscall.Kill(victim, syscall.SIGKILL) // if the test fails
			hung := fmt.Sprintf("child process %d is hung: no progress for", victim)
			if !eventually(60*time.Second, func() bool { return strings.Contains(errorLog(t, root), hung) }) {
				t.Fatalf("no %q in the error log", hung)
			}
			if !eventually(30*time.Second, func() bool { return !alive(victim) }) {
				t.Fatalf("hung child %d still there", victim)
			}
			replaced := eventually(30*time.Second, func() bool {
				for _, k := range children(plugin) {
					if !slices.Contains(kids, k) {
						return true
					}
				}
				return false
			})
			if !replaced {
				t.Errorf("no child started after %d was ended: %v", victim, children(plugin))
			}
			for i := 0; i < 5; i++ {
				if resp, body := in.get("/hello.txt", "Connection", "close"); resp.StatusCode != 200 || body != "hello, world\n" {
					t.Fatalf("GET /hello.txt after the hang: %d %q", resp.StatusCode, body)
				}
			}
		})
	}
}

// TestBusyChildNotHung: a prefork child whose only worker stays busy on
// one keep-alive connection (a request every 300 ms for 20 s, over three
// times HangTimeout) is making progress, not hung: the engine touches the
// worker at every wait for a request.
func TestBusyChildNotHung(t *testing.T) {
	root := newSite(t, "prefork", "mpm_prefork_module", healthExtra)
	in := start(t, root)
	c, err := net.Dial("tcp", in.addr)
	must(t, err)
	defer c.Close()
	br := bufio.NewReader(c)
	n := 0
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); n++ {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c, "GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d on the busy connection: %v", n+1, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Close {
			t.Fatalf("request %d: %d, close %v", n+1, resp.StatusCode, resp.Close)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if log := errorLog(t, root); strings.Contains(log, "is hung") {
		t.Errorf("a child serving a connection was taken for hung:\n%s", log)
	}
}

// TestChildMemoryLimit: under every MPM, a child whose memory grows past
// ChildMemoryLimit is recycled gracefully and replaced. The growth is
// real: the children run with the Go collector off (GOGC=off, inherited
// from the host), so everything a request allocates stays, and requests
// with large heads allocate a lot.
func TestChildMemoryLimit(t *testing.T) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			root := newSite(t, m.Name, m.Module, "ChildMemoryLimit 48\nLimitRequestFields 200\n")
			httpd, _ := build(t)
			cmd := exec.Command(httpd, "-d", root, "-f", "httpd.conf", "-D", "FOREGROUND")
			cmd.Env = append(os.Environ(), "GOGC=off")
			in := startCmd(t, root, cmd)
			plugin := in.pluginPid()
			// One keep-alive connection stays on one child: it grows.
			c, err := net.Dial("tcp", in.addr)
			must(t, err)
			defer c.Close()
			var head strings.Builder
			head.WriteString("GET /hello.txt HTTP/1.1\r\nHost: x\r\n")
			for i := 0; i < 150; i++ {
				fmt.Fprintf(&head, "X-Fill-%d: %s\r\n", i, strings.Repeat("y", 8000))
			}
			head.WriteString("\r\n")
			recycled := eventually(90*time.Second, func() bool {
				c.SetDeadline(time.Now().Add(10 * time.Second))
				if _, err := c.Write([]byte(head.String())); err == nil {
					buf := make([]byte, 4096)
					c.Read(buf)
				} else {
					c.Close()
					c, _ = net.Dial("tcp", in.addr)
				}
				return strings.Contains(errorLog(t, root), "over ChildMemoryLimit 48 MiB: recycling it gracefully")
			})
			if c != nil {
				c.Close()
			}
			if !recycled {
				t.Fatal("no child recycled for its memory")
			}
			pid := recycledPid(errorLog(t, root))
			if pid == 0 {
				t.Fatalf("no pid in the recycle line:\n%s", errorLog(t, root))
			}
			t.Logf("recycled child %d; children now %v", pid, children(plugin))
			if !eventually(30*time.Second, func() bool { return !alive(pid) }) {
				t.Fatalf("child %d over the limit did not exit", pid)
			}
			if !eventually(30*time.Second, func() bool { return len(children(plugin)) > 0 }) {
				t.Fatal("no child left")
			}
			if resp, body := in.get("/hello.txt", "Connection", "close"); resp.StatusCode != 200 || body != "hello, world\n" {
				t.Fatalf("GET /hello.txt after the recycle: %d %q", resp.StatusCode, body)
			}
			if strings.Contains(errorLog(t, root), "exit signal") {
				t.Errorf("a child died of a signal; the recycle must be graceful:\n%s", errorLog(t, root))
			}
		})
	}
}

// recycledPid is the pid of the first "child process N uses ..." line.
func recycledPid(log string) int {
	_, after, ok := strings.Cut(log, "child process ")
	if !ok {
		return 0
	}
	f := strings.Fields(after)
	if len(f) < 2 || f[1] != "uses" {
		return 0
	}
	n, _ := strconv.Atoi(f[0])
	return n
}

// TestParentCapabilities: started by httpd as root, the MPM parent keeps
// CAP_SETUID, CAP_SETGID and CAP_KILL on every thread (permitted,
// effective and bounding), and its children, as User nobody, have none,
// under every MPM and the third-party example (the SDK does it). CI runs
// as root: there the test must run.
func TestParentCapabilities(t *testing.T) {
	needsRoot(t, "to start httpd as root, with capabilities")
	const parentSet = "00000000000000e0" // CAP_KILL (5), CAP_SETGID (6), CAP_SETUID (7)
	mpms := append(testbin.MPMs[:len(testbin.MPMs):len(testbin.MPMs)], struct{ Name, Module string }{"percore", testbin.ExampleModule})
	for _, m := range mpms {
		t.Run(m.Name, func(t *testing.T) {
			extra := "User nobody\nGroup #65534\n"
			if m.Name == "percore" {
				extra += exampleExtra
			}
			root := newSite(t, m.Name, m.Module, extra)
			reachableByNobody(t, root)
			in := start(t, root)
			if resp, _ := in.get("/hello.txt", "Connection", "close"); resp.StatusCode != 200 {
				t.Fatalf("GET /hello.txt: %d", resp.StatusCode)
			}
			plugin := in.pluginPid()
			if st := procStatus(plugin); st["Uid"] == "" || strings.Fields(st["Uid"])[0] != "0" {
				t.Fatalf("MPM parent uid %q, want root", st["Uid"])
			}
			// Executed again as /proc/self/exe or not, it bears its file's name
			// (what ps, top and pgrep show).
			if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", plugin)); strings.TrimSpace(string(comm)) != commName(m.Module) {
				t.Errorf("MPM parent's name is %q, want %q", strings.TrimSpace(string(comm)), commName(m.Module))
			}
			tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", plugin))
			if len(tasks) < 2 {
				t.Fatalf("MPM parent has %d threads", len(tasks))
			}
			for _, task := range tasks {
				st := procStatusFile(fmt.Sprintf("/proc/%d/task/%s/status", plugin, task.Name()))
				for _, key := range []string{"CapPrm", "CapEff", "CapBnd"} {
					if st[key] != parentSet {
						t.Errorf("MPM parent %d thread %s %s = %s, want %s", plugin, task.Name(), key, st[key], parentSet)
					}
				}
				for _, key := range []string{"CapInh", "CapAmb"} {
					if strings.Trim(st[key], "0") != "" {
						t.Errorf("MPM parent %d thread %s %s = %s, want none", plugin, task.Name(), key, st[key])
					}
				}
			}
			var kids []int
			eventually(10*time.Second, func() bool { kids = children(plugin); return len(kids) > 0 })
			if len(kids) == 0 {
				t.Fatal("no child")
			}
			for _, k := range kids {
				st := droppedToNobody(t, k)
				if st["CapBnd"] != parentSet {
					t.Errorf("child %d CapBnd = %s, want the parent's %s", k, st["CapBnd"], parentSet)
				}
			}
		})
	}
}

// droppedToNobody waits for child k, executed as root, to drop to User
// nobody in its first package init, checks it holds no capability but its
// bounding set, and returns its /proc/PID/status.
func droppedToNobody(t *testing.T, k int) map[string]string {
	t.Helper()
	var st map[string]string
	eventually(10*time.Second, func() bool {
		st = procStatus(k)
		return st["Uid"] != "" && strings.Fields(st["Uid"])[0] == "65534"
	})
	if f := strings.Fields(st["Uid"]); len(f) == 0 || f[0] != "65534" {
		t.Errorf("child %d uid %q, want nobody", k, st["Uid"])
	}
	for _, key := range []string{"CapPrm", "CapEff", "CapInh", "CapAmb"} {
		if strings.Trim(st[key], "0") != "" {
			t.Errorf("child %d %s = %s, want none", k, key, st[key])
		}
	}
	return st
}

func errorLog(t *testing.T, root string) string {
	b, _ := os.ReadFile(filepath.Join(root, "logs/error_log"))
	return string(b)
}

// commName is the kernel's name of a process executed from module's plugin
// file (mod_mpm_event.so for mpm_event_module): at most 15 bytes.
func commName(module string) string {
	name := "mod_" + strings.TrimSuffix(module, "_module") + ".so"
	return name[:min(len(name), 15)]
}
