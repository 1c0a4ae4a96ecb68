//go:build !linux

package mpm

// parentCapabilities are Linux capabilities: none elsewhere.
var parentCapabilities []int

// limitCapabilities does nothing without Linux capabilities.
func limitCapabilities() error { return nil }
