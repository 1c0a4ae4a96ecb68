//go:build !linux

package rawwait

import "golang.org/x/sys/unix"

// Poll reports false at once: elsewhere the caller always waits the
// ordinary way.
func Poll(fds []unix.PollFd, timeout int) bool { return false }
