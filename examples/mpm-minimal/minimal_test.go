package main

import (
	"testing"

	"github.com/httpd-mpm/httpd-mpm/mpm/mpmtest"
)

// TestConformance runs the suite every MPM of httpd-mpm passes on the real
// plugin binary.
func TestConformance(t *testing.T) {
	mpmtest.Run(t, mpmtest.Build(t, "."), mpmtest.Options{})
}
