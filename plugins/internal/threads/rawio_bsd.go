//go:build freebsd || darwin

package threads

import (
	"errors"

	"golang.org/x/sys/unix"
)

// On the BSDs the connection's calls are ordinary system calls (see
// rawio_linux.go for why Linux makes them raw).

func rawRead(fd int, p []byte) (int, error)                   { return unix.Read(fd, p) }
func rawWrite(fd int, p []byte) (int, error)                  { return unix.Write(fd, p) }
func rawSendMore(fd int, p []byte) (int, error)               { return unix.Write(fd, p) } // no MSG_MORE here
func rawSendfile(out, in int, off *int64, n int) (int, error) { return unix.Sendfile(out, in, off, n) }
func rawClose(fd int) error                                   { return unix.Close(fd) }
func rawShutdown(fd, how int) error                           { return unix.Shutdown(fd, how) }

// Unread and Unacked cannot tell here: http1 then lingers (see
// rawio_linux.go).
func (c *conn) Unread() (int, error)  { return 0, errors.ErrUnsupported }
func (c *conn) Unacked() (int, error) { return 0, errors.ErrUnsupported }
