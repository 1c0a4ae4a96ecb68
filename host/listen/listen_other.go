//go:build !linux

package listen

import (
	"errors"
	"net/netip"
	"os"
)

func bind(netip.Addr, bool, int, int, bool) (*Socket, error) { return nil, errors.ErrUnsupported }

// Adopt is Linux-only.
func Adopt(f *os.File) (*Socket, error) { return nil, errors.ErrUnsupported }

// SetDeferAccept does nothing: TCP_DEFER_ACCEPT is Linux's (the BSDs'
// accept filters are not implemented).
func (s *Socket) SetDeferAccept(int) error { return nil }
