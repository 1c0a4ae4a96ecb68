//go:build !linux

package cgi

import (
	"sync"
	"syscall"
)

// closeInherited marks the descriptors 3 to 1023 close-on-exec, once (see
// the Linux version).
var closeInherited = sync.OnceFunc(func() {
	for fd := 3; fd < 1024; fd++ {
		syscall.CloseOnExec(fd)
	}
})
