//go:build !linux

package threads

import (
	"errors"
	"net"

	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// Acceptor needs epoll's EPOLLEXCLUSIVE: elsewhere NewAcceptor returns
// errors.ErrUnsupported and callers accept through net.Listener.
type Acceptor struct{}

// NewAcceptor is Linux-only.
func NewAcceptor([]mpm.Listener, bool) (*Acceptor, error) { return nil, errors.ErrUnsupported }

// Accept is Linux-only.
func (a *Acceptor) Accept() (net.Conn, error) { return nil, errors.ErrUnsupported }

// Close is Linux-only.
func (a *Acceptor) Close() error { return nil }
