//go:build !linux

package static

import "os"

// mapFile maps nothing here: small files are read with pread as larger ones.
func mapFile(*os.File) []byte { return nil }

func unmap([]byte) {}
