//go:build linux

package e2e_test

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestAcceptBacksOffOnEMFILE: with no descriptor left (the soft limit of
// every child lowered to 0 for two seconds), accept fails with EMFILE; the
// children must back off (a few log lines, not a spin that writes tens of
// thousands a second), stay alive, and serve the connection that waited
// in the backlog once the limit is back.
func TestAcceptBacksOffOnEMFILE(t *testing.T) {
	forEachMPMWith(t, statusLocation, func(t *testing.T, in *instance, _ string) {
		kids := in.readyChildren()
		logPath := filepath.Join(in.root, "logs/error_log")
		before, _ := os.ReadFile(logPath)
		old := map[int]unix.Rlimit{}
		for _, k := range kids {
			var lim unix.Rlimit
			must(t, unix.Prlimit(k, unix.RLIMIT_NOFILE, nil, &lim))
			old[k] = lim
			must(t, unix.Prlimit(k, unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: 0, Max: lim.Max}, nil))
		}
		restore := func() {
			for k, lim := range old {
				unix.Prlimit(k, unix.RLIMIT_NOFILE, &lim, nil)
			}
		}
		defer restore()
		// A client arrives while no child can accept; it waits.
		answered := make(chan string, 1)
		go func() {
			c, err := net.Dial("tcp", in.addr)
			if err != nil {
				answered <- err.Error()
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			io.WriteString(c, "GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			out, _ := io.ReadAll(c)
			answered <- string(out)
		}()
		time.Sleep(2 * time.Second)
		restore()
		select {
		case out := <-answered:
			if !strings.HasPrefix(out, "HTTP/1.1 200 ") {
				t.Errorf("the waiting client got %.60q", out)
			}
		case <-time.After(10 * time.Second):
			t.Error("the waiting client was not served once descriptors were back")
		}
		after, _ := os.ReadFile(logPath)
		lines := strings.Count(string(after[len(before):]), "too many open files")
		// Backing off from 5 ms, doubling to 1 s: about 8 lines per child
		// and listener in 2 s. A spin writes thousands.
		if limit := 20 * len(kids); lines > limit {
			t.Errorf("%d children logged %d accept errors in 2 s (limit %d): accept does not back off", len(kids), lines, limit)
		}
		for _, k := range kids {
			if !alive(k) {
				t.Errorf("child %d died of EMFILE", k)
			}
		}
	})
}
