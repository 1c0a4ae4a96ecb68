//go:build linux

// Package rawwait waits for descriptors without telling the Go runtime,
// for a process that serves one connection at a time (a prefork child).
//
// A goroutine blocked in a system call makes the runtime hand its P off
// and wake its monitor thread (sysmon), which then polls every 20 µs
// while the next request is served: for a process with one busy goroutine
// that is several thread switches per request, and it doubled the CPU a
// prefork child spent per request. A raw system call is invisible to the
// runtime: the goroutine keeps its P, nothing is handed off, sysmon stays
// asleep. The cost is that the P is held: no other goroutine of the
// process runs until the wait ends, so waits are sliced (at most 9 ms,
// short of the 10 ms after which sysmon preempts a goroutine that holds
// its P), the caller yields between slices, and after a second without
// readiness the caller is told to wait the ordinary way, so that an idle
// process sleeps.
//
// Only a process whose other goroutines are few and may wait a few
// milliseconds (signals, timers, the graceful-stop watcher) should use
// it; a worker thread of a threaded MPM must not.
package rawwait

import (
	"runtime"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	slice  = 9           // ms: longest raw wait
	window = time.Second // longest time spent in raw waits before giving up
)

// spin calls wait (a raw wait of up to ms milliseconds) in slices for up
// to window, or timeout ms if that is shorter (negative: none), and
// reports whether it saw readiness. wait returns whether the descriptors
// were ready, and whether to stop waiting the raw way (an error, which the
// caller's ordinary wait then meets and reports). It yields between
// slices.
func spin(wait func(ms int) (ready, stop bool), timeout int) bool {
	limit := window
	if timeout >= 0 {
		limit = min(limit, time.Duration(timeout)*time.Millisecond)
	}
	end := time.Now().Add(limit)
	// Yield before the first slice too: sysmon preempts a goroutine it
	// sees running for 10 ms without a reschedule, and the work before
	// this wait plus a 9 ms slice would often be that long. Preemption
	// is a signal (tgkill) that cuts the slice short (EINTR): measured, a
	// busy child took one every ~60 ms without this, and a context
	// switch more each time.
	runtime.Gosched()
	for {
		left := time.Until(end)
		if left <= 0 {
			return false
		}
		ready, stop := wait(min(int((left+time.Millisecond-1)/time.Millisecond), slice))
		if ready || stop {
			return ready
		}
		runtime.Gosched()
	}
}

// Poll waits for fds as poll(2) would, up to timeout ms (negative: no
// limit), but only up to a second in all: false means no descriptor was
// ready yet (or a signal came), and the caller then waits with an
// ordinary poll for the rest.
func Poll(fds []unix.PollFd, timeout int) bool {
	return spin(func(ms int) (bool, bool) {
		ts := unix.NsecToTimespec(int64(ms) * int64(time.Millisecond))
		n, _, e := syscall.RawSyscall6(unix.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), uintptr(len(fds)), uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		switch e {
		case 0:
			return n > 0, false
		case syscall.EINTR:
			return false, false
		default: // EINVAL when RLIMIT_NOFILE is below len(fds), say: not ours to spin on
			return false, true
		}
	}, timeout)
}

// EpollWait waits for events on epfd as epoll_wait(2) with no time limit
// would, but only up to a second: 0 and nil mean nothing came yet (or a
// signal did), and the caller then waits with an ordinary epoll_wait.
func EpollWait(epfd int, events []unix.EpollEvent) (n int, err error) {
	spin(func(ms int) (bool, bool) {
		var e error
		n, e = EpollPwait(epfd, events, ms)
		switch e {
		case nil:
			return n > 0, false
		case syscall.EINTR:
			return false, false
		default:
			err = e
			return false, true
		}
	}, -1)
	return n, err
}

// EpollPwait is one epoll_pwait(2) of up to ms milliseconds as a raw
// system call: with ms 0 it never waits.
func EpollPwait(epfd int, events []unix.EpollEvent, ms int) (int, error) {
	r, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), uintptr(ms), 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}
