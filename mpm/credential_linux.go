//go:build linux

package mpm

import (
	"fmt"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// setCredential makes cmd start as c: setgroups, setgid, setuid, as
// Apache's children do before serving.
func setCredential(cmd *exec.Cmd, c *Credential) error {
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: c.Uid, Gid: c.Gid, Groups: c.Groups}
	return nil
}

// become makes this process run as c, as setCredential makes a child
// start: setgroups, setgid, setuid, on every thread. The change of user
// clears the parent-death signal and the dumpable flag; both are set
// again as an executed child has them.
func (c *Credential) become() error {
	groups := make([]int, len(c.Groups))
	for i, g := range c.Groups {
		groups[i] = int(g)
	}
	if err := syscall.Setgroups(groups); err != nil {
		return fmt.Errorf("setgroups: %w", err)
	}
	if err := syscall.Setgid(int(c.Gid)); err != nil {
		return fmt.Errorf("setgid %d: %w", c.Gid, err)
	}
	if err := syscall.Setuid(int(c.Uid)); err != nil {
		return fmt.Errorf("setuid %d: %w", c.Uid, err)
	}
	for _, opt := range [][2]uintptr{{unix.PR_SET_PDEATHSIG, uintptr(childSysProcAttr().Pdeathsig)}, {unix.PR_SET_DUMPABLE, 1}} {
		var err error
		if _, _, errno := syscall.AllThreadsSyscall(syscall.SYS_PRCTL, opt[0], opt[1], 0); errno == syscall.ENOTSUP {
			// With cgo: this thread only; the runtime does not end threads.
			err = unix.Prctl(int(opt[0]), opt[1], 0, 0, 0)
		} else if errno != 0 {
			err = errno
		}
		if err != nil {
			return fmt.Errorf("prctl %d: %w", opt[0], err)
		}
	}
	return nil
}
