//go:build linux && (amd64 || arm64 || riscv64 || loong64 || ppc64 || ppc64le || s390x || mips64 || mips64le)

package rawsys

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Pread is pread(2): up to len(p) bytes of fd from off into p (p not
// empty).
func Pread(fd uintptr, p []byte, off int64) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall6(unix.SYS_PREAD64, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), uintptr(off), 0, 0)
	return int(n), e
}

// Sendfile is sendfile(2) of n bytes of in from *off to out, advancing
// *off.
func Sendfile(out, in int, off *int64, n int) (int, syscall.Errno) {
	k, _, e := syscall.RawSyscall6(unix.SYS_SENDFILE, uintptr(out), uintptr(in), uintptr(unsafe.Pointer(off)), uintptr(n), 0, 0)
	return int(k), e
}
