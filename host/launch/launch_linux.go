//go:build linux

package launch

import "syscall"

// sysProcAttr puts the plugin in its own process group (a terminal's
// Ctrl-C reaches only the host, which drains the MPM) and kills it if the
// host dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
