//go:build linux && !386 && !arm

package spawn

import "syscall"

// getresuid and getresgid (32-bit ids).
const (
	sysGetresuid = syscall.SYS_GETRESUID
	sysGetresgid = syscall.SYS_GETRESGID
)
