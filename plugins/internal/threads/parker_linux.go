//go:build linux

package threads

import (
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// parker holds idle keep-alive connections in an epoll set: no goroutine
// and no buffer per connection. A connection that becomes readable goes to
// a worker; one idle for KeepAliveTimeout is closed.
type parker struct {
	epfd     int
	timeout  time.Duration
	dispatch func(*http1.Conn) bool

	mu      sync.Mutex
	byFD    map[int32]*parked
	expiry  []expiry  // in park order; KeepAliveTimeout is the same for all
	pending []*parked // readable, waiting for a free worker
	onClose func(*http1.Conn)
	armed   int // connections waiting in the set
	// onIdle, if set, is told the number of parked connections after each
	// turn of the loop (the scoreboard's keep-alive count).
	onIdle func(n int)
}

type parked struct {
	hc    *http1.Conn
	fd    int32
	armed bool   // in the epoll set and waiting
	seq   uint64 // bumped on every park; stale expiry entries carry an old one
}

type expiry struct {
	pk       *parked
	seq      uint64
	deadline time.Time
}

func newParker(dispatch func(*http1.Conn) bool, onClose func(*http1.Conn), timeout time.Duration) (*parker, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	return &parker{epfd: epfd, timeout: timeout, dispatch: dispatch, onClose: onClose, byFD: make(map[int32]*parked)}, nil
}

func connFD(hc *http1.Conn) (int32, error) {
	sc, ok := hc.NetConn().(syscall.Conn)
	if !ok {
		return 0, errors.New("connection has no descriptor")
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0, err
	}
	var fd int32
	err = raw.Control(func(f uintptr) { fd = int32(f) })
	return fd, err
}

// park puts an idle connection in the epoll set.
func (p *parker) park(hc *http1.Conn) error {
	fd, err := connFD(hc)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	pk, known := p.byFD[fd]
	if !known || pk.hc != hc {
		pk = &parked{hc: hc, fd: fd}
		p.byFD[fd] = pk
		known = false
	}
	pk.seq++
	if !pk.armed {
		p.armed++
	}
	pk.armed = true
	p.expiry = append(p.expiry, expiry{pk: pk, seq: pk.seq, deadline: time.Now().Add(p.timeout)})
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT, Fd: fd}
	op := unix.EPOLL_CTL_MOD
	if !known {
		op = unix.EPOLL_CTL_ADD
	}
	if err := unix.EpollCtl(p.epfd, op, int(fd), &ev); err != nil {
		if op == unix.EPOLL_CTL_MOD && errors.Is(err, unix.ENOENT) {
			err = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, int(fd), &ev)
		}
		if err != nil {
			delete(p.byFD, fd)
			pk.armed = false
			p.armed--
			return fmt.Errorf("epoll_ctl: %w", err)
		}
	}
	return nil
}

// forget removes a connection from the set before it is closed.
func (p *parker) forgetLocked(pk *parked) {
	_ = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, int(pk.fd), nil)
	if p.byFD[pk.fd] == pk {
		delete(p.byFD, pk.fd)
	}
	if pk.armed {
		p.armed--
	}
	pk.armed = false
}

func (p *parker) loop() {
	events := make([]unix.EpollEvent, 256)
	for {
		wait := 1000
		p.mu.Lock()
		if len(p.pending) > 0 {
			wait = 5
		} else if len(p.expiry) > 0 {
			wait = int(time.Until(p.expiry[0].deadline)/time.Millisecond) + 1
			wait = max(1, min(wait, 1000))
		}
		p.mu.Unlock()
		n, err := unix.EpollWait(p.epfd, events, wait)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return
		}
		p.mu.Lock()
		for i := 0; i < n; i++ {
			pk := p.byFD[events[i].Fd]
			if pk == nil || !pk.armed {
				continue
			}
			pk.armed = false
			p.armed--
			p.pending = append(p.pending, pk)
		}
		// Hand readable connections to idle workers, oldest first.
		kept := p.pending[:0]
		for _, pk := range p.pending {
			if len(kept) > 0 || !p.dispatch(pk.hc) {
				kept = append(kept, pk)
			}
		}
		clear(p.pending[len(kept):])
		p.pending = kept
		p.expireLocked(time.Now())
		if p.onIdle != nil {
			p.onIdle(p.armed)
		}
		p.mu.Unlock()
	}
}

// expireLocked closes connections idle for KeepAliveTimeout.
func (p *parker) expireLocked(now time.Time) {
	i := 0
	for ; i < len(p.expiry); i++ {
		e := p.expiry[i]
		if e.deadline.After(now) {
			break
		}
		if e.pk.armed && e.pk.seq == e.seq && p.byFD[e.pk.fd] == e.pk {
			p.forgetLocked(e.pk)
			p.onClose(e.pk.hc)
		}
	}
	clear(p.expiry[:i])
	p.expiry = p.expiry[i:]
}

// drop forgets a connection a worker is about to close.
func (p *parker) drop(hc *http1.Conn) {
	fd, err := connFD(hc)
	if err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if pk := p.byFD[fd]; pk != nil && pk.hc == hc {
		p.forgetLocked(pk)
	}
}
