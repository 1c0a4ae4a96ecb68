//go:build !linux

package http1

import (
	"io"
	"net"
	"os"
)

// sendFileRaw is Linux's positional sendfile; elsewhere the caller copies.
func sendFileRaw(net.Conn, *os.File, int64, int64) (int64, bool, error) { return 0, false, nil }

// preadFull reads f from off into p until p is full or f ends (then fewer bytes and a
// nil error).
func preadFull(f *os.File, p []byte, off int64) (int, error) {
	n, err := f.ReadAt(p, off)
	if err == io.EOF {
		err = nil
	}
	return n, err
}
