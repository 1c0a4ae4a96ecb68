//go:build linux

package mpm

import (
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// childSysProcAttr asks the kernel for SIGUSR1 (graceful) when the plugin
// process dies: the child finishes its requests instead of cutting them.
func childSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGUSR1}
}

// onGraceful calls f once on the first SIGUSR1; later ones are ignored.
// SIGINT is ignored: a terminal's Ctrl-C is the host's business.
func onGraceful(f func()) {
	signal.Ignore(syscall.SIGINT, syscall.SIGHUP, syscall.SIGWINCH, syscall.SIGPIPE)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	go func() {
		<-ch
		f()
	}()
}

// startChild starts cmd with SIGUSR1 blocked. Go drops a SIGUSR1 that
// arrives before signal.Notify, so a child asked to finish (or whose
// parent died) while it was still starting would never drain; blocked, the
// signal waits until onGraceful listens. The child inherits the signal
// mask of the thread that starts it.
func startChild(cmd *exec.Cmd) error {
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

// ownImage is the file that executes the code this process runs, even if
// its path now holds another: the kernel's /proc/self/exe.
func ownImage() string { return selfExe }

// guardKeys makes a child that holds TLS private keys non-dumpable, as
// apache2's children are after setuid: its memory and /proc files (environ,
// where an executed child's spec and so its keys came) are then closed to the
// other processes of its user (a CGI script, say), root's aside.
func guardKeys(core *Core) error {
	if !core.hasTLS() {
		return nil
	}
	return unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
}
