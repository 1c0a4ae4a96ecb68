//go:build linux

package spawn

import (
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"unsafe"

	"github.com/httpd-mpm/httpd-mpm/internal/cloexec"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
)

// SysProcAttr is what a child starts with: the parent-death signal
// SIGUSR1 (a graceful stop, with the parent gone). It is executed as this
// process, never as another credential: one that is to run as another
// drops to it itself (ChildEnviron, drop), which leaves it not dumpable.
func SysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGUSR1}
}

// CheckCredential is nil if this process may start a child that drops to
// cred (nil: none): only root may.
func CheckCredential(cred *syscall.Credential) error {
	if cred == nil || os.Geteuid() == 0 {
		return nil
	}
	return &os.SyscallError{Syscall: "setresuid " + strconv.FormatUint(uint64(cred.Uid), 10), Err: syscall.EPERM}
}

// WithUSR1Blocked calls start, which starts a child, with SIGUSR1 blocked
// on the calling thread: the child inherits the mask across exec, so a
// graceful stop sent before its runtime listens (or its parent-death
// signal) waits instead of killing it; the child unblocks it once it
// listens. If the mask cannot be changed, start runs anyway.
func WithUSR1Blocked(start func() error) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var set, old sigset
	set[(syscall.SIGUSR1-1)/64] |= 1 << ((syscall.SIGUSR1 - 1) % 64)
	if sigprocmask(sigBlock, &set, &old) != nil {
		return start()
	}
	defer sigprocmask(sigSetmask, &old, nil)
	return start()
}

func sigprocmask(how int, set, old *sigset) error {
	_, _, e := syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, uintptr(how), uintptr(unsafe.Pointer(set)),
		uintptr(unsafe.Pointer(old)), unsafe.Sizeof(*set), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// Socket starts the program exe as a child (under the name name, argv[0],
// and marked marker in wire.ChildEnv) that waits on SocketFD for its spec,
// with stderr (nil: /dev/null), lifeline as LifelineFD (a copy of its own
// when it is a pipe, see PollableCopy) and, if set, the credential cred,
// which it drops to first thing (drop; only root may ask for one).
// The caller owns the returned child's Conn and reaps its Process.
func Socket(exe, name, marker string, lifeline, stderr *os.File, cred *syscall.Credential) (*Child, error) {
	if err := CheckCredential(cred); err != nil {
		return nil, err
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("socketpair", err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "child-spec"), os.NewFile(uintptr(fds[1]), "child-spec")
	defer theirs.Close()
	if own, err := PollableCopy(lifeline); err == nil {
		defer own.Close()
		lifeline = own
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		ours.Close()
		return nil, err
	}
	defer null.Close()
	if stderr == nil {
		stderr = null
	}
	attr := &os.ProcAttr{
		Env:   ChildEnviron(marker, cred),
		Files: []*os.File{null, null, stderr, lifeline, theirs}, // LifelineFD, SocketFD
		Sys:   SysProcAttr(),
	}
	var p *os.Process
	err = WithUSR1Blocked(func() (err error) {
		if cred != nil && cred.Uid != 0 {
			defer withoutInheritable()()
		}
		p, err = os.StartProcess(exe, []string{name}, attr)
		return err
	})
	if err != nil {
		ours.Close()
		return nil, err
	}
	return &Child{Process: p, Path: exe, Conn: ours, Cred: cred}, nil
}

// withoutInheritable empties the calling thread's inheritable capability
// set, if it holds any, for a child that is to drop to another user: the
// set survives exec and the uid change, and a child whose runtime uses cgo
// could not capset it away on all its threads (drop). A plugin holds none
// (capability.LimitThread); an MPM linked into a host started with some
// does. It returns what gives the thread its set back, so that the host's
// other children (piped loggers, programs) keep inheriting it. The caller
// has the thread locked.
func withoutInheritable() (restore func()) {
	hdr, data := capHeader()
	if _, _, e := syscall.RawSyscall(syscall.SYS_CAPGET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); e != 0 ||
		data[0].inheritable|data[1].inheritable == 0 {
		return func() {}
	}
	old := data
	data[0].inheritable, data[1].inheritable = 0, 0
	if _, _, e := syscall.RawSyscall(syscall.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); e != 0 {
		return func() {}
	}
	return func() {
		syscall.RawSyscall(syscall.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&old[0])), 0)
	}
}

