//go:build linux && (amd64 || arm64 || riscv64)

package rawstat

import (
	"syscall"
	"unsafe"
)

// Fstat is fstat(2) of fd into st, as a raw system call: fstat of an open
// file does not wait (on a network file system it may ask the server,
// holding the P meanwhile), and a raw call spares the runtime's hand-off of
// the P and the wake-up of its monitor thread. On these architectures the
// kernel's struct stat is syscall.Stat_t.
func Fstat(fd uintptr, st *syscall.Stat_t) syscall.Errno {
	_, _, e := syscall.RawSyscall(syscall.SYS_FSTAT, fd, uintptr(unsafe.Pointer(st)), 0)
	return e
}
