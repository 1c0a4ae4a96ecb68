//go:build linux && !(mips || mipsle || mips64 || mips64le)

package spawn

// The kernel's signal set and rt_sigprocmask's how, most architectures.
type sigset [1]uint64

const (
	sigBlock   = 0
	sigSetmask = 2
)
