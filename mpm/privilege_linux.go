//go:build linux

package mpm

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// parentCapabilities are the capabilities an MPM parent keeps when it is
// started as root: CAP_SETUID and CAP_SETGID to start children as User and
// Group, CAP_KILL to signal them (see Privileges in the package
// documentation).
var parentCapabilities = []int{unix.CAP_SETUID, unix.CAP_SETGID, unix.CAP_KILL}

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
	keep := uint64(0)
	for _, c := range parentCapabilities {
		keep |= 1 << c
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capget: %w", err)
	}
	permitted := uint64(data[0].Permitted) | uint64(data[1].Permitted)<<32
	if permitted&^keep == 0 {
		return nil
	}
	last := lastCapability()
	bounding := uint64(0)
	for c := 0; c <= last; c++ {
		if in, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(c), 0, 0, 0); err == nil && in == 1 {
			bounding |= 1 << c
		}
	}
	if bounding&^keep == 0 {
		// Dropped before, yet more is permitted: nothing an exec would
		// change (it would only loop).
		return fmt.Errorf("capabilities %#x permitted beyond the bounding set %#x", permitted, bounding)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// CAP_SETPCAP is what allows dropping: it goes last.
	for _, c := range append(capabilityRange(last, unix.CAP_SETPCAP), unix.CAP_SETPCAP) {
		if keep&(1<<c) != 0 || bounding&(1<<c) == 0 {
			continue
		}
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil {
			return fmt.Errorf("drop capability %d from the bounding set: %w", c, err)
		}
	}
	// Root's new permitted set is its inheritable set plus the bounding
	// set: keep no inheritable capability beyond ours either.
	for i := range data {
		data[i].Inheritable &= uint32(keep >> (32 * i))
	}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset: %w", err)
	}
	err := unix.Exec(selfExe, os.Args, os.Environ())
	return fmt.Errorf("execute %s again with fewer capabilities: %w", selfExe, err)
}

// capabilityRange is 0..last without skip.
func capabilityRange(last, skip int) []int {
	var out []int
	for c := 0; c <= last; c++ {
		if c != skip {
			out = append(out, c)
		}
	}
	return out
}

// lastCapability is the highest capability the kernel knows.
func lastCapability() int {
	if b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n >= 0 && n < 64 {
			return n
		}
	}
	return unix.CAP_LAST_CAP
}
