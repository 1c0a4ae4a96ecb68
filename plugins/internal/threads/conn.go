//go:build linux || freebsd || darwin

package threads

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/plugins/internal/rawwait"
)

// conn is a net.Conn over a non-blocking socket descriptor that the event
// child polls itself, as Apache's event MPM does: it is never registered
// with Go's netpoller, so it has no netFD, no pollDesc and no timers, and a
// parked keep-alive connection costs the child this struct and its slot in
// the poller. A worker reads and writes it directly; when the socket
// would block, the worker waits in poll(2) up to the deadline (Timeout),
// holding its thread as an Apache worker thread does. A worker child's
// connections (netpoll) read through Go's netpoller once a read has had
// to wait.
//
// Close may be called from another goroutine during a Read or Write: it
// shuts the socket down, which ends the wait, and the descriptor is closed
// when the last operation returns, so its number is never reused under a
// running operation.
type conn struct {
	fd    int
	raddr netip.AddrPort
	laddr net.Addr // the listener's, when it is bound to one address (listenFD.local)

	mu     sync.Mutex
	refs   int32 // operations using fd
	closed bool
	// armed is set once fd is in the loop's poller; later parks re-arm
	// it. armedAs is what it was last armed for (0 after a failed arm).
	// Only the loop's lock holder touches them.
	armed   bool
	armedAs interest
	// full says that the last read of the socket filled its buffer, so
	// that bytes may still wait in it (a park must then arm it again: see
	// loop.armLocked); after a short read, or EAGAIN, the socket was empty.
	// Set by Read, which only the goroutine serving the connection calls;
	// read at a park, by that goroutine or by the loop it handed the
	// connection to under the loop's lock.
	full bool
	// raw makes a wait start with rawwait.Poll (a prefork child's
	// connection: see NewAcceptor); set before use.
	raw bool
	// netpoll (a worker child's connection: see NewAcceptor) moves the
	// connection's reads into Go's netpoller the first time one would
	// block, where waiting holds no thread (a blocking poll(2) makes the
	// runtime hand the thread's P off and take it back: a few more
	// context switches per wait). A connection whose request was there
	// when it was accepted (TCP_DEFER_ACCEPT) and whose client closed
	// first is never registered. Writes still wait in poll(2). Set
	// before use.
	netpoll bool
	file    atomic.Pointer[os.File] // once registered, the owner of fd; set under mu
	rawConn syscall.RawConn         // file's, set before file

	rdl, wdl atomic.Int64 // deadlines, Unix nanoseconds; 0 is none

	// more makes writes ask the kernel to hold a partial segment back for
	// the data that follows (HoldForMore); only the goroutine serving the
	// connection sets it, around one flush.
	more bool
	// held is set while bytes written with more may wait in the send queue
	// (no plain write or sendfile pushed them since): closing the socket
	// then must shut its sending side down first, or a byte the client
	// sends meanwhile, unread, makes close(2) reset the connection and drop
	// them.
	held atomic.Bool
}

var (
	_ net.Conn      = (*conn)(nil)
	_ io.ReaderFrom = (*conn)(nil)
)

// acceptConn accepts a connection from the non-blocking listening socket
// lf: nil and nil when there is none now (EAGAIN); an error for EMFILE
// and friends. A connection that does not inherit TCP_NODELAY from lf (see
// inheritsNoDelay) gets it set; one from a listener bound to one address
// has that as its LocalAddr.
func acceptConn(lf listenFD) (*conn, error) {
	for {
		nfd, peer, err := AcceptNonblock(lf.fd)
		switch err {
		case nil:
			c := &conn{fd: nfd, raddr: peer}
			c.laddr = lf.local
			if !lf.nodelay {
				c.noDelay()
			}
			return c, nil
		case unix.EINTR, unix.ECONNABORTED: // ECONNABORTED: the client gave up first
			continue
		case unix.EAGAIN:
			return nil, nil
		}
		return nil, err
	}
}

// inheritsNoDelay reports whether connections accepted from lfd have
// TCP_NODELAY from it: on Linux, when lfd has it (the host sets it on the
// sockets it binds, as Apache does).
func inheritsNoDelay(lfd int) bool {
	on, err := unix.GetsockoptInt(lfd, unix.IPPROTO_TCP, unix.TCP_NODELAY)
	return runtime.GOOS == "linux" && err == nil && on != 0
}

// sockaddrAddrPort is an Internet socket address as a netip.AddrPort; the
// zero AddrPort for another.
func sockaddrAddrPort(sa unix.Sockaddr) netip.AddrPort {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr), uint16(a.Port))
	}
	return netip.AddrPort{}
}

