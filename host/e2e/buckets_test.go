package e2e_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// listeningSockets counts the TCP sockets in LISTEN state on port (from
// /proc/net/tcp and tcp6).
func listeningSockets(port int) int { return len(listeningInodes(port)) }

// listeningInodes are the socket inodes of the LISTEN sockets on port.
func listeningInodes(port int) map[string]bool {
	n := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, _ := os.ReadFile(f)
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fields := strings.Fields(line)
			if len(fields) < 4 || fields[3] != "0A" {
				continue
			}
			if i := strings.LastIndexByte(fields[1], ':'); i >= 0 {
				if p, err := strconv.ParseInt(fields[1][i+1:], 16, 32); err == nil && int(p) == port && len(fields) > 9 {
					n[fields[9]] = true
				}
			}
		}
	}
	return n
}

// TestListenerBuckets: ListenCoresBucketsRatio 1 gives one SO_REUSEPORT
// socket per online core on the same port (Apache's listeners buckets),
// each child takes one bucket, and every MPM serves through them.
func TestListenerBuckets(t *testing.T) {
	want := runtime.NumCPU()
	forEach := func(t *testing.T, name, module string) {
		root := newSite(t, name, module, "ListenCoresBucketsRatio 1")
		in := start(t, root)
		_, portStr, _ := net.SplitHostPort(in.addr)
		port, _ := strconv.Atoi(portStr)
		if got := listeningSockets(port); got != want {
			t.Errorf("%d listening sockets on port %d, want %d (one per core)", got, port, want)
		}
		// Each child holds the socket of exactly one bucket, and together
		// they hold every bucket's.
		inodes := listeningInodes(port)
		held := map[string]bool{}
		var kids []int
		eventually(10*time.Second, func() bool { kids = children(in.pluginPid()); return len(kids) >= want })
		for _, kid := range kids {
			mine := map[string]bool{} // a socket may be open twice (the adopted fd and its listener dup)
			fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", kid))
			for _, fd := range fds {
				link, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", kid, fd.Name()))
				if ino, ok := strings.CutPrefix(link, "socket:["); ok && inodes[strings.TrimSuffix(ino, "]")] {
					mine[strings.TrimSuffix(ino, "]")] = true
					held[strings.TrimSuffix(ino, "]")] = true
				}
			}
			if len(mine) != 1 {
				t.Errorf("child %d holds %d listening sockets, want its bucket's one", kid, len(mine))
			}
		}
		if len(held) != want {
			t.Errorf("children hold %d of the %d buckets' sockets", len(held), want)
		}
		for i := 0; i < 50; i++ {
			if resp, body := in.get("/hello.txt"); resp.StatusCode != 200 || body != "hello, world\n" {
				t.Fatalf("request %d: %d %q", i, resp.StatusCode, body)
			}
		}
		if want > 1 {
			log, _ := os.ReadFile(filepath.Join(root, "logs/error_log"))
			if !strings.Contains(in.stderr.String()+string(log), fmt.Sprintf("AH02819: Using %d listeners bucket(s) based on %d online CPU cores and a ratio of 1", want, want)) {
				t.Errorf("no AH02819 line:\n%s\n%s", in.stderr.String(), log)
			}
		}
	}
	for _, m := range []struct{ name, module string }{{"prefork", "mpm_prefork_module"}, {"worker", "mpm_worker_module"}, {"event", "mpm_event_module"}} {
		t.Run(m.name, func(t *testing.T) { forEach(t, m.name, m.module) })
	}
}
