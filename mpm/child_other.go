//go:build !linux

package mpm

import (
	"os/exec"
	"syscall"
)

func childSysProcAttr() *syscall.SysProcAttr { return nil }

func onGraceful(f func()) {}

func startChild(cmd *exec.Cmd) error { return cmd.Start() }
