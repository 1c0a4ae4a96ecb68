package mpm

import (
	"os"
	"sync"
)

// sharedTypes is a generation's TypesConfig file, read once by the plugin
// and handed to every child as a sealed, read-only memory file that the
// child maps (Linux): the children share its pages instead of each
// reading the file into a heap buffer of its own (Debian's mime.types:
// 80 KiB of each child's 280 KiB live heap). As in apache2, whose parent
// reads the file at start-up and restart, a child started later serves the
// types the generation read, whatever the file holds by then. Without a
// file (none shared: not Linux, the file missing or unreadable here, a
// Config made without Configure) each child reads TypesConfig itself.
type sharedTypes struct {
	once sync.Once
	f    *os.File // nil: none
}

// file returns the sealed copy of path, made at the first call, or nil.
// configure makes that call when it configures a generation; StartChild's
// waits for it if it has not finished.
func (s *sharedTypes) file(path string) *os.File {
	if s == nil || path == "" {
		return nil
	}
	s.once.Do(func() {
		data, err := os.ReadFile(path)
		if err != nil {
			return // the children read it themselves and say why not
		}
		s.f, _ = sealedFile("mime.types", data)
	})
	return s.f
}

// close closes the sealed copy, if made, once the generation has no child
// to start any more (its children hold their own descriptors); no copy is
// made after it.
func (s *sharedTypes) close() {
	if s == nil {
		return
	}
	s.once.Do(func() {})
	if s.f != nil {
		s.f.Close()
	}
}
