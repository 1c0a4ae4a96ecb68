package threads

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// epoller is the Linux poller: an epoll set, woken through an eventfd.
type epoller struct {
	epfd, wakefd int
	raw          []unix.EpollEvent
}

func newPoller() (poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	p := &epoller{epfd: epfd, wakefd: -1}
	if p.wakefd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		p.close()
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, p.wakefd, &unix.EpollEvent{Events: unix.EPOLLIN, Pad: padWake}); err != nil {
		p.close()
		return nil, fmt.Errorf("epoll_ctl eventfd: %w", err)
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
	op := unix.EPOLL_CTL_ADD
	if added {
		op = unix.EPOLL_CTL_MOD
	}
	if err := unix.EpollCtl(p.epfd, op, fd, &unix.EpollEvent{Events: events, Fd: int32(fd), Pad: tag}); err != nil {
		return fmt.Errorf("epoll_ctl: %w", err)
	}
	return nil
}

func (p *epoller) disarm(fd int) error {
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, fd, nil); err != nil {
		return fmt.Errorf("epoll_ctl: %w", err)
	}
	return nil
}

func (p *epoller) wait(evs []pollEvent, timeout int) (int, error) {
	if len(p.raw) < len(evs) {
		p.raw = make([]unix.EpollEvent, len(evs))
	}
	n, err := unix.EpollWait(p.epfd, p.raw[:len(evs)], timeout)
	if err != nil {
		return 0, err
	}
	for i, ev := range p.raw[:n] {
		if ev.Pad == padWake {
			var b [8]byte
			unix.Read(p.wakefd, b[:])
		}
		evs[i] = pollEvent{fd: ev.Fd, tag: ev.Pad}
	}
	return n, nil
}

func (p *epoller) wake() {
	one := [8]byte{1}
	unix.Write(p.wakefd, one[:])
}

func (p *epoller) close() {
	unix.Close(p.epfd)
	if p.wakefd >= 0 {
		unix.Close(p.wakefd)
	}
}
