//go:build !linux

package static

import "os"

// fdPath is unavailable without Linux's /proc/self/fd; callers fall back to resolving
// the name.
func fdPath(f *os.File, buf []byte) (int, bool) { return 0, false }

// openPlain is Linux's openat2 fast path; elsewhere the caller opens the long way.
func openPlain(name string, flags int) (*os.File, bool, error) { return nil, false, nil }

func stat(f *os.File) (meta, error) {
	fi, err := f.Stat()
	if err != nil {
		return meta{}, err
	}
	m := meta{size: fi.Size(), mtime: fi.ModTime()}
	switch {
	case fi.Mode().IsRegular():
		m.kind = kindRegular
	case fi.IsDir():
		m.kind = kindDir
	}
	return m, nil
}

// sameOwner cannot tell owners apart here, so it never allows (SymLinksIfOwnerMatch).
func sameOwner(a, b os.FileInfo) bool { return false }

// reopenDir is never called here: nothing is cached (see openPlain).
func reopenDir(f *os.File) (*os.File, error) { return os.Open(f.Name()) }

// descriptorLimit is unknown here (and no file is cached: see openPlain).
func descriptorLimit() uint64 { return 0 }
