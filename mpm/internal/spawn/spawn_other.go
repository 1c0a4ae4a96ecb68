//go:build !linux

package spawn

// First does nothing: children start ahead of need only on Linux.
func First() {}