// PollableCopy returns a non-blocking descriptor of its own for the pipe
// f, or an error if f is not a pipe. A child's lifeline is such a copy:
// the plugin's descriptor was made blocking by Fd, and the child's runtime
// watches a non-blocking one with its poller rather than a thread blocked
// in read.
func PollableCopy(f *os.File) (*os.File, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		return nil, err
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFIFO {
		return nil, syscall.EINVAL
	}
	fd, err := syscall.Open("/proc/self/fd/"+strconv.Itoa(int(f.Fd())), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	own := os.NewFile(uintptr(fd), f.Name()) // blocking when made: not pollable here
	if err := syscall.SetNonblock(fd, true); err != nil {
		own.Close()
		return nil, err
	}
	return own, nil
}

var first struct {
	once  sync.Once
	mu    sync.Mutex
	child *Child
	err   error
}

// First starts, once, the plugin's first child: only in a plugin the host
// started and asked for early children (wire.EarlyChildEnv), whose
// capabilities need no limiting (a plugin started with more executes
// itself again from Serve, which would orphan it), whose file is named
// mod_mpm_X.so with the child program mod_mpm_X.child beside it
// (wire.ChildProgramOf), and only if that program passes plainlyTrusted,
// a stricter form of the checks Serve makes of a child program. It marks
// the inherited descriptors close-on-exec first. Where any of that does
// not hold it starts nothing and says nothing: Serve then starts its early
// children itself, later, and says what is wrong; TakeFirst returns the
// error of a start that failed.
// Package mpm/earlystart's init calls it; TakeFirst hands the child over.
func First() {
	first.once.Do(func() {
		c, err := startFirst()
		first.mu.Lock()
		first.child, first.err = c, err
		first.mu.Unlock()
	})
}

// TakeFirst returns the child First started (nil if none) or why starting
// it failed; the first call gets it and owns it.
func TakeFirst() (*Child, error) {
	first.mu.Lock()
	defer first.mu.Unlock()
	c, err := first.child, first.err
	first.child, first.err = nil, nil
	return c, err
}

func startFirst() (*Child, error) {
	if !IsPlugin() || !capabilitiesKept() || os.Getenv(wire.PinnedEnv) != "" {
		return nil, nil
	}
	v, asked := os.LookupEnv(wire.EarlyChildEnv)
	if !asked {
		return nil, nil
	}
	cred, ok := parseCredential(v)
	if !ok {
		return nil, nil
	}
	self, err := os.Executable()
	if err != nil {
		return nil, nil
	}
	dir, base := split(self)
	name := wire.ChildProgramOf(base)
	if name == "" {
		return nil, nil
	}
	path := dir + "/" + name
	if !plainlyTrusted(path, self) {
		return nil, nil
	}
	cloexec.Inherited()
	c, err := Socket(path, path, EarlyMarker, Lifeline(), os.Stderr, cred)
	if err != nil {
		return nil, &os.PathError{Op: "start", Path: path, Err: err}
	}
	return c, nil
}

// parentCapabilities are what an MPM parent keeps (capability.Parent):
// CAP_KILL, CAP_SETGID and CAP_SETUID.
const parentCapabilities = 1<<5 | 1<<6 | 1<<7

// capabilitiesKept reports whether this process may hold no capability
// but parentCapabilities, as capability.LimitThread leaves a plugin.
func capabilitiesKept() bool {
	permitted, _, _, ok := capabilities()
	return ok && permitted&^parentCapabilities == 0
}

// split is path's directory and last element; path is absolute.
func split(path string) (dir, base string) {
	i := len(path) - 1
	for i >= 0 && path[i] != '/' {
		i--
	}
	if i <= 0 {
		return "/", path[i+1:]
	}
	return path[:i], path[i+1:]
}

// plainlyTrusted reports whether the program at path (a name in the
// directory of the plugin's own file self, which os.Executable gives with
// no symbolic link in it) may run as a child before Serve checks it: a
// regular file, not a symbolic link, which it and every directory above it
// allow no one to change but root and this process's user (owned by one of
// them, writable neither by others, but for a sticky directory, nor by a
// group other than root's), with the plugin file's owner and group and at
// least its execute permissions. Everything it accepts, trust.Trusted and
// Serve's checks of a child program accept too (TestPlainlyTrusted).
func plainlyTrusted(path, self string) bool {
	euid := uint32(os.Geteuid())
	var c, p syscall.Stat_t
	if syscall.Lstat(path, &c) != nil || c.Mode&syscall.S_IFMT != syscall.S_IFREG || !unchangeable(&c, euid) {
		return false
	}
	for d := path; d != "/"; {
		d, _ = split(d)
		var st syscall.Stat_t
		if syscall.Lstat(d, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFDIR || !unchangeable(&st, euid) {
			return false
		}
	}
	if syscall.Stat(self, &p) != nil {
		return false
	}
	return c.Uid == p.Uid && c.Gid == p.Gid && p.Mode&0o111&^c.Mode == 0
}

func unchangeable(st *syscall.Stat_t, euid uint32) bool {
	if st.Uid != 0 && st.Uid != euid {
		return false
	}
	if st.Mode&syscall.S_IFMT == syscall.S_IFDIR && st.Mode&syscall.S_ISVTX != 0 {
		return true
	}
	return st.Mode&0o002 == 0 && (st.Mode&0o020 == 0 || st.Gid == 0)
}

// parseCredential reads the credential the host writes in wire.EarlyChildEnv
// (an mpm.Credential in JSON: null, or {"Uid":N,"Gid":N,"Groups":[N,...]}
// with null for no groups), without package encoding/json, which is
// initialised late; false for anything else, which Serve decodes itself.
func parseCredential(v string) (*syscall.Credential, bool) {
	if v == "null" {
		return nil, true
	}
	c := &syscall.Credential{}
	p := parser{s: v}
	ok := p.lit(`{"Uid":`) && p.uint32(&c.Uid) && p.lit(`,"Gid":`) && p.uint32(&c.Gid) && p.lit(`,"Groups":`)
	if ok && !p.lit("null") {
		ok, c.Groups = p.lit("["), []uint32{}
		for ok && !p.lit("]") {
			var g uint32
			if len(c.Groups) > 0 {
				ok = p.lit(",")
			}
			ok = ok && p.uint32(&g)
			c.Groups = append(c.Groups, g)
		}
	}
	return c, ok && p.lit("}") && p.s == ""
}

type parser struct{ s string }

func (p *parser) lit(s string) bool {
	if hasPrefix(p.s, s) {
		p.s = p.s[len(s):]
		return true
	}
	return false
}

func (p *parser) uint32(n *uint32) bool {
	i := 0
	for i < len(p.s) && p.s[i] >= '0' && p.s[i] <= '9' {
		i++
	}
	v, err := strconv.ParseUint(p.s[:i], 10, 32)
	if err != nil || (i > 1 && p.s[0] == '0') {
		return false
	}
	*n, p.s = uint32(v), p.s[i:]
	return true
}
