//go:build linux && (386 || arm)

package spawn

import "syscall"

// getresuid and getresgid with 32-bit ids: here SYS_GETRESUID is the old
// one of 16-bit ids.
const (
	sysGetresuid = syscall.SYS_GETRESUID32
	sysGetresgid = syscall.SYS_GETRESGID32
)
