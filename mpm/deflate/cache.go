package deflate

import (
	"io"
	"sync"
	"time"
)

// The compressed bytes of small files, kept per process: the same file at
// the same level compresses to the same bytes, and compress/flate costs
// far more CPU than copying them (apache2 compresses every time; nginx's
// gzip_static serves files compressed beforehand). An entry is keyed by
// what identifies the file's content (device, inode, size, modification
// time) and the level; only bodies the writer holds whole (a
// Content-Length) are kept, each at most cacheEntryMax, all together at
// most cacheMax bytes (the oldest leave first).
const (
	cacheEntryMax = 64 << 10
	cacheMax      = 8 << 20
)

// fileKey identifies a file's content and the compression level.
type fileKey struct {
	dev, ino uint64
	size     int64
	mtime    int64 // ns
	level    int
	ok       bool
}

type compressedCache struct {
	mu    sync.Mutex
	m     map[fileKey][]byte
	order []fileKey // insertion order, for eviction
	bytes int
}

var cache compressedCache

func (c *compressedCache) get(k fileKey) ([]byte, bool) {
	c.mu.Lock()
	b, ok := c.m[k]
	c.mu.Unlock()
	return b, ok
}

// put keeps a copy of body under k.
func (c *compressedCache) put(k fileKey, body []byte) {
	if len(body) > cacheEntryMax {
		return
	}
	b := append([]byte(nil), body...)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok {
		return
	}
	if c.m == nil {
		c.m = map[fileKey][]byte{}
	}
	for c.bytes+len(b) > cacheMax && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		c.bytes -= len(c.m[old])
		delete(c.m, old)
	}
	c.m[k] = b
	c.order = append(c.order, k)
	c.bytes += len(b)
}

// wholeFile is the key of src when it is a section over all of a regular
// file that has not changed within the last second (a file being written
// may change again within its mtime's granularity).
func wholeFile(src io.Reader, level int) fileKey {
	sr, ok := src.(*io.SectionReader)
	if !ok {
		return fileKey{}
	}
	ra, off, n := sr.Outer()
	if pos, _ := sr.Seek(0, io.SeekCurrent); off != 0 || pos != 0 {
		return fileKey{}
	}
	k, mtime, ok := statKey(ra)
	if !ok || k.size != n || time.Since(mtime) < time.Second {
		return fileKey{}
	}
	k.level, k.ok = level, true
	return k
}
