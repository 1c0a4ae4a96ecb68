//go:build linux && (mips || mipsle || mips64 || mips64le)

package spawn

// The kernel's signal set and rt_sigprocmask's how on MIPS: 128 signals.
type sigset [2]uint64

const (
	sigBlock   = 1
	sigSetmask = 3
)
