//go:build !linux

package mpm

func onGraceful(f func()) {}

// ownImage is "": no way to execute this process's own image, whatever
// its path holds now.
func ownImage() string { return "" }

func guardKeys(*Core) error { return nil }
