package accesslog

import (
	"io"
	"sync"
)

// Log is one CustomLog: lines in a Format, each written to W with a single Write call
// (one write(2) for an *os.File), so that lines never interleave when many processes
// append to the same file or pipe. Safe for concurrent use.
type Log struct {
	W      io.Writer
	Format *Format
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Write formats e and writes the line.
func (l *Log) Write(e *Entry) error {
	bp := bufPool.Get().(*[]byte)
	b := append(l.Format.Append((*bp)[:0], e), '\n')
	_, err := l.W.Write(b)
	if cap(b) <= 64<<10 {
		*bp = b
		bufPool.Put(bp)
	}
	return err
}
