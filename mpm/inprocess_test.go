//go:build linux

package mpm

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/errline"
)

// linesBuffer keeps the lines written to it.
type linesBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (b *linesBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, string(p))
	return len(p), nil
}

func (b *linesBuffer) all() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.lines...)
}

// inProcessMPM logs from Configure and Run, keeps what Run hands it and
// closes its listeners on Stop, as an MPM must.
type inProcessMPM struct {
	runRecorder
	cfg *Config
}

func (m *inProcessMPM) Configure(cfg *Config) []Diagnostic {
	m.cfg = cfg
	cfg.Log.Info("configured", "settings", len(cfg.Settings))
	cfg.Log.Debug("not at info")
	return []Diagnostic{{Severity: SeverityWarning, Message: "mine"}}
}

func (m *inProcessMPM) Stop(context.Context, bool) error {
	for _, l := range m.got {
		l.File.Close()
	}
	return nil
}

func tcpListenerFile(t *testing.T) (*os.File, string) {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, ln.Addr().String()
}

// TestInProcess drives an MPM through InProcess as the host does: its log
// lines reach Options.Log as the JSON a plugin writes, at the config's
// level and with this pid; it gets its own copies of the listeners, and
// the caller's stay open and serving after the MPM closed its copies.
func TestInProcess(t *testing.T) {
	m := &inProcessMPM{}
	ip, log, r := newTestInProcess(t, m)
	defer ip.Close()

	cfg := &Config{LogLevel: "info", Settings: []Setting{{Name: "X"}}}
	diags := ip.Configure(cfg)
	if len(diags) != 1 || diags[0].Message != "mine" {
		t.Errorf("diagnostics %v, want the MPM's", diags)
	}
	if m.cfg == cfg || m.cfg.linked == nil || m.cfg.linked.lifeline != r {
		t.Errorf("Configure did not hand the MPM its own Config with the children's lifeline")
	}
	lines := log.all()
	if len(lines) != 1 {
		t.Fatalf("log lines %q, want the one at info", lines)
	}
	var e map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &e); err != nil || !strings.HasSuffix(lines[0], "\n") {
		t.Fatalf("log line %q is not one JSON line: %v", lines[0], err)
	}
	if e["@message"] != "configured" || e["@module"] != "fuzz" || e["pid"] != float64(os.Getpid()) || e["settings"] != float64(1) {
		t.Errorf("log line %v", e)
	}

	f, addr := tcpListenerFile(t)
	if err := ip.Run(context.Background(), []Listener{{Name: "x", Network: "tcp4", Address: addr, Bucket: 2, File: f}}); err != nil {
		t.Fatal(err)
	}
	if len(m.got) != 1 || m.got[0].File.Fd() == f.Fd() || m.got[0].Bucket != 2 || m.got[0].Name != "x" {
		t.Fatalf("the MPM got %+v, want a copy of fd %d", m.got, f.Fd())
	}
	mine := int(m.got[0].File.Fd())
	if err := ip.Stop(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	if isOpen(mine) {
		t.Errorf("the MPM's copy %d is still open after Stop", mine)
	}
	ln, err := net.FileListener(f)
	if err != nil {
		t.Fatalf("the caller's listener after Stop: %v", err)
	}
	defer ln.Close()
	go func() {
		if c, err := net.Dial("tcp4", addr); err == nil {
			c.Close()
		}
	}()
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(5 * time.Second))
	if c, err := ln.Accept(); err != nil {
		t.Errorf("the caller's listener does not accept after Stop: %v", err)
	} else {
		c.Close()
	}
}

