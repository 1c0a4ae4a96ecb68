//go:build !linux

package http1

import (
	"net"
	"os"
)

// sendFileRaw is Linux's positional sendfile; elsewhere the caller copies.
func sendFileRaw(net.Conn, *os.File, int64, int64) (int64, bool, error) { return 0, false, nil }
