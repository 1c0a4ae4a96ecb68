//go:build !linux

package mpm

import "syscall"

func childSysProcAttr() *syscall.SysProcAttr { return nil }

func onGraceful(f func()) {}
