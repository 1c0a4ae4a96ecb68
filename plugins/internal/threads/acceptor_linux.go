package threads

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/plugins/internal/rawwait"
)

// Acceptor is the accepting side of a prefork child and of a worker
// child's listener thread: it waits for a connection on any of the
// child's listening sockets and accepts it as a conn over its bare
// descriptor, without Go's netpoller.
//
// Its epoll set holds the sockets in EPOLLEXCLUSIVE mode, so a new
// connection wakes one waiting child instead of every child (the
// thundering herd Apache avoids with its accept mutex); another child may
// still win the race for it, and then the loser simply waits again. A
// child that is not waiting (busy) is not woken at all. That takes a
// thread blocked in epoll_wait on the set itself: the kernel counts an
// exclusive wake-up as delivered only to such a waiter, so a set waited on
// through Go's netpoller (a set inside the runtime's set, as the event
// loop's is) would pass each connection on to every child (measured: 48
// context switches per connection with 64 prefork children). It holds its own
// duplicates of the sockets and closes the Listeners' Files (see
// takeListeners).
//
// A listening socket with TCP_NODELAY set (the host sets it) hands it
// down to the accepted connections, which then skip a setsockopt each.
//
// Accept is for one goroutine at a time; Close may be called from any.
type Acceptor struct {
	lns     []listenFD
	epfd    int
	wakeFD  int        // eventfd written by Close to end a wait
	raw     bool       // prefork: raw waits first for the Acceptor and its connections
	mu      sync.Mutex // orders Close's wake-up before the descriptors close
	closed  atomic.Bool
	release sync.Once
	events  [4]unix.EpollEvent
}

// NewAcceptor takes over the listeners ls (it closes their Files).
//
// raw is for a process that serves one connection at a time with
// GOMAXPROCS 1 (a prefork child): the Acceptor's waits and its
// connections' start as rawwait's, keeping the process's P, and only
// after that as system calls. A threaded child must pass false (a raw
// wait holds a P that its other goroutines need); its connections then
// read through Go's netpoller once a read has had to wait (conn.netpoll).
func NewAcceptor(ls []mpm.Listener, raw bool) (*Acceptor, error) {
	if len(ls) == 0 {
		return nil, errors.New("no listeners")
	}
	a := &Acceptor{epfd: -1, wakeFD: -1, raw: raw}
	fail := func(err error) (*Acceptor, error) {
		a.closeFDs()
		return nil, err
	}
	var err error
	if a.epfd, a.wakeFD, err = newWakeSet(unix.EpollEvent{Fd: -1}); err != nil {
		return fail(err)
	}
	if a.lns, err = takeListeners(ls); err != nil {
		return fail(err)
	}
	for i, lf := range a.lns {
		ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLEXCLUSIVE, Fd: int32(i)}
		if err := unix.EpollCtl(a.epfd, unix.EPOLL_CTL_ADD, lf.fd, &ev); err != nil {
			return fail(fmt.Errorf("epoll_ctl listener %s: %w", lf.name, err))
		}
	}
	return a, nil
}

// Accept waits for the next connection on any listener. After Close it
// returns net.ErrClosed, and the Acceptor's descriptors are closed.
func (a *Acceptor) Accept() (net.Conn, error) {
	c, err := a.accept()
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (a *Acceptor) accept() (*conn, error) {
	for {
		if a.closed.Load() {
			a.release.Do(func() {
				a.mu.Lock()
				defer a.mu.Unlock()
				a.closeFDs()
			})
			return nil, net.ErrClosed
		}
		n, err := 0, error(nil)
		if a.raw {
			// A busy child's next connection usually comes within the
			// raw wait's window; an idle child then sleeps in an
			// ordinary one.
			n, err = rawwait.EpollWait(a.epfd, a.events[:])
		}
		if n == 0 && err == nil {
			n, err = unix.EpollWait(a.epfd, a.events[:], -1)
		}
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return nil, fmt.Errorf("epoll_wait: %w", err)
		}
		for _, ev := range a.events[:n] {
			if ev.Fd < 0 {
				continue // the wake-up eventfd: closed is checked above
			}
			lf := a.lns[ev.Fd]
			c, err := acceptConn(lf)
			if err != nil {
				return nil, fmt.Errorf("accept: %w", err)
			}
			if c != nil { // else another child won the race
				c.raw, c.netpoll = a.raw, !a.raw
				return c, nil
			}
		}
	}
}

// Close stops accepting: a waiting Accept returns net.ErrClosed. The
// host's own copy of each socket keeps it open, so no connection is
// refused.
func (a *Acceptor) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.closed.Swap(true) {
		wake(a.wakeFD)
	}
	return nil
}

func (a *Acceptor) closeFDs() {
	closeListeners(a.lns)
	for _, fd := range []int{a.epfd, a.wakeFD} {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
}
