//go:build !linux

package prestart

import (
	"errors"
	"os/exec"
	"syscall"
)

// sysProcAttr cannot set a credential here.
func sysProcAttr(c *syscall.Credential) (*syscall.SysProcAttr, error) {
	if c != nil {
		return nil, errors.ErrUnsupported
	}
	return nil, nil
}

// Start starts cmd.
func Start(cmd *exec.Cmd) error { return cmd.Start() }

// LimitCapabilities does nothing without Linux capabilities.
func LimitCapabilities() error { return nil }