// noDelay turns Nagle's algorithm off, as Go does on the connections it
// accepts, and Apache on its own (on Linux by setting it on the
// listening socket, which the connections inherit).
func (c *conn) noDelay() {
	_ = unix.SetsockoptInt(c.fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
}

func (c *conn) acquire(op string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.opError(op, net.ErrClosed)
	}
	c.refs++
	return nil
}

func (c *conn) release() {
	c.mu.Lock()
	c.refs--
	if c.closed && c.refs == 0 {
		c.closeFD()
	}
	c.mu.Unlock()
}

// closeFD closes fd, through its File once it is in the netpoller (the
// caller holds mu, and no operation is running).
func (c *conn) closeFD() error {
	if f := c.file.Load(); f != nil {
		return f.Close()
	}
	return rawClose(c.fd)
}

func (c *conn) opError(op string, err error) error {
	if errno, ok := err.(syscall.Errno); ok {
		err = os.NewSyscallError(op, errno)
	}
	return &net.OpError{Op: op, Net: "tcp", Addr: c.RemoteAddr(), Err: err}
}

// waitSlice bounds one poll(2) of wait, so that a deadline moved during
// the wait (a graceful stop shortening a keep-alive wait: see
// http1.Conn.EndIdleWait) takes effect within it.
const waitSlice = 500 * time.Millisecond

// wait blocks in poll(2) until fd is ready for events or the deadline
// (read from dl each round) passes.
func (c *conn) wait(op string, events int16, dl *atomic.Int64) error {
	rawTried := !c.raw
	for {
		timeout := -1
		if deadline := dl.Load(); deadline != 0 {
			left := time.Duration(deadline - time.Now().UnixNano())
			if left <= 0 {
				return c.opError(op, os.ErrDeadlineExceeded)
			}
			timeout = int((left + time.Millisecond - 1) / time.Millisecond)
		}
		fds := [1]unix.PollFd{{Fd: int32(c.fd), Events: events}}
		if !rawTried {
			rawTried = true
			if rawwait.Poll(fds[:], timeout) {
				return nil
			}
			continue // less time is left now
		}
		if slice := int(waitSlice / time.Millisecond); timeout < 0 || timeout > slice {
			timeout = slice
		}
		_, err := unix.Poll(fds[:], timeout)
		switch {
		case err == nil || err == unix.EINTR: // ready, hung up or timed out: the caller's next call says which
			if err == nil && fds[0].Revents == 0 {
				continue // timed out: the loop reports it
			}
			return nil
		default:
			return c.opError(op, err)
		}
	}
}

// registerNetpoll puts the connection in Go's netpoller through a File
// (os.NewFile of a non-blocking socket registers it), once, with c's read
// deadline, which SetReadDeadline keeps on the File from then on.
func (c *conn) registerNetpoll() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.file.Load() != nil {
		return nil
	}
	f := os.NewFile(uintptr(c.fd), "tcp")
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	c.rawConn = rc
	c.file.Store(f)
	// A SetReadDeadline that stored rdl before the File was there is taken
	// here; one racing with this loop finds the File and sets it itself.
	for d := int64(-1); d != c.rdl.Load(); {
		d = c.rdl.Load()
		var dl time.Time
		if d != 0 {
			dl = time.Unix(0, d)
		}
		if err := f.SetReadDeadline(dl); err != nil {
			return err
		}
	}
	return nil
}

// readNetpoll reads through the netpoller: the read is made inside
// RawConn.Read, after it has reset its readiness state, so that no
// wake-up falls between an EAGAIN and the wait.
// The File (from registerNetpoll) has c's read deadline.
func (c *conn) readNetpoll(p []byte) (int, error) {
	var n int
	var rerr error
	err := c.rawConn.Read(func(fd uintptr) bool {
		for {
			n, rerr = unix.Read(int(fd), p)
			if rerr != unix.EINTR {
				return rerr != unix.EAGAIN
			}
		}
	})
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return 0, c.opError("read", os.ErrDeadlineExceeded)
	case err != nil:
		return 0, c.opError("read", net.ErrClosed)
	case rerr == nil && n == 0:
		return 0, io.EOF
	case rerr == nil:
		c.full = n == len(p)
		return n, nil
	case c.isClosed():
		return 0, c.opError("read", net.ErrClosed)
	}
	return 0, c.opError("read", rerr)
}