// TestInProcessRunRefusesNonListener: a descriptor that is not a listening
// socket is refused, and the MPM gets nothing (the copies made are closed).
func TestInProcessRunRefusesNonListener(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	m := &inProcessMPM{}
	ip, err := NewInProcess(m, InProcessOptions{Log: &linesBuffer{}, Lifeline: r})
	if err != nil {
		t.Fatal(err)
	}
	defer ip.Close()
	ip.Configure(&Config{})
	good, addr := tcpListenerFile(t)
	before := openFDs(t)
	err = ip.Run(context.Background(), []Listener{{Name: "good", Address: addr, File: good}, {Name: "pipe", File: w}})
	if err == nil || !strings.Contains(err.Error(), "pipe") {
		t.Fatalf("Run with a pipe: %v", err)
	}
	if m.calls != 0 {
		t.Errorf("the MPM's Run was called")
	}
	// New descriptors (or numbers now naming another file) are the leak;
	// one closed meanwhile elsewhere in the process (a finalizer, an
	// earlier test's goroutine) is not, and made a count of them fail once.
	// The listing's own descriptor is left out of both: its number moved
	// when another was open meanwhile, and passed for a leak.
	for fd, target := range openFDs(t) {
		if before[fd] != target {
			t.Errorf("descriptor %s (%s) opened by the refused Run and left open", fd, target)
		}
	}
}

// openFDs is the process's open descriptors: number → what it refers to.
func openFDs(t *testing.T) map[string]string {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	fds := map[string]string{}
	for _, e := range ents {
		// The listing's own descriptor is closed by now: no target.
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil {
			fds[e.Name()] = target
		}
	}
	return fds
}

// TestRunChildNotAChild: outside a child started by StartChild, RunChild
// does nothing.
func TestRunChildNotAChild(t *testing.T) {
	if status, ok := RunChild(&inProcessMPM{}); ok || status != 0 {
		t.Errorf("RunChild = %d, %v outside a child", status, ok)
	}
}

// TestInProcessDrained: Drained waits, after Close, for the last line a child
// still holding its stderr pipe writes, and then every line has reached Log,
// a plain one as an hclog error line with the child's pid.
func TestInProcessDrained(t *testing.T) {
	lines, pid := relayedChild(t, "sleep 0.3; echo last line >&2")
	if !slices.Contains(lines, fmt.Sprintf(`{"@level":"error","@message":"last line","pid":%d}`+"\n", pid)) {
		t.Errorf("log lines %q lack the child's last one", lines)
	}
}

// TestInProcessRelayLongLine: a child writing 1 MiB to its stderr without
// a newline does not make the relay hold it whole: it comes out as error
// lines of errline.MaxLine bytes (16 of them), then the rest as a line.
func TestInProcessRelayLongLine(t *testing.T) {
	lines, pid := relayedChild(t, "head -c 1048576 /dev/zero | tr '\\0' x >&2; printf end >&2")
	piece := fmt.Sprintf(`{"@level":"error","@message":%q,"pid":%d}`+"\n", strings.Repeat("x", errline.MaxLine), pid)
	last := fmt.Sprintf(`{"@level":"error","@message":"end","pid":%d}`+"\n", pid)
	if len(lines) != 17 || lines[16] != last {
		t.Fatalf("%d log lines, want 17 ending in %q", len(lines), last)
	}
	for i, l := range lines[:16] {
		if l != piece {
			t.Fatalf("line %d is %d bytes, want the %d of a piece of MaxLine", i, len(l), len(piece))
		}
	}
}

// relayedChild runs script in a shell whose stderr an InProcess relays,
// closes the InProcess and waits for Drained; it returns the lines logged
// and the child's pid.
func relayedChild(t *testing.T, script string) ([]string, int) {
	t.Helper()
	ip, log, _ := newTestInProcess(t, &inProcessMPM{})
	child := exec.Command("/bin/sh", "-c", script)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = w
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Wait()
	w.Close()
	ip.children.relay(r, child.Process.Pid)
	ip.Close()
	select {
	case <-ip.Drained():
	case <-time.After(20 * time.Second):
		t.Fatal("Drained not closed after the child exited")
	}
	return log.all(), child.Process.Pid
}

// newTestInProcess runs m through NewInProcess with a log buffer and a lifeline
// pipe the test holds open to its end; it returns them with the lifeline's read end.
func newTestInProcess(t *testing.T, m MPM) (*InProcess, *linesBuffer, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	log := &linesBuffer{}
	ip, err := NewInProcess(m, InProcessOptions{Log: log, Lifeline: r})
	if err != nil {
		t.Fatal(err)
	}
	return ip, log, r
}
