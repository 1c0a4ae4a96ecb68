//go:build linux

package mpm

import (
	"errors"

	"golang.org/x/sys/unix"
)

func checkListening(fd int) error {
	on, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	if err != nil {
		return err
	}
	if on == 0 {
		return errors.New("not a listening socket")
	}
	return nil
}
