//go:build linux && !(mips || mipsle || mips64 || mips64le)

package cloexec

// sysCloseRange is close_range(2)'s number: the same on every Linux
// architecture but MIPS (syscalls added since 5.1 share one table).
const sysCloseRange = 436
