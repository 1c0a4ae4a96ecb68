//go:build !linux

package threads

import (
	"errors"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// parker is Linux-only (epoll); elsewhere Serve refuses Park.
type parker struct{ onIdle func(int) }

func newParker(func(*http1.Conn) bool, func(*http1.Conn), time.Duration) (*parker, error) {
	return nil, errors.ErrUnsupported
}
func (p *parker) loop()                  {}
func (p *parker) park(*http1.Conn) error { return errors.ErrUnsupported }
func (p *parker) drop(*http1.Conn)       {}
