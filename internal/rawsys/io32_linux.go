//go:build linux && !(amd64 || arm64 || riscv64 || loong64 || ppc64 || ppc64le || s390x || mips64 || mips64le)

package rawsys

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// Pread is pread(2): up to len(p) bytes of fd from off into p. On 32-bit
// architectures the offset takes two registers, aligned differently on
// each: package unix passes it.
func Pread(fd uintptr, p []byte, off int64) (int, syscall.Errno) {
	n, err := unix.Pread(int(fd), p, off)
	return n, errno(err)
}

// Sendfile is sendfile(2) of n bytes of in from *off to out, advancing
// *off: package unix's, sendfile64 on 32-bit architectures.
func Sendfile(out, in int, off *int64, n int) (int, syscall.Errno) {
	k, err := unix.Sendfile(out, in, off, n)
	return k, errno(err)
}
