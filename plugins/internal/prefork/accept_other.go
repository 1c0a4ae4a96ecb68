//go:build !linux

package prefork

import (
	"errors"
	"net"
)

type multiAccept struct{}

func newMultiAccept([]net.Listener) (*multiAccept, error) {
	return nil, errors.ErrUnsupported
}
func (m *multiAccept) wake()                     {}
func (m *multiAccept) accept() (net.Conn, error) { return nil, errors.ErrUnsupported }