// Read implements net.Conn.
func (c *conn) Read(p []byte) (int, error) {
	if err := c.acquire("read"); err != nil {
		return 0, err
	}
	defer c.release()
	if len(p) == 0 {
		return 0, nil
	}
	if c.file.Load() != nil {
		return c.readNetpoll(p)
	}
	for {
		n, err := rawRead(c.fd, p)
		switch {
		case err == nil && n == 0:
			return 0, io.EOF
		case err == nil:
			c.full = n == len(p)
			return n, nil
		case err == unix.EINTR:
		case err == unix.EAGAIN:
			c.full = false
			if c.netpoll {
				if err := c.registerNetpoll(); err != nil {
					return 0, c.opError("read", err)
				}
				return c.readNetpoll(p)
			}
			if err := c.wait("read", unix.POLLIN, &c.rdl); err != nil {
				return 0, err
			}
		default:
			if c.isClosed() {
				return 0, c.opError("read", net.ErrClosed)
			}
			return 0, c.opError("read", err)
		}
	}
}

// Write implements net.Conn: it writes all of p or fails.
func (c *conn) Write(p []byte) (int, error) {
	if err := c.acquire("write"); err != nil {
		return 0, err
	}
	defer c.release()
	done := 0
	for {
		n, err := c.writeSome(p[done:])
		done += n
		if err != nil || done == len(p) {
			return done, err
		}
		if err := c.wait("write", unix.POLLOUT, &c.wdl); err != nil {
			return done, err
		}
	}
}

// writeSome writes what the socket takes of p now (the caller holds a
// reference).
func (c *conn) writeSome(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		var n int
		var err error
		if c.more {
			n, err = rawSendMore(c.fd, p[done:])
		} else {
			n, err = rawWrite(c.fd, p[done:])
		}
		if n > 0 {
			done += n
			c.held.Store(c.more)
		}
		switch err {
		case nil, unix.EINTR:
		case unix.EAGAIN:
			return done, nil
		default:
			if c.isClosed() {
				err = net.ErrClosed
			}
			return done, c.opError("write", err)
		}
	}
	return done, nil
}

// ReadFrom sends a file with sendfile(2) (what the engine does for a
// static file's body: r is an *io.LimitedReader over an *os.File), and
// anything else by copying.
func (c *conn) ReadFrom(r io.Reader) (int64, error) {
	src, limit := r, int64(1<<62)
	lr, _ := r.(*io.LimitedReader)
	if lr != nil {
		src, limit = lr.R, lr.N
	}
	f, ok := src.(*os.File)
	if !ok || limit <= 0 {
		return io.Copy(writerOnly{c}, r)
	}
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return io.Copy(writerOnly{c}, r)
	}
	n, serr := c.sendfile(f, off, limit)
	if n > 0 {
		if _, err := f.Seek(off+n, io.SeekStart); err != nil && serr == nil {
			serr = err
		}
	}
	if lr != nil {
		lr.N -= n
	}
	if errors.Is(serr, unix.EINVAL) || errors.Is(serr, unix.ENOSYS) {
		if n == 0 { // not a file sendfile can read: copy instead
			return io.Copy(writerOnly{c}, r)
		}
	}
	return n, serr
}

// sendfile sends up to n bytes of f from off, waiting while the socket is
// full (up to the write deadline); it stops early at f's end.
func (c *conn) sendfile(f *os.File, off, n int64) (int64, error) {
	if err := c.acquire("sendfile"); err != nil {
		return 0, err
	}
	defer c.release()
	var done int64
	for {
		k, err := c.sendfileSome(f, off+done, n-done)
		done += k
		switch {
		case err == io.EOF:
			return done, nil
		case err != nil || done == n:
			return done, err
		}
		if err := c.wait("sendfile", unix.POLLOUT, &c.wdl); err != nil {
			return done, err
		}
	}
}

// writerOnly hides ReadFrom from io.Copy.
type writerOnly struct{ io.Writer }

// Close implements net.Conn.
func (c *conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.opError("close", net.ErrClosed)
	}
	c.closed = true
	if c.refs > 0 {
		// End the wait of the operation in progress; it closes fd.
		return rawShutdown(c.fd, unix.SHUT_RDWR)
	}
	if c.held.Load() {
		// Send what is held, with the FIN, before a close that may reset.
		_ = rawShutdown(c.fd, unix.SHUT_WR)
	}
	return c.closeFD()
}

