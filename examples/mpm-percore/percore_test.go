package main

import (
	"testing"

	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/mpmtest"
)

// TestConformance runs httpd-mpm's conformance suite on this MPM: the
// real plugin binary, started the way httpd starts it.
func TestConformance(t *testing.T) {
	plugin := mpmtest.Build(t, ".")
	t.Run("defaults", func(t *testing.T) {
		mpmtest.Run(t, plugin, mpmtest.Options{})
	})
	// Unpinned, with a connection limit small enough to be reached.
	t.Run("unpinned", func(t *testing.T) {
		mpmtest.Run(t, plugin, mpmtest.Options{Settings: []mpm.Setting{
			{Name: "CPUAffinity", Args: []string{"Off"}},
			{Name: "Processes", Args: []string{"3"}},
			{Name: "MaxConnectionsPerProcess", Args: []string{"4"}},
		}})
	})
}
