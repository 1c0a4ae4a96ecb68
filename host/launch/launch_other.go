//go:build !linux

package launch

import "syscall"

func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// onLauncher runs start: only Linux has capabilities to narrow.
func onLauncher(start func()) { start() }

// waitExit returns once exited reports true; died is not called.
func waitExit(_ int, exited func() bool, _ func(syscall.WaitStatus)) { pollExit(exited) }
