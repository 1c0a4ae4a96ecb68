package host

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/host/launch"
	"github.com/httpd-mpm/httpd-mpm/internal/pipedlog"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// accessLogs are the CustomLog targets opened for one plugin generation, as Apache's
// parent opens them before it starts children: the host opens them (as root), hands the
// descriptors to the plugin after the listeners, and closes its own copies once the
// plugin has started. A graceful restart opens them again, which is how logs are rotated.
type accessLogs struct {
	files []*os.File      // one per distinct target, handed to the plugin in order
	logs  []mpm.AccessLog // one per CustomLog line; FD is the plugin's descriptor
}

// openAccessLogs opens every target of logs (each once): a file is created 0644 and
// appended to, "/dev/stderr" is the host's stderr, "|cmd" starts cmd (without a shell;
// "|$cmd" with /bin/sh -c) with a pipe as its stdin. listeners is how many listener
// descriptors the plugin gets before these. Errors are Apache's words.
func openAccessLogs(logs []config.AccessLog, listeners int) (*accessLogs, error) {
	a := &accessLogs{}
	index := map[string]int{}
	for _, l := range logs {
		i, ok := index[l.Target]
		if !ok {
			f, err := openLogTarget(l)
			if err != nil {
				a.close() // piped loggers started so far see EOF and end
				return nil, err
			}
			i = len(a.files)
			index[l.Target] = i
			a.files = append(a.files, f)
		}
		// FD is the plugin's descriptor; File serves an MPM linked in.
		a.logs = append(a.logs, mpm.AccessLog{Target: l.Target, Format: l.Format, Condition: l.Condition, FD: launch.FileFD(listeners, i), File: a.files[i]})
	}
	return a, nil
}

// allAccessLogs are srv's access logs: the main server's, then each virtual host's
// own, in config order (assignAccessLogs's order).
func allAccessLogs(srv *config.Server) []config.AccessLog {
	all := slices.Clip(srv.AccessLogs)
	for _, v := range srv.VirtualHosts {
		all = append(all, v.AccessLogs...)
	}
	return all
}

// assignAccessLogs hands the opened logs (allAccessLogs's order) to the main
// server and each virtual host of c; a virtual host without logs of its own logs
// into the main server's, as with mod_log_config.
func assignAccessLogs(c *mpm.Core, srv *config.Server, opened []mpm.AccessLog) {
	n := len(srv.AccessLogs)
	c.AccessLogs, opened = opened[:n:n], opened[n:]
	for i, v := range srv.VirtualHosts {
		n := len(v.AccessLogs)
		c.VirtualHosts[i].AccessLogs, opened = opened[:n:n], opened[n:]
		if !v.OwnLogs {
			c.VirtualHosts[i].AccessLogs = c.AccessLogs
		}
	}
}

func openLogTarget(l config.AccessLog) (*os.File, error) {
	switch {
	case l.Target == "/dev/stderr" || l.Target == "/proc/self/fd/2":
		fd, err := syscall.Dup(2)
		if err != nil {
			return nil, fmt.Errorf("%sAH00649: could not open transfer log file %s.\nAH00015: Unable to open logs", errnoPrefix(err), l.Target)
		}
		syscall.CloseOnExec(fd)
		return os.NewFile(uintptr(fd), "stderr"), nil
	case strings.HasPrefix(l.Target, "|"):
		spec := strings.TrimPrefix(l.Target, "|")
		w, err := pipedlog.Start(spec)
		if err != nil {
			return nil, fmt.Errorf("%sAH00104: unable to start piped log program '%s'\nAH00015: Unable to open logs", errnoPrefix(err), spec)
		}
		return w, nil
	}
	if _, err := os.Stat(filepath.Dir(l.Target)); err != nil {
		return nil, fmt.Errorf("%sAH02297: Cannot access directory '%s/' for log file '%s' defined at %s:%d\nAH00014: Configuration check failed",
			errnoPrefix(err), filepath.Dir(l.Target), l.Target, l.File, l.Line)
	}
	f, err := os.OpenFile(l.Target, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%sAH00649: could not open transfer log file %s.\nAH00015: Unable to open logs", errnoPrefix(err), l.Target)
	}
	return f, nil
}

var errnoPrefix = pipedlog.ErrnoPrefix

// close closes the host's copies of the descriptors (the plugin keeps its own).
func (a *accessLogs) close() {
	if a == nil {
		return
	}
	for _, f := range a.files {
		f.Close()
	}
	a.files = nil
}
