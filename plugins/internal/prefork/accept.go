package prefork

import (
	"errors"
	"net"
	"sync/atomic"

	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// acceptor takes one connection at a time from any of the listeners, so a
// busy child never holds a connection another child could serve.
type acceptor struct {
	lns    []net.Listener
	closed atomic.Bool
	multi  *multiAccept // nil where the platform has no exclusive wait (then one listener only)
}

func newAcceptor(ls []mpm.Listener) (*acceptor, error) {
	if len(ls) == 0 {
		return nil, errors.New("no listeners")
	}
	a := &acceptor{}
	for _, l := range ls {
		ln, err := l.Listen()
		if err != nil {
			a.Close()
			return nil, err
		}
		a.lns = append(a.lns, ln)
	}
	m, err := newMultiAccept(a.lns)
	switch {
	case err == nil:
		a.multi = m
	case len(a.lns) > 1 || !errors.Is(err, errors.ErrUnsupported):
		a.Close()
		return nil, err
	}
	return a, nil
}

// Accept waits for the next connection on any listener.
func (a *acceptor) Accept() (net.Conn, error) {
	if a.multi == nil {
		return a.lns[0].Accept()
	}
	for {
		if a.closed.Load() {
			return nil, net.ErrClosed
		}
		c, err := a.multi.accept()
		if c != nil || err != nil {
			return c, err
		}
	}
}

// Close stops accepting: a blocked Accept returns net.ErrClosed.
func (a *acceptor) Close() {
	a.closed.Store(true)
	if a.multi != nil {
		a.multi.wake()
	}
	for _, ln := range a.lns {
		ln.Close()
	}
}
