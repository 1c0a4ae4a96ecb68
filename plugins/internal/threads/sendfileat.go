//go:build linux || freebsd || darwin

package threads

import "os"

// SendFileAt sends n bytes of f from off, waiting while the socket is full
// (up to the write deadline), without f's own offset: the engine's way to
// send a range of a descriptor that other workers read at the same time.
// Fewer than n bytes with a nil error means f ended first.
func (c *conn) SendFileAt(f *os.File, off, n int64) (int64, error) {
	return c.sendfile(f, off, n)
}
