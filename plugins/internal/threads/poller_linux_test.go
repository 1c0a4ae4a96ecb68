package threads

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestQuietReportsHangUpOnce: a connection quieted while a worker has it
// (evQuiet, after bytes came to its edge-triggered park) reports its peer's
// hang-up at most once. The kernel reports a hang-up or error whatever is
// asked; asked for nothing, level-triggered, the loop saw it on every turn
// and spun until the worker closed the connection.
func TestQuietReportsHangUpOnce(t *testing.T) {
	p, err := newPoller()
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	const tag = 7
	count := func(timeout int) int {
		evs := make([]pollEvent, 4)
		n, err := p.wait(evs, timeout)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, ev := range evs[:n] {
			if ev.fd == int32(fds[0]) && ev.tag == tag {
				seen++
			}
		}
		return seen
	}
	if err := p.arm(fds[0], evPark, tag, false); err != nil {
		t.Fatal(err)
	}
	if _, err := unix.Write(fds[1], []byte("x")); err != nil {
		t.Fatal(err)
	}
	if count(5000) != 1 {
		t.Fatal("the parked end did not report its bytes")
	}
	// A worker has it now; bytes came: the loop quiets it.
	if err := p.arm(fds[0], evQuiet, tag, true); err != nil {
		t.Fatal(err)
	}
	unix.Close(fds[1]) // the peer hangs up
	seen := count(200)
	for range 3 {
		seen += count(0)
	}
	if seen > 1 {
		t.Fatalf("the quieted end reported its peer's hang-up %d times in 4 polls; want at most once", seen)
	}
}
