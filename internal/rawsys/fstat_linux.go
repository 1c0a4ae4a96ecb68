//go:build linux && !(amd64 || arm64 || riscv64)

package rawsys

import "syscall"

// Fstat is fstat(2) of fd into st through package syscall, which picks the
// call (fstat64 on 32-bit architectures) and converts the kernel's struct
// where it differs from syscall.Stat_t.
func Fstat(fd uintptr, st *syscall.Stat_t) syscall.Errno {
	return errno(syscall.Fstat(int(fd), st))
}
