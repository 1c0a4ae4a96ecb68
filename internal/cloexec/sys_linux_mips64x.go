//go:build linux && (mips64 || mips64le)

package cloexec

// sysCloseRange is close_range(2)'s number on MIPS n64: 5000 + 436.
const sysCloseRange = 5436
