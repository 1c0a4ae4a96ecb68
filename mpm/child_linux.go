//go:build linux

package mpm

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/mpm/internal/prestart"
)

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

// ownImage is the file that executes the code this process runs, even if
// its path now holds another: the kernel's /proc/self/exe.
func ownImage() string { return prestart.SelfExe }

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
