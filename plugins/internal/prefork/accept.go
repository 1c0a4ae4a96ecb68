package prefork

import (
	"errors"
	"net"

	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/plugins/internal/threads"
)

// acceptor takes one connection at a time from any of the listeners, so a
// busy child never holds a connection another child could serve.
type acceptor interface {
	Accept() (net.Conn, error)
	Close() error
}

// newAcceptor is a threads.Acceptor in raw mode (one wake-up per new
// connection across the children, bare-descriptor connections whose waits
// keep the child's one P); where there is none (not Linux), a net.Listener
// on the only listener.
func newAcceptor(ls []mpm.Listener) (acceptor, error) {
	a, err := threads.NewAcceptor(ls, true)
	switch {
	case err == nil:
		return a, nil
	case !errors.Is(err, errors.ErrUnsupported):
		return nil, err
	case len(ls) != 1:
		return nil, errors.New("prefork accepts on one listener only on this system")
	}
	return ls[0].Listen()
}
