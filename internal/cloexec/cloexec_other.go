//go:build !linux

package cloexec

// Inherited does nothing here: only Linux has early children and plugins
// that rely on it.
func Inherited() {}
