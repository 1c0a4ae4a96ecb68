//go:build linux

package rawwait

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A pipe: not ready, then ready once written; the wait gives up after its
// timeout (or its window) without seeing readiness that is not there.
func TestPollSeesReadiness(t *testing.T) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	fds := []unix.PollFd{{Fd: int32(p[0]), Events: unix.POLLIN}}
	if Poll(fds, 30) {
		t.Fatal("an empty pipe was reported readable")
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		unix.Write(p[1], []byte("x"))
	}()
	if !Poll(fds, -1) {
		t.Fatal("a written pipe was not reported readable within the window")
	}
	if fds[0].Revents&unix.POLLIN == 0 {
		t.Fatalf("revents %#x, want POLLIN", fds[0].Revents)
	}
}

func TestEpollWaitSeesEvents(t *testing.T) {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(ep)
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(efd)
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, efd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(efd)}); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		unix.Write(efd, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	}()
	var evs [2]unix.EpollEvent
	n, err := EpollWait(ep, evs[:])
	if err != nil || n != 1 || evs[0].Fd != int32(efd) {
		t.Fatalf("EpollWait = %d, %v (%+v), want the eventfd", n, err, evs[:n])
	}
}

// A poll the kernel refuses (more descriptors than RLIMIT_NOFILE allows)
// is not readiness.
func TestPollRefusedIsNotReady(t *testing.T) {
	var old unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	fds := []unix.PollFd{{Fd: -1}, {Fd: -1}}
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: 1, Max: old.Max}); err != nil {
		t.Fatal(err)
	}
	ready := Poll(fds, -1)
	unix.Setrlimit(unix.RLIMIT_NOFILE, &old)
	if ready {
		t.Error("a refused poll was reported ready")
	}
}

// An error ends the raw phase at the first slice (it once spun on EINVAL
// for the whole window, a second of CPU per wait); a timeout goes on.
func TestSpinStopsOnError(t *testing.T) {
	calls := 0
	if spin(func(int) (bool, bool) { calls++; return false, true }, -1) || calls != 1 {
		t.Errorf("spin on an error: %d calls, want 1 and not ready", calls)
	}
	calls = 0
	if !spin(func(int) (bool, bool) { calls++; return calls == 3, false }, -1) || calls != 3 {
		t.Errorf("spin until ready: %d calls, want 3 and ready", calls)
	}
}
