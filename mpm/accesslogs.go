package mpm

import (
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/accesslog"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// inherited keeps one *os.File per inherited log descriptor for the life of the
// process: a second os.NewFile over the same descriptor would close it when collected.
var inherited struct {
	sync.Mutex
	files map[int]*os.File
}

func inheritedFile(fd int, name string) *os.File {
	inherited.Lock()
	defer inherited.Unlock()
	if f, ok := inherited.files[fd]; ok {
		return f
	}
	if inherited.files == nil {
		inherited.files = map[int]*os.File{}
	}
	f := os.NewFile(uintptr(fd), name)
	inherited.files[fd] = f
	return f
}

// passAccessLogs appends the access-log descriptors to a child's files (which become
// its descriptors 3, 4, ...) and returns the logs renumbered for the child.
func passAccessLogs(files []*os.File, logs []AccessLog) ([]*os.File, []AccessLog) {
	if len(logs) == 0 {
		return files, logs
	}
	out := make([]AccessLog, len(logs))
	slot := map[*os.File]int{} // file here -> descriptor in the child
	for i, l := range logs {
		out[i] = l
		f := l.File
		if f == nil {
			f = inheritedFile(l.FD, "accesslog:"+l.Target)
		}
		fd, ok := slot[f]
		if !ok {
			fd = 3 + len(files)
			files = append(files, f)
			slot[f] = fd
		}
		out[i].FD, out[i].File = fd, nil
	}
	return files, out
}

// accessLogHook returns a RequestDone hook writing every CustomLog's line, or nil
// without access logs.
func accessLogHook(core *Core) (func(c *http1.Conn, r *http.Request, status int, n int64), error) {
	if len(core.AccessLogs) == 0 {
		return nil, nil
	}
	logs := make([]accesslog.Log, len(core.AccessLogs))
	for i, l := range core.AccessLogs {
		f, err := accesslog.Parse(l.Format)
		if err != nil {
			return nil, fmt.Errorf("CustomLog %s: %w", l.Target, err)
		}
		logs[i] = accesslog.Log{W: inheritedFile(l.FD, "accesslog:"+l.Target), Format: f}
	}
	serverName := core.ServerName
	return func(c *http1.Conn, r *http.Request, status int, n int64) {
		e := accesslog.Entry{
			Request: r, Line: c.RequestLine(), Status: status, BodyBytes: n,
			Start: c.RequestStart(), End: time.Now(),
			RemoteAddr: c.RemoteAddr(), LocalAddr: c.NetConn().LocalAddr(), Header: c.ResponseHeader(),
			ServerName: serverName, Requests: c.Requests(), KeepAlive: c.KeepingAlive(),
		}
		for i := range logs {
			logs[i].Write(&e)
		}
	}, nil
}
