//go:build !linux && !freebsd && !darwin

package threads

import (
	"errors"
	"net"

	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// The event child's loop and conn need epoll or kqueue; elsewhere Serve
// refuses Park.
type (
	loop     struct{}
	conn     struct{ net.Conn }
	listenFD struct{}
)

func takeListeners([]mpm.Listener) ([]listenFD, error) { return nil, errors.ErrUnsupported }
func closeListeners([]listenFD)                        {}
func newLoop(*child, []listenFD, func()) (*loop, error) {
	return nil, errors.ErrUnsupported
}
func (l *loop) run()                          {}
func (l *loop) wake()                         {}
func (l *loop) maybeWake()                    {}
func (l *loop) park(*http1.Conn, *conn) error { return errors.ErrUnsupported }
func (l *loop) linger(*conn) error            { return errors.ErrUnsupported }
func (l *loop) complete(*http1.Conn, *conn, bool) error {
	return errors.ErrUnsupported
}
func (c *conn) CloseWrite() error { return errors.ErrUnsupported }
