package mpm

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/internal/unpolled"
)

// Listener is one listening socket handed to the MPM.
//
// File is the MPM's to keep, pass to children (see StartChild) and close
// when it stops. The host holds its own copy of the socket, so closing File
// never refuses a connection; shutting the socket down would, and is
// forbidden. File is not in Go's netpoller (a process that holds a socket
// without accepting from it is not woken by its connections) and its
// descriptor is non-blocking: accept from the net.Listener of Listen, or
// from a duplicate in a poller of your own. The socket's flags are shared
// by every process that holds it: never make it blocking (the Fd method of
// a net.Listener's File does), or another child's accept would wait.
type Listener struct {
	Name    string // the Listen argument as written, e.g. "127.0.0.1:8080"
	Network string // "tcp4" or "tcp6"
	Address string // the bound address
	// Bucket is the listeners bucket (ListenCoresBucketsRatio): with N
	// buckets the host binds N SO_REUSEPORT sockets per Listen, numbered
	// 0..N-1, and an MPM gives each child the sockets of one bucket
	// (Apache: slot % N). Always 0 without buckets.
	Bucket int
	File   *os.File
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
	f, err := unpolled.File(int(fd), "listener:"+name)
	if err != nil {
		return Listener{}, fmt.Errorf("listener %s: %w", name, err)
	}
	return Listener{Name: name, Network: network, Address: address, File: f}, nil
}

// fdEntry is one row of a descriptor table: a descriptor number and the
// listener it holds.
type fdEntry struct {
	fd                     uintptr
	name, network, address string
}

// adoptListeners adopts a whole descriptor table or, on error, nothing:
// the descriptors before the bad entry are closed. A descriptor named
// twice is refused: two Files over one descriptor would close it twice,
// the second time perhaps someone else's. Every entry is checked before
// any is adopted: adopting moves a socket to the lowest free number, which
// must not be one that a later entry names.
func adoptListeners(table []fdEntry) ([]Listener, error) {
	seen := map[uintptr]bool{}
	for i, e := range table {
		err := checkListening(int(e.fd))
		if seen[e.fd] {
			err = errors.New("named twice in the descriptor table")
		}
		if err != nil {
			for _, a := range table[:i] {
				syscall.Close(int(a.fd))
			}
			return nil, fmt.Errorf("fd %d for %s: %w", e.fd, e.name, err)
		}
		seen[e.fd] = true
	}
	var ls []Listener
	for _, e := range table {
		ln, err := adoptListener(e.fd, e.name, e.network, e.address)
		if err != nil {
			for _, a := range ls {
				a.File.Close()
			}
			return nil, err
		}
		ls = append(ls, ln)
	}
	return ls, nil
}
