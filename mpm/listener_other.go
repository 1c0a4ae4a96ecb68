//go:build !linux

package mpm

func checkListening(fd int) error { return nil }
