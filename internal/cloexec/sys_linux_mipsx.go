//go:build linux && (mips || mipsle)

package cloexec

// sysCloseRange is close_range(2)'s number on MIPS o32: 4000 + 436.
const sysCloseRange = 4436
