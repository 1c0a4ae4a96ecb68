//go:build linux

package prestart

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/internal/capability"
	"github.com/httpd-mpm/httpd-mpm/mpm/internal/spawn"
)

// SelfExe is what LimitCapabilities executes: this binary, even if its
// file was replaced or removed since.
const SelfExe = "/proc/self/exe"

// sysProcAttr is what a child starts with (spawn.SysProcAttr): SIGUSR1
// (graceful) when the plugin process dies, so that the child finishes its
// requests instead of cutting them. The child is executed as this process:
// one to run as the credential c (not nil) drops to it itself (setgroups,
// setgid, setuid, as Apache's children do before serving: see
// spawn.ChildEnviron), which only root may ask.
func sysProcAttr(c *syscall.Credential) (*syscall.SysProcAttr, error) {
	if err := spawn.CheckCredential(c); err != nil {
		return nil, err
	}
	return spawn.SysProcAttr(), nil
}

// Start starts cmd with SIGUSR1 blocked (spawn.WithUSR1Blocked). Go drops
// a SIGUSR1 that arrives before signal.Notify, so a child asked to finish
// (or whose parent died) while it was still starting would never drain;
// blocked, the signal waits until the child listens.
func Start(cmd *exec.Cmd) error { return spawn.WithUSR1Blocked(cmd.Start) }

// EarlyMarker is wire.ChildEnv's value in an early child: it takes its
// spec on its socket (SocketFD).
const EarlyMarker = spawn.EarlyMarker

// SocketFD is the descriptor of a socket child's end of its socket.
const SocketFD = spawn.SocketFD

// Socket executes a child that waits for its spec on a socket
// (spawn.Socket).
func Socket(exe, name, marker string, lifeline, stderr *os.File, cred *syscall.Credential) (*Child, error) {
	return spawn.Socket(exe, name, marker, lifeline, stderr, cred)
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
