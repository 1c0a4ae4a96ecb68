//go:build darwin || freebsd

package filestamp

import (
	"io/fs"
	"syscall"
)

// ID is what tells a file from another of the same size and time: its
// device, inode and change time.
func ID(fi fs.FileInfo) (dev, ino uint64, ctime int64) {
	if s, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(s.Dev), uint64(s.Ino), s.Ctimespec.Nano()
	}
	return 0, 0, 0
}
