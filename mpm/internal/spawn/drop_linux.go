//go:build linux

package spawn

import (
	"os"
	"strconv"
	"syscall"
	"unsafe"

	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// A child that is to run as another user than its parent's (User and
// Group, resolved) is executed as its parent, root, and drops to that
// credential here, in this package's init: before main, before nearly all
// of the program's packages are initialised, and before anything reads the
// descriptors or the spec the parent passes (see package mpm's RunChild).
// apache2's children do the same after their fork. The kernel leaves a
// process whose effective ids changed not dumpable: no process of the
// children's user (a CGI script) may ptrace it, open /proc/PID/fd/N or
// take a descriptor with pidfd_getfd, from its execve on (as root until
// here, not dumpable after). A child executed as its user was dumpable
// from its execve until it made itself not dumpable itself, and in that
// moment the user could take its spec socket and read the spec (TLS keys)
// and descriptors (listeners, the scoreboard) meant for it.
func init() {
	if os.Getenv(wire.ChildEnv) == "" {
		return
	}
	v, ok := os.LookupEnv(wire.CredentialEnv)
	if !ok {
		return
	}
	os.Unsetenv(wire.CredentialEnv)
	cred, ok := parseCredential(v)
	var err error
	switch {
	case !ok || cred == nil:
		err = syscall.EINVAL
	default:
		err = drop(cred)
	}
	if err != nil {
		// Never on as root. A JSON line, as the child's logger writes them.
		msg := "cannot run as the children's user " + v + ": " + err.Error()
		os.Stderr.WriteString(`{"@level":"error","@message":` + strconv.Quote(msg) + `,"pid":` + strconv.Itoa(os.Getpid()) + "}\n")
		os.Exit(1)
	}
}

// drop changes every thread of this process to the credential c:
// supplementary groups, group ids, then the effective uid (while the real
// and saved uids stay root, so that no process of c's user may reach this
// one yet), PR_SET_DUMPABLE 0 (for a fs.suid_dumpable of 1, which the
// kernel applies when the effective uid changes), then the real and saved
// uids, which takes the capabilities away and leaves it not dumpable. It
// runs on the main thread (package inits do), whose parent-death signal
// the credential change clears: drop sets it again. It checks what it got.
func drop(c *syscall.Credential) error {
	var pdeath int32
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_GET_PDEATHSIG, uintptr(unsafe.Pointer(&pdeath)), 0); e != 0 {
		return os.NewSyscallError("prctl PR_GET_PDEATHSIG", e)
	}
	parent := syscall.Getppid()
	groups := make([]int, len(c.Groups))
	for i, g := range c.Groups {
		groups[i] = int(g)
	}
	uid, gid := int(c.Uid), int(c.Gid)
	if err := syscall.Setgroups(groups); err != nil {
		return os.NewSyscallError("setgroups", err)
	}
	if err := syscall.Setresgid(gid, gid, gid); err != nil {
		return os.NewSyscallError("setresgid", err)
	}
	if err := syscall.Setresuid(-1, uid, -1); err != nil {
		return os.NewSyscallError("setresuid", err)
	}
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_DUMPABLE, 0, 0); e != 0 {
		return os.NewSyscallError("prctl PR_SET_DUMPABLE", e)
	}
	if err := syscall.Setresuid(uid, uid, uid); err != nil {
		return os.NewSyscallError("setresuid", err)
	}
	if pdeath != 0 {
		if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(pdeath), 0); e != 0 {
			return os.NewSyscallError("prctl PR_SET_PDEATHSIG", e)
		}
		if syscall.Getppid() != parent {
			// The parent died while the signal was cleared: it is owed
			// (as Go's forkAndExecInChild1 does after its own prctl).
			syscall.Kill(syscall.Getpid(), syscall.Signal(pdeath))
		}
	}
	var r, e, s uint32
	if _, _, errno := syscall.RawSyscall(sysGetresuid, uintptr(unsafe.Pointer(&r)), uintptr(unsafe.Pointer(&e)), uintptr(unsafe.Pointer(&s))); errno != 0 || r != c.Uid || e != c.Uid || s != c.Uid {
		return &os.SyscallError{Syscall: "getresuid: uids " + strconv.Itoa(int(r)) + " " + strconv.Itoa(int(e)) + " " + strconv.Itoa(int(s)), Err: syscall.EPERM}
	}
	if _, _, errno := syscall.RawSyscall(sysGetresgid, uintptr(unsafe.Pointer(&r)), uintptr(unsafe.Pointer(&e)), uintptr(unsafe.Pointer(&s))); errno != 0 || r != c.Gid || e != c.Gid || s != c.Gid {
		return &os.SyscallError{Syscall: "getresgid: gids " + strconv.Itoa(int(r)) + " " + strconv.Itoa(int(e)) + " " + strconv.Itoa(int(s)), Err: syscall.EPERM}
	}
	if c.Uid == 0 {
		return nil // User root keeps what root has, as at an exec as root
	}
	if permitted, effective, inheritable, ok := capabilities(); !ok || permitted|effective|inheritable != 0 {
		// Kept through the uid change (securebits no-setuid-fixup, say),
		// or inheritable ones the uid change leaves (which a program with
		// file capabilities a CGI script runs would get): let them all go.
		hdr, data := capHeader()
		if _, _, e := syscall.AllThreadsSyscall(syscall.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); e != 0 {
			return os.NewSyscallError("capset", e)
		}
		if permitted, effective, inheritable, ok := capabilities(); !ok || permitted|effective|inheritable != 0 {
			return &os.SyscallError{Syscall: "capset", Err: syscall.EPERM}
		}
	}
	return nil
}

// capData is a thread's capability sets as capget and capset take them
// (_LINUX_CAPABILITY_VERSION_3: two of these).
type capData struct{ effective, permitted, inheritable uint32 }

type capHdr struct {
	version uint32
	pid     int32
}

// capHeader is capget's and capset's header for this thread, with empty
// sets.
func capHeader() (capHdr, [2]capData) {
	return capHdr{version: 0x20080522}, [2]capData{} // _LINUX_CAPABILITY_VERSION_3
}

// capabilities is the calling thread's permitted, effective and
// inheritable sets.
func capabilities() (permitted, effective, inheritable uint64, ok bool) {
	hdr, data := capHeader()
	if _, _, e := syscall.RawSyscall(syscall.SYS_CAPGET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); e != 0 {
		return 0, 0, 0, false
	}
	join := func(lo, hi uint32) uint64 { return uint64(lo) | uint64(hi)<<32 }
	return join(data[0].permitted, data[1].permitted), join(data[0].effective, data[1].effective), join(data[0].inheritable, data[1].inheritable), true
}
