//go:build linux

package prefork

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/plugins/internal/rawwait"
	"github.com/httpd-mpm/httpd-mpm/plugins/internal/threads"
)

// multiAccept waits on the listening sockets with its own epoll set in
// EPOLLEXCLUSIVE mode, so that a new connection wakes one idle child
// instead of every child (the thundering herd Apache avoids with its
// accept mutex), then accepts without blocking from the ready socket;
// another child may still win the race, and then it simply waits again.
// The connection is a threads.NewConn: its descriptor as accepted, with no
// netpoller (net.FileConn costs eleven system calls more per connection).
type multiAccept struct {
	raws   []syscall.RawConn
	fds    map[int32]int // listener fd -> index in raws
	epfd   int
	wakeFD int // eventfd written by wake to end a wait
}

func newMultiAccept(lns []net.Listener) (*multiAccept, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	m := &multiAccept{epfd: epfd, fds: map[int32]int{}}
	for i, ln := range lns {
		sc, ok := ln.(syscall.Conn)
		if !ok {
			return nil, fmt.Errorf("listener %s has no descriptor", ln.Addr())
		}
		raw, err := sc.SyscallConn()
		if err != nil {
			return nil, err
		}
		var fd int
		if err := raw.Control(func(f uintptr) { fd = int(f) }); err != nil {
			return nil, err
		}
		ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLEXCLUSIVE, Fd: int32(fd)}
		if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
			return nil, fmt.Errorf("epoll_ctl listener: %w", err)
		}
		m.raws = append(m.raws, raw)
		m.fds[int32(fd)] = i
	}
	if m.wakeFD, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(m.wakeFD)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, m.wakeFD, &ev); err != nil {
		return nil, fmt.Errorf("epoll_ctl eventfd: %w", err)
	}
	return m, nil
}

func (m *multiAccept) wake() {
	var one = [8]byte{1}
	_, _ = unix.Write(m.wakeFD, one[:])
}

// accept returns a connection, or nil and nil when it should be called again.
func (m *multiAccept) accept() (net.Conn, error) {
	var events [4]unix.EpollEvent
	// A busy child's next connection usually comes within the raw wait's
	// window; an idle child then sleeps in an ordinary one.
	n, err := rawwait.EpollWait(m.epfd, events[:])
	if n == 0 && err == nil {
		n, err = unix.EpollWait(m.epfd, events[:], -1)
	}
	if err != nil {
		if errors.Is(err, unix.EINTR) {
			return nil, nil
		}
		return nil, fmt.Errorf("epoll_wait: %w", err)
	}
	for _, ev := range events[:n] {
		i, ok := m.fds[ev.Fd]
		if !ok {
			continue // the wake-up eventfd: the caller checks closed
		}
		var nfd int
		var sa unix.Sockaddr
		var aerr error
		if err := m.raws[i].Control(func(f uintptr) {
			nfd, sa, aerr = threads.AcceptNonblock(int(f))
		}); err != nil {
			return nil, err
		}
		if aerr != nil {
			if errors.Is(aerr, unix.EAGAIN) || errors.Is(aerr, unix.ECONNABORTED) {
				continue
			}
			return nil, fmt.Errorf("accept: %w", aerr)
		}
		return threads.NewConn(nfd, sa), nil
	}
	return nil, nil
}
