package proxy

import (
	"net"
	"syscall"
)

// alive reports whether an idle connection is still open and has nothing to
// read (apache2's ap_proxy_is_socket_connected): a peek that would block.
func alive(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	ok = false
	var b [1]byte
	err = raw.Read(func(fd uintptr) bool {
		_, _, e := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		ok = e == syscall.EAGAIN
		return true
	})
	return err == nil && ok
}
