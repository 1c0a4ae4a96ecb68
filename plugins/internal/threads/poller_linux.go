package threads

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/plugins/internal/rawwait"
)

// epoller is the Linux poller: an epoll set, woken through an eventfd.
//
// The loop does not block in epoll_wait(2) itself: the set's descriptor is
// registered with Go's own netpoller (an epoll set is readable while it
// has events), the loop takes events with non-blocking epoll_waits, and
// when there are none its goroutine parks until the set is readable. A
// goroutine blocked in a system call keeps a thread and makes the runtime
// hand its P off and wake its monitor thread (sysmon), which then polls
// every 20 µs; on a busy event child that was one thread switch per
// request and 12-17 % of its CPU. Parked in the netpoller, the loop holds
// no thread: the runtime's idle thread waits for the connections, the
// worker it hands a connection to usually runs on the thread that woke
// the loop, and sysmon sleeps.
type epoller struct {
	epfd, wakefd int
	raw          []unix.EpollEvent
	// set owns epfd once made; conn is set's, nil when epfd is not in the
	// netpoller (the loop then blocks in epoll_wait).
	set  *os.File
	conn syscall.RawConn
	// ready is pollReady, bound once: conn.Read's callback, which a closure
	// made for each wait would allocate, with the results it sets (cur, n
	// and err: the wait's events and what the last poll found).
	ready func(uintptr) bool
	cur   []unix.EpollEvent
	n     int
	err   error
}

func newPoller() (poller, error) {
	epfd, wakefd, err := newWakeSet(unix.EpollEvent{Pad: padWake})
	if err != nil {
		return nil, err
	}
	p := &epoller{epfd: epfd, wakefd: wakefd}
	// Non-blocking, so that os.NewFile registers it with the netpoller;
	// SetReadDeadline fails if that did not work.
	if unix.SetNonblock(epfd, true) == nil {
		p.set = os.NewFile(uintptr(epfd), "epoll")
		if conn, err := p.set.SyscallConn(); err == nil && p.set.SetReadDeadline(time.Time{}) == nil {
			p.conn, p.ready = conn, p.pollReady
		}
	}
	return p, nil
}

func (p *epoller) arm(fd int, in interest, tag int32, added bool) error {
	var events uint32
	if in&wantRead != 0 {
		events |= unix.EPOLLIN | unix.EPOLLRDHUP
	}
	if in&wantWrite != 0 {
		events |= unix.EPOLLOUT
	}
	if in&once != 0 {
		events |= unix.EPOLLONESHOT
	}
	if in&edge != 0 {
		events |= unix.EPOLLET
	}
	op := unix.EPOLL_CTL_ADD
	if added {
		op = unix.EPOLL_CTL_MOD
	}
	if err := rawEpollCtl(p.epfd, op, fd, &unix.EpollEvent{Events: events, Fd: int32(fd), Pad: tag}); err != nil {
		return fmt.Errorf("epoll_ctl: %w", err)
	}
	return nil
}

// parkMode is how a parked connection waits for its next request:
// edge-triggered, so that it stays armed while a worker serves it, and
// parking it again needs no epoll_ctl when the worker's last read of the
// socket was short (see loop.armLocked); after a read that filled its
// buffer the park arms it again, which looks at the bytes that read may
// have left (TestPipelinedAfterFullRead).
const parkMode = edge

func (p *epoller) disarm(fd int) error {
	if err := rawEpollCtl(p.epfd, unix.EPOLL_CTL_DEL, fd, &unix.EpollEvent{}); err != nil {
		return fmt.Errorf("epoll_ctl: %w", err)
	}
	return nil
}

// poll is a non-blocking epoll_wait, a raw system call (it never waits).
func (p *epoller) poll(evs []unix.EpollEvent) (int, error) { return rawwait.EpollPwait(p.epfd, evs, 0) }

func (p *epoller) wait(evs []pollEvent, timeout int) (int, error) {
	if len(p.raw) < len(evs) {
		p.raw = make([]unix.EpollEvent, len(evs))
	}
	raw := p.raw[:len(evs)]
	var n int
	var err error
	switch {
	case p.conn == nil:
		n, err = unix.EpollWait(p.epfd, raw, timeout)
	default:
		n, err = p.poll(raw)
		if n > 0 || err != nil || timeout == 0 {
			break
		}
		var deadline time.Time
		if timeout > 0 {
			deadline = time.Now().Add(time.Duration(timeout) * time.Millisecond)
		}
		p.set.SetReadDeadline(deadline)
		p.cur, p.n, p.err = raw, 0, nil
		rerr := p.conn.Read(p.ready)
		n, err = p.n, p.err
		p.cur, p.err = nil, nil
		if errors.Is(rerr, os.ErrDeadlineExceeded) {
			return 0, nil
		} else if rerr != nil {
			return 0, rerr
		}
	}
	if err != nil {
		return 0, err
	}
	for i, ev := range raw[:n] {
		if ev.Pad == padWake {
			var b [8]byte
			_, _ = rawRead(p.wakefd, b[:])
		}
		evs[i] = pollEvent{fd: ev.Fd, tag: ev.Pad, hup: ev.Events&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0}
	}
	return n, nil
}

// pollReady polls for the events of the wait in progress (cur) and reports
// whether the wait is over: events, or an error other than EINTR.
func (p *epoller) pollReady(uintptr) bool {
	p.n, p.err = p.poll(p.cur)
	return p.n > 0 || p.err != nil && p.err != unix.EINTR
}

func (p *epoller) wake() { wake(p.wakefd) }

// newWakeSet makes an epoll set holding a non-blocking eventfd, registered
// readable with ev's data (its tag), so that wake ends a wait on the set from
// another goroutine. On error nothing is left open.
func newWakeSet(ev unix.EpollEvent) (epfd, wakefd int, err error) {
	if epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		return -1, -1, fmt.Errorf("epoll_create1: %w", err)
	}
	if wakefd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		unix.Close(epfd)
		return -1, -1, fmt.Errorf("eventfd: %w", err)
	}
	ev.Events = unix.EPOLLIN
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &ev); err != nil {
		unix.Close(wakefd)
		unix.Close(epfd)
		return -1, -1, fmt.Errorf("epoll_ctl eventfd: %w", err)
	}
	return epfd, wakefd, nil
}

// wake writes to a newWakeSet eventfd (non-blocking, so a raw system call).
func wake(wakefd int) {
	one := [8]byte{1}
	_, _ = rawWrite(wakefd, one[:])
}

func (p *epoller) close() {
	if p.set != nil {
		p.set.Close() // leaves the netpoller, closes epfd
	} else {
		unix.Close(p.epfd)
	}
	if p.wakefd >= 0 {
		unix.Close(p.wakefd)
	}
}
