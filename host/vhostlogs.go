package host

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
	"github.com/httpd-mpm/httpd-mpm/internal/pipedlog"
)

// openVhostLogs opens the <VirtualHost> sections' own ErrorLogs as the main
// one is opened (a file appended to and created if missing, /dev/stderr or a
// piped logger), at the main LogLevel, as Apache's open_logs does at every
// start and restart: one entry per virtual host, in config order, nil for
// one without its own (its requests' errors go to the main log). On failure
// the ones already open are closed and the error is Apache's message.
func openVhostLogs(name string, srv *config.Server) ([]*errorlog.Log, error) {
	var logs []*errorlog.Log
	level, _ := errorlog.ParseLevel(srv.LogLevel)
	for _, v := range srv.VirtualHosts {
		if v.ErrorLog == "" {
			logs = append(logs, nil)
			continue
		}
		l, err := errorlog.Open(v.ErrorLog, level)
		if err != nil {
			closeLogs(logs)
			if errors.As(err, new(*fs.PathError)) {
				err = fmt.Errorf("%sAH00091: %s: could not open error log file %s.", pipedlog.ErrnoPrefix(err), name, v.ErrorLog)
			}
			return nil, fmt.Errorf("%w\nAH00015: Unable to open logs", err)
		}
		logs = append(logs, l)
	}
	return logs, nil
}

// closeLogs closes the logs openVhostLogs opened.
func closeLogs(logs []*errorlog.Log) {
	for _, l := range logs {
		if l != nil {
			_ = l.Close()
		}
	}
}
