package host

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/internal/pipedlog"
)

// redirectStderr is -E file: what httpd writes to stderr from here on goes
// to file, appended and relative to the ServerRoot of -d, as Apache's
// ap_replace_stderr_log does. Descriptor 2 itself is replaced, so the MPM
// plugin and its children write there too. If file cannot be opened,
// stderr stays as it was and Apache's AH00086 says why.
func redirectStderr(o *options, stderr io.Writer) io.Writer {
	name := o.startLog
	if !filepath.IsAbs(name) {
		name = filepath.Join(o.serverRoot(), name)
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
	if err != nil {
		fmt.Fprintf(stderr, "%sAH00086: %s: could not open error log file %s.\n", pipedlog.ErrnoPrefix(err), o.name, o.startLog)
		return stderr
	}
	if stderr != io.Writer(os.Stderr) {
		// A caller's own writer (an in-process test): the process's
		// descriptor 2 is not this run's to take.
		return f
	}
	defer f.Close()
	if err := unix.Dup2(int(f.Fd()), 2); err != nil {
		fmt.Fprintf(stderr, "%s: -E %s: %v\n", o.name, o.startLog, err)
	}
	return os.Stderr
}
