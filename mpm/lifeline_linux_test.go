package mpm

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// TestEarlyChildHostGone: an early child that waits for its spec exits
// (status 0) when the host's lifeline closes, though its spec socket is
// still open: it watches the lifeline while it waits, as once it serves.
func TestEarlyChildHostGone(t *testing.T) {
	c, r, w := lifelineChild(t)
	r.Close()
	awaitReceiving(t, c)
	w.Close() // the host is gone; the plugin (this test) still holds the spec socket
	if st := waitChild(t, c.Child); !st.Success() {
		t.Errorf("early child exited %v when the host's lifeline closed, want status 0", st)
	}
	if !peerClosed(c.Conn) {
		t.Errorf("the early child's spec socket is still open")
	}
}

// TestEarlyChildLifelineOwnDescription: a child waits for the host's
// lifeline through the runtime's poller, on an open file description of
// its own (non-blocking), with no thread blocked in a read of it (which
// held the child's one P until the runtime took it back, delaying the
// first accept); the plugin's description stays blocking, and the child
// still exits when the host's end closes.
func TestEarlyChildLifelineOwnDescription(t *testing.T) {
	c, r, w := lifelineChild(t)
	pid := c.Process.Pid
	if !testbin.Eventually(bound, func() bool { return receivingSpec(pid) && inSyscall(pid, unix.SYS_EPOLL_PWAIT, -1) }) {
		t.Fatalf("early child %d never waited for its spec with a thread in the runtime's poller", pid)
	}
	if inSyscall(pid, unix.SYS_READ, childLifelineFD) {
		t.Errorf("a thread of early child %d is blocked in read(2) on its lifeline (fd %d)", pid, childLifelineFD)
	}
	if fdFlags(t, pid, childLifelineFD)&unix.O_NONBLOCK == 0 {
		t.Errorf("early child %d's lifeline (fd %d) is blocking, want a non-blocking description of its own", pid, childLifelineFD)
	}
	if fdFlags(t, os.Getpid(), int(r.Fd()))&unix.O_NONBLOCK != 0 {
		t.Errorf("the parent's lifeline became non-blocking")
	}
	r.Close()
	w.Close()
	if st := waitChild(t, c.Child); !st.Success() {
		t.Errorf("early child exited %v when the host's lifeline closed, want status 0", st)
	}
}

// lifelineChild starts an early child whose lifeline is a new pipe, read
// end r, write end w (closed at the end of the test).
func lifelineChild(t *testing.T) (c *earlyChild, r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	exe, name, err := childExecutable(childProgram, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err = startSocketChild(exe, name, earlyMarker, r, originalStderr(), nil)
	if err != nil {
		r.Close()
		t.Fatal(err)
	}
	reapAtEnd(t, c)
	return c, r, w
}

// inSyscall reports whether a thread of process pid sits in system call
// nr, on descriptor fd (its first argument) unless fd is -1.
func inSyscall(pid, nr, fd int) bool {
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/syscall")
	for _, task := range tasks {
		b, err := os.ReadFile(task)
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if runtime.GOARCH == "386" && nr == unix.SYS_RECVMSG && len(f) > 1 && f[0] == "102" { // socketcall on 386
			// Go on 386 calls recvmsg through socketcall(2): its first
			// argument is the call (17), the descriptor is in memory.
			if f[1] == "0x11" {
				return true
			}
			continue
		}
		if len(f) > 1 && f[0] == strconv.Itoa(nr) && (fd < 0 || f[1] == "0x"+strconv.FormatInt(int64(fd), 16)) {
			return true
		}
	}
	return false
}

// fdFlags are the file status flags of descriptor fd of process pid.
func fdFlags(t *testing.T, pid, fd int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/fdinfo/" + strconv.Itoa(fd))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "flags:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 8, 64)
			if err != nil {
				t.Fatalf("fdinfo flags %q: %v", v, err)
			}
			return int(n)
		}
	}
	t.Fatalf("no flags in fdinfo of fd %d of process %d", fd, pid)
	return 0
}
