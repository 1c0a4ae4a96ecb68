//go:build linux

package mpm

import (
	"os/exec"
	"syscall"
)

// setCredential makes cmd start as c: setgroups, setgid, setuid, as
// Apache's children do before serving.
func setCredential(cmd *exec.Cmd, c *Credential) error {
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: c.Uid, Gid: c.Gid, Groups: c.Groups}
	return nil
}
