// Package privdir makes a directory of the server's own under a shared
// one (TMPDIR) for Unix sockets it hands to other processes: the plugin's
// gRPC socket, the RewriteMap programs' sockets. The server is root when
// it binds port 80; such a directory must be the one it made, 0700 and
// its own, and it is removed through a descriptor of it, never by a path
// another user could have redirected.
package privdir

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Make makes a new directory under base (TMPDIR when base is "") named
// prefix and a random suffix, mode 0700, and opens it (close-on-exec)
// without following a symbolic link, checking that what it opened is
// still the directory made: owned by this process's effective user, with
// no permission for anyone else. A parent directory others may write
// lets them replace it between the two steps; Make then fails. The caller
// ends with RemoveAll.
func Make(base, prefix string) (path string, fd int, err error) {
	path, err = os.MkdirTemp(base, prefix)
	if err != nil {
		return "", -1, err
	}
	fd, err = openOwn(path)
	if err != nil {
		os.Remove(path) // an empty directory only, whoever's it is now
		return "", -1, err
	}
	return path, fd, nil
}

// openOwn opens the directory path, not through a symbolic link, and
// checks that it is this user's alone.
func openOwn(path string) (int, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open %s: %w", path, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("stat %s: %w", path, err)
	}
	if st.Uid != uint32(os.Geteuid()) || st.Mode&0o077 != 0 {
		// Not the one made: its parent let another user replace it.
		unix.Close(fd)
		return -1, fmt.Errorf("%s: replaced after it was made (owner %d, mode %#o)", path, st.Uid, uint32(st.Mode)&0o7777)
	}
	return fd, nil
}

// RemoveAll removes the names in the directory fd (Make's; only this
// user could make any), closes fd and removes the directory at path if
// it is empty. Call it once.
func RemoveAll(fd int, path string) {
	if dup, err := unix.Dup(fd); err == nil {
		d := os.NewFile(uintptr(dup), path)
		names, _ := d.Readdirnames(-1)
		d.Close()
		for _, name := range names {
			unix.Unlinkat(fd, name, 0)
		}
	}
	unix.Close(fd)
	unix.Rmdir(path) // an empty directory only
}
