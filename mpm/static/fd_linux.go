//go:build linux

package static

import (
	"os"
	"strconv"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/internal/rawsys"
)

var atFDCWD = -100 // AT_FDCWD; a variable because uintptr(-100) is not a constant expression

// fdPath writes the path of the open file f into buf, asking /proc/self/fd, without
// allocating. ok is false without /proc or when buf is too small.
func fdPath(f *os.File, buf []byte) (n int, ok bool) {
	var path [40]byte // "/proc/self/fd/" + digits + NUL
	i := copy(path[:], "/proc/self/fd/")
	i += len(strconv.AppendInt(path[i:i], int64(f.Fd()), 10))
	path[i] = 0
	r, _, errno := syscall.Syscall6(syscall.SYS_READLINKAT, uintptr(atFDCWD),
		uintptr(unsafe.Pointer(&path[0])), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0)
	if errno != 0 || int(r) >= len(buf) {
		return 0, false
	}
	return int(r), true
}

// stat reads what serving needs from an open file without allocating a FileInfo:
// rawsys.Fstat, a raw system call where it can be (see plugins/internal/rawwait).
func stat(f *os.File) (meta, error) {
	var st syscall.Stat_t
	if e := rawsys.Fstat(f.Fd(), &st); e != 0 {
		return meta{}, &os.PathError{Op: "fstat", Path: f.Name(), Err: e}
	}
	m := meta{ino: st.Ino, size: st.Size, mtime: time.Unix(st.Mtim.Unix())}
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFREG:
		m.kind = kindRegular
	case syscall.S_IFDIR:
		m.kind = kindDir
	}
	return m, nil
}

// sameOwner reports whether two files have the same owner (SymLinksIfOwnerMatch).
func sameOwner(a, b os.FileInfo) bool {
	sa, ok1 := a.Sys().(*syscall.Stat_t)
	sb, ok2 := b.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && sa.Uid == sb.Uid
}

// openPlain opens name, a clean absolute path, only if no component of it
// is a symlink (openat2 with RESOLVE_NO_SYMLINKS): the file's real path is
// then name itself, and the caller need not ask the kernel for it. ok is
// false when name has a symlink, or openat2 is unavailable (Linux before
// 5.6, a seccomp filter): the caller then opens it the long way. Flags as
// open's.
func openPlain(name string, flags int) (f *os.File, ok bool, err error) {
	how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC), Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS}
	for {
		fd, err := unix.Openat2(unix.AT_FDCWD, name, &how)
		switch err {
		case nil:
			return os.NewFile(uintptr(fd), name), true, nil
		case unix.EINTR:
			continue
		case unix.ELOOP, unix.ENOSYS, unix.EPERM, unix.EXDEV, unix.EAGAIN:
			return nil, false, nil
		}
		return nil, true, &os.PathError{Op: "open", Path: name, Err: err}
	}
}

// reopenDir opens the directory f is open on again, as a descriptor of its own
// (openat(2) of "." relative to f: the same directory, whatever its path names now).
func reopenDir(f *os.File) (*os.File, error) {
	for {
		fd, err := unix.Openat(int(f.Fd()), ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		switch err {
		case nil:
			return os.NewFile(uintptr(fd), f.Name()), nil
		case unix.EINTR:
			continue
		}
		return nil, &os.PathError{Op: "open", Path: f.Name(), Err: err}
	}
}

// descriptorLimit is the process's RLIMIT_NOFILE (0 if unknown).
func descriptorLimit() uint64 {
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) != nil {
		return 0
	}
	return rl.Cur
}
