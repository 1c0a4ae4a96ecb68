//go:build linux

package launch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// startMisbehave starts the misbehave test plugin, going wrong as how says
// at Configure, with an Output that records each stream's writer's pid and
// what it got.
func startMisbehave(t *testing.T, how string) (*Plugin, *outputs, error) {
	t.Helper()
	path := testbin.Plugin(t, "./internal/testbin/testdata/misbehave")
	t.Setenv("MISBEHAVE", how) // the plugin inherits this process's environment
	out := &outputs{}
	p, err := Start(context.Background(), Options{Path: path, Output: out.stream})
	if err == nil {
		t.Cleanup(p.Kill)
	}
	return p, out, err
}

// outputs records a plugin's output streams.
type outputs struct {
	mu      sync.Mutex
	pids    []int
	streams []*testbin.SyncBuffer
}

func (o *outputs) stream(pid int) io.Writer {
	o.mu.Lock()
	defer o.mu.Unlock()
	b := new(testbin.SyncBuffer)
	o.pids = append(o.pids, pid)
	o.streams = append(o.streams, b)
	return b
}

// has reports whether a stream of pid got line.
func (o *outputs) has(pid int, line string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, b := range o.streams {
		if o.pids[i] == pid && strings.Contains(b.String(), line) {
			return true
		}
	}
	return false
}

func (o *outputs) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var s strings.Builder
	for i, b := range o.streams {
		fmt.Fprintf(&s, "[pid %d] %s", o.pids[i], b.String())
	}
	return s.String()
}

// TestStrayOutputReachesLog: what a plugin writes to os.Stdout and
// os.Stderr once it serves (go-plugin carries it over gRPC) reaches
// Output, under the plugin's pid, instead of being discarded.
func TestStrayOutputReachesLog(t *testing.T) {
	p, out, err := startMisbehave(t, "stdio")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Configure(context.Background(), &mpm.Config{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"misbehave: a stray line on stdout\n", "misbehave: a stray line on stderr\n"} {
		if !testbin.Eventually(30*time.Second, func() bool { return out.has(p.Pid(), want) }) {
			t.Errorf("output lacks %q under pid %d; got:\n%s", want, p.Pid(), out)
		}
	}
}

// TestExitStatusReported: a call to a plugin that exits on it fails with
// an *ExitError saying how the process ended (its exit status, or the
// signal that killed it), not gRPC's "error reading from server: EOF".
// The runtime's panic trace reaches Output under the plugin's pid.
func TestExitStatusReported(t *testing.T) {
	for how, want := range map[string]string{
		"exit":  "exit status 3",
		"kill":  "killed by signal 9 (SIGKILL)",
		"panic": "exit status 2",
	} {
		t.Run(how, func(t *testing.T) {
			p, out, err := startMisbehave(t, how)
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Configure(context.Background(), &mpm.Config{})
			var ee *ExitError
			if !errors.As(err, &ee) || !errors.Is(err, ErrExited) {
				t.Fatalf("Configure: %v, want an *ExitError", err)
			}
			if ee.Pid != p.Pid() || ee.State != want {
				t.Errorf("Configure: %v, want pid %d and %q", err, p.Pid(), want)
			}
			<-p.Exited()
			if got := p.ExitState(); got != want {
				t.Errorf("ExitState %q, want %q", got, want)
			}
			if how == "panic" {
				if line := "panic: misbehave: a panic in configure\n"; !out.has(p.Pid(), line) {
					t.Errorf("output lacks %q under pid %d; got:\n%s", line, p.Pid(), out)
				}
			}
		})
	}
}

// TestAnswerSizeBounded: an answer over rpcwire.MaxAnswer (here a 20 MiB
// Describe) is refused with an error that says so, instead of the host
// taking in whatever the plugin sends (go-plugin allows 2 GiB).
func TestAnswerSizeBounded(t *testing.T) {
	_, _, err := startMisbehave(t, "big")
	if err == nil {
		t.Fatal("Start took a 20 MiB Describe answer")
	}
	if msg := err.Error(); !strings.Contains(msg, "received message larger than max") || !strings.Contains(msg, "a message from the MPM plugin may have 16 MiB") {
		t.Errorf("Start: %v, want gRPC's size error and the limit", err)
	}
}
