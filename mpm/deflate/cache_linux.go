package deflate

import (
	"io"
	"os"
	"syscall"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/rawsys"
)

// statKey is the content key of an *os.File: fstat(2) without allocation,
// as package static's stat.
func statKey(ra io.ReaderAt) (fileKey, time.Time, bool) {
	f, ok := ra.(*os.File)
	if !ok {
		return fileKey{}, time.Time{}, false
	}
	var st syscall.Stat_t
	if e := rawsys.Fstat(f.Fd(), &st); e != 0 || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return fileKey{}, time.Time{}, false
	}
	mtime := time.Unix(st.Mtim.Unix())
	return fileKey{dev: uint64(st.Dev), ino: uint64(st.Ino), size: int64(st.Size), mtime: mtime.UnixNano()}, mtime, true
}
