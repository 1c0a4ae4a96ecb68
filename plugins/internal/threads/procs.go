package threads

import (
	"os"
	"runtime"
)

// shareCPUs gives an event child its share of the CPUs: GOMAXPROCS is
// the runtime's default (the CPUs it may use) divided by the number of
// children the server starts with (StartServers), at least 1. With a P
// per CPU in every child, the Ps a child does not need spin looking for
// work (nanosleep, netpoll checks) and wake threads for it (futex): with
// 2 event children on 2 CPUs that cost 15-25 % more CPU and 30-60 % more
// context switches per request than 1 P each. A GOMAXPROCS in the
// environment is the administrator's and is kept.
func shareCPUs(servers int) {
	if n, ok := childProcs(runtime.GOMAXPROCS(0), servers, os.Getenv("GOMAXPROCS")); ok {
		runtime.GOMAXPROCS(n)
	}
}

// childProcs is shareCPUs' choice for cpus CPUs and servers children; ok
// is false when it leaves GOMAXPROCS alone (env, the environment's
// GOMAXPROCS, is set).
func childProcs(cpus, servers int, env string) (n int, ok bool) {
	if env != "" {
		return 0, false
	}
	return max(1, cpus/max(servers, 1)), true
}
