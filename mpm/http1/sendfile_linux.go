package http1

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/internal/rawsys"
)

// sendFileRaw sends n bytes of f from off on dst, a connection of Go's netpoller (its
// syscall.Conn), with sendfile(2) at an explicit offset, waiting for writability as
// dst's writes do (up to its write deadline). handled is false when dst offers no
// descriptor. Fewer than n bytes with a nil error means f ended first.
func sendFileRaw(dst net.Conn, f *os.File, off, n int64) (sent int64, handled bool, err error) {
	sc, ok := dst.(syscall.Conn)
	if !ok {
		return 0, false, nil
	}
	out, err := sc.SyscallConn()
	if err != nil {
		return 0, false, nil
	}
	in, err := f.SyscallConn()
	if err != nil {
		return 0, false, nil
	}
	var serr, werr error
	cerr := in.Control(func(ifd uintptr) {
		werr = out.Write(func(ofd uintptr) bool {
			for sent < n {
				pos := off + sent
				k, err := unix.Sendfile(int(ofd), int(ifd), &pos, int(min(n-sent, 1<<30)))
				if k > 0 {
					sent += int64(k)
				}
				switch {
				case err == unix.EAGAIN:
					return false // wait for writability, then again
				case err == unix.EINTR:
				case err != nil:
					serr = os.NewSyscallError("sendfile", err)
					return true
				case k == 0:
					serr = io.EOF
					return true
				}
			}
			return true
		})
	})
	if serr == io.EOF {
		serr = nil
	}
	return sent, true, errors.Join(serr, werr, cerr)
}

// preadFull reads f from off into p until p is full or f ends (then fewer bytes and a
// nil error), with rawsys.Pread: a raw system call where it can be.
func preadFull(f *os.File, p []byte, off int64) (int, error) {
	fd := f.Fd()
	done := 0
	for done < len(p) {
		n, e := rawsys.Pread(fd, p[done:], off+int64(done))
		switch {
		case e == unix.EINTR:
		case e != 0:
			return done, &os.PathError{Op: "read", Path: f.Name(), Err: e}
		case n == 0:
			return done, nil
		default:
			done += int(n)
		}
	}
	return done, nil
}
