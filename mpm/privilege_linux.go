//go:build linux

package mpm

import (
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"
)

// init names the process after its file again when prestart.LimitCapabilities
// executed it as /proc/self/exe, which the kernel takes for the name: ps,
// top and pgrep then show "mod_mpm_event.so", not "exe". It runs on the
// main thread (package initialisation does), whose name is the process's.
func init() {
	var name [16]byte
	if unix.Prctl(unix.PR_GET_NAME, uintptr(unsafe.Pointer(&name[0])), 0, 0, 0) != nil || string(name[:4]) != "exe\x00" {
		return
	}
	base := filepath.Base(os.Args[0])
	if base == "exe" || base == "." || base == "/" {
		return
	}
	b := append([]byte(base[:min(len(base), 15)]), 0)
	_ = unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(&b[0])), 0, 0, 0)
}
