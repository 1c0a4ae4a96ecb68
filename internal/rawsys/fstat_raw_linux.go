//go:build linux && (amd64 || arm64 || riscv64)

package rawsys

import (
	"syscall"
	"unsafe"
)

// Fstat is fstat(2) of fd into st. On these architectures the kernel's
// struct stat is syscall.Stat_t.
func Fstat(fd uintptr, st *syscall.Stat_t) syscall.Errno {
	_, _, e := syscall.RawSyscall(syscall.SYS_FSTAT, fd, uintptr(unsafe.Pointer(st)), 0)
	return e
}
