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
