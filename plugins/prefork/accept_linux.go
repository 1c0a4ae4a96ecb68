//go:build linux

package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// multiAccept waits on several listening sockets with poll(2) and accepts
// without blocking from the one that is ready; another child may win the
// race, and then it simply polls again.
type multiAccept struct {
	raws []syscall.RawConn
	fds  []unix.PollFd
	wr   *os.File // written by wake to end a poll
	rd   *os.File
}

func newMultiAccept(lns []net.Listener) (*multiAccept, error) {
	m := &multiAccept{}
	for _, ln := range lns {
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
		m.raws = append(m.raws, raw)
		m.fds = append(m.fds, unix.PollFd{Fd: int32(fd), Events: unix.POLLIN})
	}
	var err error
	if m.rd, m.wr, err = os.Pipe(); err != nil {
		return nil, err
	}
	m.fds = append(m.fds, unix.PollFd{Fd: int32(m.rd.Fd()), Events: unix.POLLIN})
	return m, nil
}

func (m *multiAccept) wake() { m.wr.Write([]byte{0}) }

// accept returns a connection, or nil and nil when it should be called again.
func (m *multiAccept) accept() (net.Conn, error) {
	for i := range m.fds {
		m.fds[i].Revents = 0
	}
	if _, err := unix.Poll(m.fds, -1); err != nil {
		if errors.Is(err, unix.EINTR) {
			return nil, nil
		}
		return nil, fmt.Errorf("poll: %w", err)
	}
	for i, raw := range m.raws {
		if m.fds[i].Revents&unix.POLLIN == 0 {
			continue
		}
		var nfd int
		var aerr error
		if err := raw.Control(func(f uintptr) {
			nfd, _, aerr = unix.Accept4(int(f), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		}); err != nil {
			return nil, err
		}
		if aerr != nil {
			if errors.Is(aerr, unix.EAGAIN) || errors.Is(aerr, unix.ECONNABORTED) {
				continue
			}
			return nil, fmt.Errorf("accept: %w", aerr)
		}
		f := os.NewFile(uintptr(nfd), "conn")
		c, err := net.FileConn(f)
		f.Close()
		return c, err
	}
	return nil, nil
}
