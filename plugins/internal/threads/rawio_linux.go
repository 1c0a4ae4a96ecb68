package threads

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/internal/rawsys"
)

// The connection's descriptor is non-blocking, so its reads, writes and
// sendfiles return at once (a loopback write does the receiver's TCP work
// too, tens of µs, but never waits). They go to the kernel as raw system
// calls: an ordinary one (syscall.Syscall) tells the runtime the goroutine
// may block, and while it runs the runtime's monitor thread (sysmon) wakes
// up, polls every 20 µs and hands the worker's P to another thread (with
// the loop's own wait, see poller_linux.go, that was 12-17 % of a busy
// event child's CPU). A raw call keeps the P and leaves sysmon asleep.
// Waiting is never done this way: that stays with poll(2) in conn.wait.
// The same holds for what the event loop and the acceptors call on every
// connection: accept4 on a non-blocking listener, epoll_ctl, shutdown, the
// reads of a lingering close, and close. Each ordinary call a child makes
// while its Ps are all idle also wakes sysmon from its deep sleep, to poll
// every 20 µs for a while: one shutdown per Connection: close request kept
// it at ~10 % of an event child's CPU.

// rawRead is read(2) on a non-blocking descriptor.
func rawRead(fd int, p []byte) (int, error) { return rawIO(unix.SYS_READ, fd, p) }

// rawWrite is write(2) on a non-blocking descriptor.
func rawWrite(fd int, p []byte) (int, error) { return rawIO(unix.SYS_WRITE, fd, p) }

// rawSendMore is send(2) with MSG_MORE on a non-blocking descriptor: the
// kernel keeps what does not fill a segment back until the next send
// without the flag (the sendfile(2) of the body that follows) pushes it, or
// a close or shutdown sends it with the FIN.
func rawSendMore(fd int, p []byte) (int, error) {
	var base unsafe.Pointer
	if len(p) > 0 {
		base = unsafe.Pointer(&p[0])
	}
	n, _, e := syscall.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(base), uintptr(len(p)), unix.MSG_MORE|unix.MSG_NOSIGNAL, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

func rawIO(trap uintptr, fd int, p []byte) (int, error) {
	var base unsafe.Pointer
	if len(p) > 0 {
		base = unsafe.Pointer(&p[0])
	}
	n, _, e := syscall.RawSyscall(trap, uintptr(fd), uintptr(base), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// rawClose is close(2) of a connection's socket: without SO_LINGER it
// hands the socket's end to the kernel and returns at once.
func rawClose(fd int) error {
	if _, _, e := syscall.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0); e != 0 {
		return e
	}
	return nil
}

// rawShutdown is shutdown(2) of a connection's socket, which queues the FIN
// (and ends a wait on the socket) without waiting itself.
func rawShutdown(fd, how int) error {
	if _, _, e := syscall.RawSyscall(unix.SYS_SHUTDOWN, uintptr(fd), uintptr(how), 0); e != 0 {
		return e
	}
	return nil
}

// rawEpollCtl is epoll_ctl(2), which only edits the set.
func rawEpollCtl(epfd, op, fd int, ev *unix.EpollEvent) error {
	if _, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_CTL, uintptr(epfd), uintptr(op), uintptr(fd), uintptr(unsafe.Pointer(ev)), 0, 0); e != 0 {
		return e
	}
	return nil
}

// rawSendfile is sendfile(2) to a non-blocking socket from a regular
// file (rawsys.Sendfile, a raw system call where it can be). Its reads come from the page cache; a cold one waits for the disk
// holding the P, as a read(2) of the file would hold its thread.
func rawSendfile(out, in int, off *int64, n int) (int, error) {
	k, e := rawsys.Sendfile(out, in, off, n)
	if e != 0 {
		return -1, e
	}
	return k, nil
}

// Unread is how many bytes wait in the socket's receive queue (SIOCINQ):
// http1 asks before it closes without lingering. ioctl(2) does not wait.
func (c *conn) Unread() (int, error) { return c.ioctlInt(unix.SIOCINQ) }

// Unacked is how many bytes the socket's send queue holds that the client
// has not acknowledged, sent or not (SIOCOUTQ): http1 asks before it closes
// without lingering.
func (c *conn) Unacked() (int, error) { return c.ioctlInt(unix.SIOCOUTQ) }

func (c *conn) ioctlInt(req uintptr) (int, error) {
	var n int32
	if _, _, e := syscall.RawSyscall(unix.SYS_IOCTL, uintptr(c.fd), req, uintptr(unsafe.Pointer(&n))); e != 0 {
		return 0, e
	}
	return int(n), nil
}