func (c *conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// CloseWrite shuts down the sending side (lingering close), which sends
// what is held with the FIN.
func (c *conn) CloseWrite() error {
	if err := c.acquire("shutdown"); err != nil {
		return err
	}
	defer c.release()
	if err := rawShutdown(c.fd, unix.SHUT_WR); err != nil {
		return err
	}
	c.held.Store(false) // Close need not shut it down again
	return nil
}

// Readable reports whether the client has sent something not read yet: a
// last look before closing an idle connection. An end of stream or an
// error is not something to read.
func (c *conn) Readable() bool {
	if err := c.acquire("recvfrom"); err != nil {
		return false
	}
	defer c.release()
	var b [1]byte
	for {
		n, _, err := unix.Recvfrom(c.fd, b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		if err != unix.EINTR {
			return err == nil && n > 0
		}
	}
}

// LocalAddr implements net.Conn: the listener's address when it is bound to
// one (shared: callers must not modify it), else the kernel's answer, asked
// each time (it is rarely wanted, and not keeping it saves memory per
// connection; the engine keeps it per connection, http1.Conn.LocalAddr).
func (c *conn) LocalAddr() net.Addr {
	if c.laddr != nil {
		return c.laddr
	}
	ap, err := rawGetsockname(c.fd)
	if err != nil || !ap.IsValid() {
		return &net.TCPAddr{}
	}
	return tcpAddr(ap)
}

// RemoteAddr implements net.Conn.
func (c *conn) RemoteAddr() net.Addr { return net.TCPAddrFromAddrPort(c.raddr) }

// RemoteAddrPort is the peer without RemoteAddr's allocations
// (http1.AddrPortConn).
func (c *conn) RemoteAddrPort() netip.AddrPort { return c.raddr }

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// SetDeadline implements net.Conn.
func (c *conn) SetDeadline(t time.Time) error {
	c.wdl.Store(unixNano(t))
	return c.SetReadDeadline(t)
}

// SetReadDeadline implements net.Conn. A read waiting in poll(2) sees the
// new deadline within waitSlice; one waiting in Go's netpoller, at once.
func (c *conn) SetReadDeadline(t time.Time) error {
	c.rdl.Store(unixNano(t))
	if f := c.file.Load(); f != nil {
		f.SetReadDeadline(t)
	}
	return nil
}

// SetWriteDeadline implements net.Conn.
func (c *conn) SetWriteDeadline(t time.Time) error { c.wdl.Store(unixNano(t)); return nil }

// TryWrite implements http1.NonblockingWriter: it writes what the socket
// takes of p now.
func (c *conn) TryWrite(p []byte) (int, error) {
	if err := c.acquire("write"); err != nil {
		return 0, err
	}
	defer c.release()
	return c.writeSome(p)
}

// HoldForMore implements the engine's hint that a body from a file follows
// the bytes it is about to write (see http1's flushBeforeFile), or that the
// connection is closed or shut down right after them (the last response
// of a connection): while on, writes carry MSG_MORE (Linux; elsewhere
// nothing changes), so that the headers leave in the body's first segments,
// and a last response's end with the FIN, rather than in a small segment of
// their own. The caller turns it off before it returns.
func (c *conn) HoldForMore(on bool) { c.more = on }

// TrySendFile implements http1.NonblockingWriter: it sends what the socket
// takes now of n bytes of f from off, with sendfile(2) at an explicit
// offset, so that f's own offset does not move.
func (c *conn) TrySendFile(f *os.File, off, n int64) (int64, error) {
	if err := c.acquire("sendfile"); err != nil {
		return 0, err
	}
	defer c.release()
	return c.sendfileSome(f, off, n)
}

// sendfileSome sends what the socket takes now of n bytes of f from off
// (the caller holds a reference); io.EOF says f ended first.
func (c *conn) sendfileSome(f *os.File, off, n int64) (int64, error) {
	raw, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var done int64
	var serr error
	cerr := raw.Control(func(sfd uintptr) {
		for done < n && serr == nil {
			// The BSDs neither take nil nor advance the offset: pass a copy.
			pos := off + done
			k, err := rawSendfile(c.fd, int(sfd), &pos, int(min(n-done, 1<<30)))
			if k > 0 {
				done += int64(k)
				c.held.Store(false) // its last segment pushes what was held
			}
			switch {
			case err == nil && k == 0:
				serr = io.EOF
			case err == nil || err == unix.EINTR:
			case err == unix.EAGAIN:
				return
			default:
				serr = c.opError("sendfile", err)
			}
		}
	})
	if cerr != nil {
		return done, cerr
	}
	return done, serr
}
