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
//
// The memfd is sealed against shrinking and growing (and against further
// seals): children, which run as User, hold its descriptor, and a board
// cut short under the parent's mapping would kill the parent with SIGBUS
// on its next read of the lost pages.
func Create(serverLimit, threadLimit int) (*Board, error) {
	if err := checkLimits(serverLimit, threadLimit); err != nil {
		return nil, err
	}
	fd, err := unix.MemfdCreate("httpd-scoreboard", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("scoreboard: memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), "scoreboard")
	size := Size(serverLimit, threadLimit)
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		f.Close()
		return nil, fmt.Errorf("scoreboard: ftruncate %d: %w", size, err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, boardSeals|unix.F_SEAL_SEAL); err != nil {
		f.Close()
		return nil, fmt.Errorf("scoreboard: seal: %w", err)
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

// boardSeals are the seals a board's memfd must carry: its size is fixed.
const boardSeals = unix.F_SEAL_SHRINK | unix.F_SEAL_GROW

// Open maps the board a parent created, from an inherited descriptor. The
// Board takes ownership of f. It refuses a file whose size is not sealed
// (see Create), with ErrLayout: its pages could vanish under the mapping.
func Open(f *os.File) (*Board, error) {
	seals, err := unix.FcntlInt(f.Fd(), unix.F_GET_SEALS, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: seals: %w", ErrLayout, err)
	}
	if seals&boardSeals != boardSeals {
		return nil, fmt.Errorf("%w: size not sealed (seals %#x)", ErrLayout, seals)
	}
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
