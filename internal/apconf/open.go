package apconf

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"strconv"
	"syscall"
)

// ErrNotRegular is apache2's APR_EBADF from ap_pcfg_openfile: what was opened
// is not a regular file (a directory, a device, a FIFO).
var ErrNotRegular = syscall.EBADF

// ReadFile reads a configuration file a request names (.htaccess,
// AuthUserFile, AuthGroupFile) as apache2's ap_pcfg_openfile opens it: what
// is opened must be a regular file, told by the descriptor that is read (a
// symbolic link to /dev/zero or a FIFO is refused, and opening a FIFO does
// not wait for a writer), and at most max bytes of it are read (longer is an
// error). fi is the opened file's; it is set whenever the file was opened,
// ErrNotRegular included.
func ReadFile(path string, max int) (data []byte, fi fs.FileInfo, err error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fi, ErrNotRegular
	}
	data, err = io.ReadAll(io.LimitReader(f, int64(max)+1))
	if err != nil {
		return nil, fi, err
	}
	if len(data) > max {
		return nil, fi, errors.New("longer than " + strconv.Itoa(max) + " bytes")
	}
	return data, fi, nil
}
