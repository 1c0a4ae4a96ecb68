//go:build !linux

package unpolled

import "os"

// Elsewhere the File is an ordinary one (see unpolled_linux.go).
func file(fd int, name string) (*os.File, error) { return os.NewFile(uintptr(fd), name), nil }
