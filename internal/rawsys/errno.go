package rawsys

import (
	"errors"
	"syscall"
)

// errno is err's Errno: 0 for nil, EIO for an error that is none.
func errno(err error) syscall.Errno {
	var e syscall.Errno
	if err != nil && !errors.As(err, &e) {
		return syscall.EIO
	}
	return e
}
