// Package filestamp tells one state of a file from another by what stat says
// of it: a cache of what a file holds is stale when the stamp of the file
// now differs from the stamp of what was read.
package filestamp

import "io/fs"

// Stamp is a file's identity (device and inode), size and times (UnixNano):
// every write, rename over it and chmod moves the change time.
type Stamp struct {
	Dev, Ino     uint64
	Size         int64
	Mtime, Ctime int64
}

// Of is the stamp of the file fi describes.
func Of(fi fs.FileInfo) Stamp {
	s := Stamp{Size: fi.Size(), Mtime: fi.ModTime().UnixNano()}
	s.Dev, s.Ino, s.Ctime = ID(fi)
	return s
}
