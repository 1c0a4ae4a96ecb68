//go:build linux

package scoreboard

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Create makes a new board for serverLimit child slots of threadLimit
// workers each, in a memfd mapped shared; every record starts zero (free
// slots, Dead workers). The MPM parent calls it once and hands File() to
// each child.
func Create(serverLimit, threadLimit int) (*Board, error) {
	if err := checkLimits(serverLimit, threadLimit); err != nil {
		return nil, err
	}
	fd, err := unix.MemfdCreate("httpd-scoreboard", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("scoreboard: memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), "scoreboard")
	size := Size(serverLimit, threadLimit)
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		f.Close()
		return nil, fmt.Errorf("scoreboard: ftruncate %d: %w", size, err)
	}
	mem, err := unix.Mmap(fd, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("scoreboard: mmap %d bytes: %w", size, err)
	}
	b := &Board{mem: mem, file: f, serverLimit: serverLimit, threadLimit: threadLimit, unmap: unix.Munmap}
	b.init()
	return b, nil
}

// Open maps the board a parent created, from an inherited descriptor. The
// Board takes ownership of f.
func Open(f *os.File) (*Board, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return nil, fmt.Errorf("scoreboard: fstat: %w", err)
	}
	if st.Size < headerSize {
		return nil, ErrLayout
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, int(st.Size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("scoreboard: mmap: %w", err)
	}
	b := &Board{mem: mem, file: f, unmap: unix.Munmap}
	if err := b.adopt(); err != nil {
		unix.Munmap(mem)
		return nil, err
	}
	return b, nil
}

// Now is the clock of heartbeats: CLOCK_MONOTONIC in nanoseconds, one
// clock for every process of the machine, unmoved by changes of the wall
// clock and stopped while the machine sleeps.
func Now() int64 {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts) != nil {
		return time.Now().UnixNano()
	}
	return ts.Nano()
}
