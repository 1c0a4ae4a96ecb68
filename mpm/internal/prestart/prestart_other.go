//go:build !linux

package prestart

import (
	"errors"
	"os/exec"
	"syscall"
)

func sysProcAttr() *syscall.SysProcAttr { return nil }

func setCredential(*exec.Cmd, *syscall.Credential) error { return errors.ErrUnsupported }

// Start starts cmd.
func Start(cmd *exec.Cmd) error { return cmd.Start() }

// LimitCapabilities does nothing without Linux capabilities.
func LimitCapabilities() error { return nil }
