//go:build !linux

package http1

import (
	"errors"
	"net"
)

// unreadBytes and unackedBytes cannot tell here (see unread_linux.go): a close
// after the client asked for it lingers, as apache2 always does.
func unreadBytes(net.Conn) (int, error)  { return 0, errors.ErrUnsupported }
func unackedBytes(net.Conn) (int, error) { return 0, errors.ErrUnsupported }
