//go:build freebsd || darwin

package threads

import "golang.org/x/sys/unix"

// On the BSDs the connection's calls are ordinary system calls (see
// rawio_linux.go for why Linux makes them raw).

func rawRead(fd int, p []byte) (int, error)                   { return unix.Read(fd, p) }
func rawWrite(fd int, p []byte) (int, error)                  { return unix.Write(fd, p) }
func rawSendfile(out, in int, off *int64, n int) (int, error) { return unix.Sendfile(out, in, off, n) }
func rawClose(fd int) error                                   { return unix.Close(fd) }
