//go:build linux

package prestart

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/internal/capability"
)

// SelfExe is what LimitCapabilities executes: this binary, even if its
// file was replaced or removed since.
const SelfExe = "/proc/self/exe"

// sysProcAttr asks the kernel for SIGUSR1 (graceful) when the plugin
// process dies: the child finishes its requests instead of cutting them.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGUSR1}
}

// setCredential makes cmd start as c: setgroups, setgid, setuid, as
// Apache's children do before serving.
func setCredential(cmd *exec.Cmd, c *syscall.Credential) error {
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: c.Uid, Gid: c.Gid, Groups: c.Groups}
	return nil
}

// Start starts cmd with SIGUSR1 blocked. Go drops a SIGUSR1 that
// arrives before signal.Notify, so a child asked to finish (or whose
// parent died) while it was still starting would never drain; blocked, the
// signal waits until the child listens. The child inherits the signal
// mask of the thread that starts it.
func Start(cmd *exec.Cmd) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var usr1, old unix.Sigset_t
	usr1.Val[(unix.SIGUSR1-1)/64] |= 1 << ((unix.SIGUSR1 - 1) % 64)
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, &usr1, &old); err != nil {
		return cmd.Start()
	}
	defer unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil)
	return cmd.Start()
}

// EarlyMarker is wire.ChildEnv's value in an early child: it takes its
// spec on its socket (SocketFD).
const EarlyMarker = "early"

// SocketFD is the descriptor of a socket child's end of its socket.
const SocketFD = 4

// Socket executes a child that waits for its spec on a socket, marked
// (wire.ChildEnv) as marker, with lifeline as fd 3 (a pollable copy of it
// when it is a pipe) and its end of the socket as SocketFD; conn is the
// parent's end.
func Socket(exe, name, marker string, lifeline, stderr *os.File, cred *syscall.Credential) (cmd *exec.Cmd, conn *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socketpair: %w", err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "child-spec"), os.NewFile(uintptr(fds[1]), "child-spec")
	defer theirs.Close()
	if own, err := PollableCopy(lifeline); err == nil {
		defer own.Close()
		lifeline = own
	}
	cmd, err = Command(exe, name, marker, stderr, []*os.File{lifeline, theirs}, cred) // fds 3 and SocketFD
	if err != nil {
		ours.Close()
		return nil, nil, err
	}
	if err := Start(cmd); err != nil {
		ours.Close()
		return nil, nil, err
	}
	return cmd, ours, nil
}

// PollableCopy is a new open file description of the pipe f reads,
// opened through /proc/self/fd, close-on-exec and non-blocking, to hand a
// child as its lifeline; it fails unless f is a pipe. The child's
// os.NewFile of it then reads it through the runtime's poller; the
// *os.File returned here does not know it is non-blocking, so os/exec
// passes it on as it is.
//
// The host's lifeline reaches the plugin and every child as one open file
// description, which must stay blocking: O_NONBLOCK is the description's,
// and a read elsewhere that expects to block would fail with EAGAIN. A
// goroutine blocked in a read of it holds an OS thread and, until the
// runtime's monitor takes it back (20 µs to 10 ms later), the P it ran
// on: on a child's one P, the goroutine on its way to the first accept
// waited for that.
func PollableCopy(f *os.File) (*os.File, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return nil, errors.New("not a pipe")
	}
	fd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(int(f.Fd())), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	own := os.NewFile(uintptr(fd), f.Name()) // blocking when made: not pollable here
	if err := unix.SetNonblock(fd, true); err != nil {
		own.Close()
		return nil, err
	}
	return own, nil
}

// LimitCapabilities keeps only the capabilities an MPM parent needs
// (capability.Parent; see Privileges in package mpm's documentation): if
// this process may use more, it drops the others from its thread's
// bounding set and executes itself again, with the same arguments and
// environment, so that the kernel gives the new image's one thread (and so
// every later one) the reduced set. It returns nil when there is nothing
// to drop (not root, or already done), and an error when it cannot drop.
func LimitCapabilities() error {
	keep := capability.Mask(capability.Parent)
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capget: %w", err)
	}
	permitted := uint64(data[0].Permitted) | uint64(data[1].Permitted)<<32
	if permitted&^keep == 0 {
		return nil
	}
	if bounding := capability.Bounding(capability.Last()); bounding&^keep == 0 {
		// Dropped before, yet more is permitted: nothing an exec would
		// change (it would only loop).
		return fmt.Errorf("capabilities %#x permitted beyond the bounding set %#x", permitted, bounding)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := capability.LimitThread(keep); err != nil {
		return err
	}
	err := unix.Exec(SelfExe, os.Args, os.Environ())
	return fmt.Errorf("execute %s again with fewer capabilities: %w", SelfExe, err)
}
