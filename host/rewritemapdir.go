package host

import (
	"fmt"
	"net"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/internal/privdir"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// socketDir is the directory of a generation's RewriteMap program sockets.
// The host (root when it binds port 80) makes it under TMPDIR and keeps it
// its own: no one else may create, rename or remove a name in it, so a
// name the host makes a socket of and gives to the children's group
// (whose processes a CGI script may share) cannot be swapped for a
// symbolic link to a file the host would then change the group of, nor
// taken in advance.
// Its own operations on the names go through a descriptor of the directory
// it made, never following a symbolic link, so that even a TMPDIR another
// user may write to cannot lead them elsewhere. Once its sockets are made,
// the children's group may enter it (0710); each socket stays the host's,
// and the children's group may connect to it (0660).
type socketDir struct {
	path string
	fd   int // the directory, opened after it was made
}

// maxSocketPath is the longest path of a Unix socket on every system
// (sun_path: 108 bytes on Linux, 104 on the BSDs).
const maxSocketPath = 104

// socketBase is where the sockets' directory is made: TMPDIR, or /tmp when
// TMPDIR is so long that a socket's path in it would not fit in sun_path.
func socketBase() string {
	base := os.TempDir()
	if len(filepath.Join(base, "httpd-rewritemap-4294967295", "9999")) > maxSocketPath {
		return "/tmp"
	}
	return base
}

// newSocketDir makes the directory, 0700 and the host's, and opens it
// (privdir.Make).
func newSocketDir() (*socketDir, error) {
	path, fd, err := privdir.Make(socketBase(), "httpd-rewritemap-")
	if err != nil {
		return nil, err
	}
	return &socketDir{path: path, fd: fd}, nil
}

// listen makes the socket name in the directory, the host's, and lets the
// children's group connect to it (children nil: the host's alone, 0600).
func (d *socketDir) listen(name string, children *mpm.Credential) (*net.UnixListener, error) {
	path := filepath.Join(d.path, name)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, err
	}
	ln.SetUnlinkOnClose(false) // remove unlinks it, through the directory
	fail := func(op string, err error) (*net.UnixListener, error) {
		ln.Close()
		return nil, fmt.Errorf("%s %s: %w", op, path, err)
	}
	var st unix.Stat_t
	if err := unix.Fstatat(d.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fail("stat", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFSOCK {
		return fail("stat", fmt.Errorf("not the socket made (mode %#o)", st.Mode))
	}
	// The name is the socket just made: no one else may change the
	// directory (fchmodat follows a symbolic link, there is none). Its
	// group is the children's before its mode lets the group in.
	mode := uint32(0o600)
	if children != nil {
		if err := unix.Fchownat(d.fd, name, -1, int(children.Gid), unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return fail("chown", err)
		}
		mode = 0o660
	}
	if err := unix.Fchmodat(d.fd, name, mode, 0); err != nil {
		return fail("chmod", err)
	}
	return ln, nil
}

// open lets the children's group enter the directory once its sockets
// are made (children nil: they run as the host's user, who owns it).
func (d *socketDir) open(children *mpm.Credential) error {
	if children == nil {
		return nil
	}
	if err := unix.Fchown(d.fd, -1, int(children.Gid)); err != nil {
		return fmt.Errorf("chown: %w", err)
	}
	if err := unix.Fchmod(d.fd, 0o710); err != nil {
		return fmt.Errorf("chmod: %w", err)
	}
	return nil
}

// remove removes the sockets and the directory.
func (d *socketDir) remove() {
	if d == nil {
		return
	}
	privdir.RemoveAll(d.fd, d.path)
}
