package mpm

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sealedFile returns a memory file holding data that nobody can change
// any more: its size and contents are sealed.
func sealedFile(name string, data []byte) (*os.File, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("memfd %s: %w", name, err)
	}
	f := os.NewFile(uintptr(fd), name)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, fmt.Errorf("memfd %s: %w", name, err)
	}
	const seals = unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		f.Close()
		return nil, fmt.Errorf("memfd %s: seal: %w", name, err)
	}
	return f, nil
}

// mapSealed maps the sealed file fd read-only, closes fd and returns the
// mapping as a string, which lives as long as the process. It refuses a
// file that is not sealed against writes and size changes: its pages
// could change under the string, or vanish (SIGBUS).
func mapSealed(fd int) (string, error) {
	defer unix.Close(fd)
	seals, err := unix.FcntlInt(uintptr(fd), unix.F_GET_SEALS, 0)
	if err != nil {
		return "", fmt.Errorf("seals: %w", err)
	}
	const need = unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if seals&need != need {
		return "", fmt.Errorf("file not sealed (seals %#x)", seals)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return "", fmt.Errorf("stat: %w", err)
	}
	if st.Size == 0 {
		return "", nil
	}
	mem, err := unix.Mmap(fd, 0, int(st.Size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return "", fmt.Errorf("mmap: %w", err)
	}
	return unsafe.String(unsafe.SliceData(mem), len(mem)), nil
}
