//go:build linux || freebsd || darwin

package threads

// poller is the readiness notification the event loop waits on: epoll on
// Linux (poller_linux.go), kqueue on FreeBSD and macOS (poller_kqueue.go).
// Only the loop's lock holder calls arm and disarm; wait runs on the loop's
// goroutine without the lock; wake may be called from any goroutine.
type poller interface {
	// arm makes the poller report in on fd, with tag. added says whether
	// fd is registered already (arm then replaces what it waited for).
	arm(fd int, in interest, tag int32, added bool) error
	// disarm stops reporting fd (a listening socket leaving the set).
	disarm(fd int) error
	// wait blocks up to timeout ms (-1: no limit) and stores what is
	// ready in evs, a wake-up as an event with tag padWake.
	wait(evs []pollEvent, timeout int) (int, error)
	// wake ends the current or next wait.
	wake()
	close()
}

// interest is what the loop waits for on a descriptor.
type interest uint8

const (
	wantRead  interest = 1 << iota // readable, or the peer's end
	wantWrite                      // room in the socket's buffer
	once                           // one event, then nothing until armed again
	// edge reports each change (new bytes, the peer's end), not a state,
	// and stays armed (epoll's EPOLLET): a parked connection served and
	// parked again needs no new arm; only the epoller has it (parkMode).
	edge
)

// Tags of what is not a connection (a connection's tag is its slot's
// sequence number, never negative).
const (
	padWake     = -1 // the poller was woken
	padListener = -2 // a listening socket
	padNone     = -3 // a descriptor never armed: ignored
)

// pollEvent is a ready descriptor and the tag it was armed with.
type pollEvent struct {
	fd, tag int32
	hup     bool // the peer's end of stream (or a hang-up) was there when reported
}
