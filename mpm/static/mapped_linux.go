//go:build linux

package static

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps the first mapMax bytes of f (read-only, shared: the page cache's
// own pages, so that a change to the file shows at once, as a read would), or
// returns nil when f cannot be mapped (a file system without mmap).
func mapFile(f *os.File) []byte {
	b, err := unix.Mmap(int(f.Fd()), 0, mapMax, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil
	}
	return b
}

// unmap ends a mapFile mapping.
func unmap(b []byte) {
	if b != nil {
		_ = unix.Munmap(b)
	}
}
