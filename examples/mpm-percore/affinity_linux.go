//go:build linux

package main

import (
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// allowedCPUs lists the CPUs this process may run on (its affinity mask,
// which taskset, cgroups' cpusets and systemd's CPUAffinity= narrow).
func allowedCPUs() []int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return []int{0}
	}
	var cpus []int
	for cpu := 0; cpu < len(set)*64; cpu++ {
		if set.IsSet(cpu) {
			cpus = append(cpus, cpu)
		}
	}
	return cpus
}

// startPinned starts a child bound to one CPU. A new process inherits
// the CPU mask of the thread that forks it, so the child is started from
// a thread pinned to cpu for the moment: every thread the child ever has
// runs on that CPU, and Go sizes its GOMAXPROCS from that mask. The thread
// must live on unpinned afterwards, not exit: the kernel sends a child
// its parent-death signal when the thread that forked it ends.
func startPinned(spec mpm.ChildSpec, cpu int) (*mpm.Process, error) {
	type result struct {
		p   *mpm.Process
		err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		var old, set unix.CPUSet
		if err := unix.SchedGetaffinity(0, &old); err != nil {
			runtime.UnlockOSThread()
			done <- result{nil, err}
			return
		}
		set.Set(cpu)
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			runtime.UnlockOSThread()
			done <- result{nil, err}
			return
		}
		p, err := mpm.StartChild(spec)
		done <- result{p, err}
		if unix.SchedSetaffinity(0, &old) != nil {
			select {} // keep the pinned thread out of Go's pool, alive
		}
		runtime.UnlockOSThread()
	}()
	r := <-done
	return r.p, r.err
}
