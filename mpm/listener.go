package mpm

import (
	"fmt"
	"net"
	"os"
)

// Listener is one listening socket handed to the MPM.
//
// File is the MPM's to keep, pass to children (see StartChild) and close
// when it stops. The host holds its own copy of the socket, so closing File
// never refuses a connection; shutting the socket down would, and is
// forbidden.
type Listener struct {
	Name    string // the Listen argument as written, e.g. "127.0.0.1:8080"
	Network string // "tcp4" or "tcp6"
	Address string // the bound address
	File    *os.File
}

// Listen returns a net.Listener on the socket. It duplicates the
// descriptor: closing the net.Listener leaves File open.
func (l Listener) Listen() (net.Listener, error) {
	ln, err := net.FileListener(l.File)
	if err != nil {
		return nil, fmt.Errorf("listener %s (fd %d): %w", l.Name, l.File.Fd(), err)
	}
	return ln, nil
}

// adoptListener turns an inherited descriptor into a Listener after
// checking that it is a listening socket.
func adoptListener(fd uintptr, name, network, address string) (Listener, error) {
	if err := checkListening(int(fd)); err != nil {
		return Listener{}, fmt.Errorf("fd %d for %s: %w", fd, name, err)
	}
	return Listener{Name: name, Network: network, Address: address, File: os.NewFile(fd, "listener:"+name)}, nil
}
