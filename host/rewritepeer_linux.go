package host

import (
	"net"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/internal/proctree"
)

// peerOf tells the process at the other end of c, as it was when it
// connected (SO_PEERCRED): its pid and uid, and whether it is mpm itself
// or one of its children: its parent in /proc/PID/stat is mpm. Where the
// kernel gives a pidfd of that process (SO_PEERPIDFD, Linux 6.5), a pid
// that its process left by exiting, and another took before /proc was
// read, does not pass: that process must still run once its parent has
// been read. On an older kernel (SO_PEERPIDFD unknown: ENOPROTOOPT) that
// race is open: a peer that exits at once after connecting, its pid taken
// by a new child of the MPM in the meantime, passes. Any other error
// getting the pidfd (EINVAL: the peer has been reaped, on kernels that
// give no pidfd of a reaped process; EMFILE) refuses the peer. started,
// if not nil, must also know a child (the MPM's, where the MPM is linked
// into the host: not every child of the host).
func peerOf(c *net.UnixConn, mpm int, started func(pid int) bool) (pid, uid int, ok bool) {
	raw, err := c.SyscallConn()
	if err != nil {
		return -1, -1, false
	}
	var cred *unix.Ucred
	var credErr, pidfdErr error
	pidfd := -1
	err = raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
		if credErr == nil {
			var n int
			n, pidfdErr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_PEERPIDFD)
			if pidfdErr == nil {
				pidfd = n // close-on-exec, as every pidfd
			}
		}
	})
	if pidfd >= 0 {
		defer unix.Close(pidfd)
	}
	if err != nil || credErr != nil || cred.Pid <= 0 {
		return -1, -1, false // a peer in another pid namespace has pid 0
	}
	pid, uid = int(cred.Pid), int(cred.Uid)
	if pidfdErr != nil && pidfdErr != unix.ENOPROTOOPT {
		return pid, uid, false
	}
	if pid != mpm {
		if started != nil && !started(pid) {
			return pid, uid, false
		}
		p, found := proctree.Stat(pid)
		if !found || p.PPid != mpm || p.State == 'Z' {
			return pid, uid, false
		}
	}
	if pidfd >= 0 {
		// A pidfd is readable once its process has exited.
		fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
		if n, err := unix.Poll(fds, 0); err != nil || n != 0 {
			return pid, uid, false
		}
	}
	return pid, uid, true
}
