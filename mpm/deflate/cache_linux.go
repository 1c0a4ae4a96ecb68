package deflate

import (
	"io"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// statKey is the content key of an *os.File: a raw fstat(2), as package
// static's stat, without allocation.
func statKey(ra io.ReaderAt) (fileKey, time.Time, bool) {
	f, ok := ra.(*os.File)
	if !ok {
		return fileKey{}, time.Time{}, false
	}
	var st syscall.Stat_t
	if _, _, e := syscall.RawSyscall(syscall.SYS_FSTAT, f.Fd(), uintptr(unsafe.Pointer(&st)), 0); e != 0 || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return fileKey{}, time.Time{}, false
	}
	mtime := time.Unix(st.Mtim.Sec, st.Mtim.Nsec)
	return fileKey{dev: st.Dev, ino: st.Ino, size: st.Size, mtime: mtime.UnixNano()}, mtime, true
}
