//go:build !linux

package scoreboard

import (
	"errors"
	"os"
	"time"
	"unsafe"
)

// Create makes a board in this process's memory only: without memfd there
// is no shared board, so children cannot open it (File returns nil).
func Create(serverLimit, threadLimit int) (*Board, error) {
	if err := checkLimits(serverLimit, threadLimit); err != nil {
		return nil, err
	}
	words := make([]uint64, Size(serverLimit, threadLimit)/8)
	mem := unsafeBytes(words)
	b := &Board{mem: mem, serverLimit: serverLimit, threadLimit: threadLimit}
	b.init()
	return b, nil
}

// Open is not supported without memfd.
func Open(*os.File) (*Board, error) { return nil, errors.ErrUnsupported }

// unsafeBytes views 8-byte aligned words as bytes, so that records laid
// over them are aligned for atomic access.
func unsafeBytes(w []uint64) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), len(w)*8)
}

// Now is the clock of heartbeats, in nanoseconds. Without a shared board
// only this process reads it.
func Now() int64 { return time.Now().UnixNano() }
