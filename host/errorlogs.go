package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
	"github.com/httpd-mpm/httpd-mpm/internal/loglevel"
	"github.com/httpd-mpm/httpd-mpm/internal/pipedlog"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// checkErrorLogDirs is Apache's check of the error logs' directories (core's
// check_errorlog_dir, run by check_config in every mode that reads the config:
// start, restart, -t, -S, -M, -k): the directory of the main server's ErrorLog
// file, then of each <VirtualHost>'s own, from the last to the first (the order
// of Apache's server list), must be a directory one can reach. Every failure is
// reported, each as Apache's AH02291 line, then AH00014.
func checkErrorLogDirs(srv *config.Server) error {
	var msgs []string
	check := func(path, whose string) {
		if path == "" || strings.HasPrefix(path, "|") || path == "syslog" || strings.HasPrefix(path, "syslog:") {
			return
		}
		dir := filepath.Dir(path)
		fi, err := os.Stat(dir)
		if err == nil && !fi.IsDir() {
			err = syscall.ENOTDIR
		}
		if err != nil {
			msgs = append(msgs, fmt.Sprintf("%sAH02291: Cannot access directory '%s/' for %s",
				pipedlog.ErrnoPrefix(err), strings.TrimSuffix(dir, "/"), whose))
		}
	}
	check(srv.ErrorLog, "main error log")
	for i := len(srv.VirtualHosts) - 1; i >= 0; i-- {
		v := srv.VirtualHosts[i]
		check(v.ErrorLog, fmt.Sprintf("error log of vhost defined at %s:%d", v.Section.File, v.Section.Line))
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "\n") + "\nAH00014: Configuration check failed")
}

// openErrorLog is errorlog.Open with Apache's message (AH00091) for a file
// it cannot open; name is the program's name, as Apache's message has it.
func openErrorLog(name, path string, levels loglevel.Levels) (*errorlog.Log, error) {
	l, err := errorlog.Open(path, errorlog.Level(levels.Level))
	if err == nil {
		l.SetModules(levels.Modules)
	}
	if err != nil && errors.As(err, new(*fs.PathError)) {
		err = fmt.Errorf("%sAH00091: %s: could not open error log file %s.", pipedlog.ErrnoPrefix(err), name, path)
	}
	return l, err
}

// openVhostLogs opens the <VirtualHost> sections' own ErrorLogs as the main
// one is opened (a file appended to and created if missing, /dev/stderr or a
// piped logger), at the main LogLevel, as Apache's open_logs does at every
// start and restart: one entry per virtual host, in config order, nil for
// one without its own or whose ErrorLog is the main server's (its requests'
// errors go to the main log). A target an earlier virtual host names is not
// opened again: both share that one Log (one file, one piped logger), as
// Apache's open_logs shares it. On failure the ones already open are closed
// and the error is Apache's message.
func openVhostLogs(name string, srv *config.Server) ([]*errorlog.Log, error) {
	var logs []*errorlog.Log
	opened := map[string]*errorlog.Log{}
	levels, _ := loglevel.Parse(srv.LogLevel)
	for _, v := range srv.VirtualHosts {
		if v.ErrorLog == "" || v.ErrorLog == srv.ErrorLog {
			logs = append(logs, nil)
			continue
		}
		if l, ok := opened[v.ErrorLog]; ok {
			logs = append(logs, l)
			continue
		}
		l, err := openErrorLog(name, v.ErrorLog, levels)
		if err != nil {
			closeLogs(logs)
			return nil, fmt.Errorf("%w\nAH00015: Unable to open logs", err)
		}
		opened[v.ErrorLog] = l
		logs = append(logs, l)
	}
	return logs, nil
}

// closeLogs closes the logs openVhostLogs opened, each shared one once.
func closeLogs(logs []*errorlog.Log) {
	closed := map[*errorlog.Log]bool{}
	for _, l := range logs {
		if l != nil && !closed[l] {
			closed[l] = true
			_ = l.Close()
		}
	}
}

// errorLogs are a generation's error logs: main, the main server's (a Ref of
// the host's, or a restart's opened anew), and vhosts, the virtual hosts' own
// (openVhostLogs). Their MPM gets their descriptors after the access logs
// and its children write the errors of the requests they serve to them
// themselves (mpm.ErrorLog); the host writes its own lines and the MPM
// processes' logger lines (PluginWriter) to them.
type errorLogs struct {
	main   *errorlog.Log
	vhosts []*errorlog.Log
}

// files are the distinct open files of e, the main log's first, in the
// order the MPM gets them; a log without one (New on another writer) has
// none and its requests' errors go through the MPM's logger.
func (e *errorLogs) files() []*os.File {
	if e == nil {
		return nil
	}
	var out []*os.File
	for _, l := range append([]*errorlog.Log{e.main}, e.vhosts...) {
		if f := l.File(); f != nil && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// errorLogSettings sets the error logs of c's main server and virtual hosts
// (the virtual hosts of srv, in order) to e's descriptors, the i-th of
// e.files() being descriptor fd(i) in the plugin (File serves an MPM linked
// in); a virtual host without its own ErrorLog gets the main one. With e
// nil (a config check) they stay unset. Each virtual host gets its LogLevel.
func errorLogSettings(c *mpm.Core, srv *config.Server, e *errorLogs, fd func(i int) int) {
	files := e.files()
	handOver := func(l *errorlog.Log, target string) mpm.ErrorLog {
		i := slices.Index(files, l.File())
		if i < 0 {
			return mpm.ErrorLog{}
		}
		return mpm.ErrorLog{Target: target, FD: fd(i), File: files[i]}
	}
	if e != nil {
		c.ErrorLog = handOver(e.main, srv.ErrorLog)
	}
	for i, v := range srv.VirtualHosts {
		c.VirtualHosts[i].LogLevel = v.LogLevel
		if e == nil {
			continue
		}
		c.VirtualHosts[i].ErrorLog = c.ErrorLog
		if i < len(e.vhosts) && e.vhosts[i] != nil {
			c.VirtualHosts[i].ErrorLog = handOver(e.vhosts[i], v.ErrorLog)
		}
	}
}
