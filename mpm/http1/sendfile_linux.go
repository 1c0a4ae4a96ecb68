package http1

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
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
// nil error), with pread(2) as a raw system call: a read of a regular file does not
// wait for another party (a cold page cache waits for the disk, holding the P as the
// thread is held anyway), and an ordinary call would hand the P off and wake the
// runtime's monitor thread for each request (see plugins/internal/rawwait).
func preadFull(f *os.File, p []byte, off int64) (int, error) {
	fd := f.Fd()
	done := 0
	for done < len(p) {
		n, _, e := syscall.RawSyscall6(unix.SYS_PREAD64, fd, uintptr(unsafe.Pointer(&p[done])), uintptr(len(p)-done), uintptr(off+int64(done)), 0, 0)
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
