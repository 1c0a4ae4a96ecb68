//go:build !linux

package launch

import (
	"os"
	"syscall"
)

func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// onLauncher runs start: only Linux has capabilities to narrow.
func onLauncher(start func()) { start() }

// waitExit returns once exited reports true; died is not called.
func waitExit(_ int, exited func() bool, _ func(syscall.WaitStatus)) { pollExit(exited) }

// sealedFile returns nil: no sealed memory files here, so no Preconfig.
func sealedFile(string, []byte) (*os.File, error) { return nil, nil }
