//go:build !linux

package listen

import (
	"errors"
	"net/netip"
)

func bind(netip.Addr, bool, int, int) (*Socket, error) { return nil, errors.ErrUnsupported }
