package cgi

import (
	"os"
	"strconv"
	"sync"
	"syscall"
)

// closeInherited marks every descriptor above 2 close-on-exec, once: Go
// opens its own so, but those the process inherited (listeners, logs, the
// parent's lifeline) would otherwise stay open in every script.
var closeInherited = sync.OnceFunc(func() {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	for _, n := range names {
		if fd, err := strconv.Atoi(n); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
})
