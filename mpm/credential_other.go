//go:build !linux

package mpm

import (
	"errors"
	"os/exec"
)

func setCredential(*exec.Cmd, *Credential) error { return errors.ErrUnsupported }
