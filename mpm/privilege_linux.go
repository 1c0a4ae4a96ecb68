//go:build linux

package mpm

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/internal/capability"
)

// parentCapabilities are the capabilities an MPM parent keeps when it is
// started as root (see Privileges in the package documentation).
var parentCapabilities = capability.Parent

// selfExe is what limitCapabilities executes: this binary, even if its
// file was replaced or removed since.
const selfExe = "/proc/self/exe"

// init names the process after its file again when limitCapabilities
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

// limitCapabilities keeps only parentCapabilities: if this process may use
// more, it drops the others from its thread's bounding set and executes
// itself again, with the same arguments and environment, so that the
// kernel gives the new image's one thread (and so every later one) the
// reduced set. It returns nil when there is nothing to drop (not root, or
// already done), and an error when it cannot drop.
func limitCapabilities() error {
	keep := capability.Mask(parentCapabilities)
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capget: %w", err)
	}
	permitted := uint64(data[0].Permitted) | uint64(data[1].Permitted)<<32
	if permitted&^keep == 0 {
		return nil
	}
	if bounding := capability.Bounding(capability.Last()); bounding&^keep == 0 {
		// Dropped before, yet more is permitted: nothing an exec would
		// change (it would only loop).
		return fmt.Errorf("capabilities %#x permitted beyond the bounding set %#x", permitted, bounding)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := capability.LimitThread(keep); err != nil {
		return err
	}
	err := unix.Exec(selfExe, os.Args, os.Environ())
	return fmt.Errorf("execute %s again with fewer capabilities: %w", selfExe, err)
}
