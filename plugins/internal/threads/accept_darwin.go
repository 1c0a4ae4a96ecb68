package threads

import (
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// AcceptNonblock accepts a connection from the non-blocking listening
// socket lfd as a non-blocking, close-on-exec descriptor, with its peer's
// address (the zero AddrPort for a peer that is not on the Internet).
// macOS has no accept4: the flags are set after, under syscall.ForkLock so
// that no exec in between inherits the descriptor.
func AcceptNonblock(lfd int) (int, netip.AddrPort, error) {
	syscall.ForkLock.RLock()
	nfd, sa, err := unix.Accept(lfd)
	if err == nil {
		unix.CloseOnExec(nfd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, netip.AddrPort{}, err
	}
	if err := unix.SetNonblock(nfd, true); err != nil {
		unix.Close(nfd)
		return -1, netip.AddrPort{}, err
	}
	return nfd, sockaddrAddrPort(sa), nil
}
