package http1

import (
	"errors"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// unreadBytes is how many bytes wait in c's receive queue (FIONREAD), for a
// connection with a descriptor (syscall.Conn).
func unreadBytes(c net.Conn) (int, error) { return queueBytes(c, unix.SIOCINQ) }

// unackedBytes is how many bytes c's send queue holds that the peer has not
// acknowledged, sent or not (SIOCOUTQ), for a connection with a descriptor
// (syscall.Conn).
func unackedBytes(c net.Conn) (int, error) { return queueBytes(c, unix.SIOCOUTQ) }

// queueBytes asks c's descriptor the size of a queue with ioctl(2) req.
func queueBytes(c net.Conn, req uint) (int, error) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 0, errors.ErrUnsupported
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0, err
	}
	n := 0
	cerr := rc.Control(func(fd uintptr) { n, err = unix.IoctlGetInt(int(fd), req) })
	return n, errors.Join(cerr, err)
}
