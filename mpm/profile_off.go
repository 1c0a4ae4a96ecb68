//go:build !mpmprofile

package mpm

import "github.com/hashicorp/go-hclog"

// startProfile does nothing: the build has no profiler (tag mpmprofile).
func startProfile(string, hclog.Logger) (stop func()) { return func() {} }
