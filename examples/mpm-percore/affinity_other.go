//go:build !linux

package main

import (
	"runtime"

	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// allowedCPUs counts the CPUs; only Linux can pin.
func allowedCPUs() []int {
	cpus := make([]int, runtime.NumCPU())
	for i := range cpus {
		cpus[i] = i
	}
	return cpus
}

func startPinned(spec mpm.ChildSpec, _ int) (*mpm.Process, error) { return mpm.StartChild(spec) }
