//go:build !linux

package mpm

import (
	"os/exec"
	"syscall"
)

func childSysProcAttr() *syscall.SysProcAttr { return nil }

func onGraceful(f func()) {}

func startChild(cmd *exec.Cmd) error { return cmd.Start() }

// ownImage is "": no way to execute this process's own image, whatever
// its path holds now.
func ownImage() string { return "" }

func guardKeys(*Core) error { return nil }
