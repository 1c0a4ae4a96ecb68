package mpm

import (
	"fmt"
	"net/http"
	"os"
	"slices"
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

// passAccessLogs appends the access-log descriptors of core (the main server's and
// every virtual host's) to a child's files, which become its descriptors 3, 4, ...,
// each descriptor once, and renumbers core's logs for the child. core's slices are
// replaced, never written to: the caller's copy of Core may share them.
func passAccessLogs(files []*os.File, core *Core) []*os.File {
	slot := map[*os.File]int{} // file here -> descriptor in the child
	pass := func(logs []AccessLog) []AccessLog {
		if len(logs) == 0 {
			return logs
		}
		out := make([]AccessLog, len(logs))
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
		return out
	}
	core.AccessLogs = pass(core.AccessLogs)
	core.VirtualHosts = slices.Clone(core.VirtualHosts)
	for i := range core.VirtualHosts {
		core.VirtualHosts[i].AccessLogs = pass(core.VirtualHosts[i].AccessLogs)
	}
	return files
}

// openAccessLogs parses the formats of logs and opens their inherited descriptors.
func openAccessLogs(logs []AccessLog) ([]accesslog.Log, error) {
	var out []accesslog.Log
	for _, l := range logs {
		f, err := accesslog.Parse(l.Format)
		if err != nil {
			return nil, fmt.Errorf("CustomLog %s: %w", l.Target, err)
		}
		out = append(out, accesslog.Log{W: inheritedFile(l.FD, "accesslog:"+l.Target), Format: f})
	}
	return out, nil
}

// accessLogHook returns a RequestDone hook writing a request's lines to the logs of
// the server that answered it: main, or the one table picks. It is nil when no
// server has access logs.
func accessLogHook(main *vserver, table *vhostTable) func(c *http1.Conn, r *http.Request, status int, n int64) {
	servers := []*vserver{main}
	if table != nil {
		servers = append(servers, table.all...)
	}
	if !slices.ContainsFunc(servers, func(s *vserver) bool { return len(s.logs) > 0 }) {
		return nil
	}
	return func(c *http1.Conn, r *http.Request, status int, n int64) {
		s := main
		if table != nil {
			s = table.answered(c, r)
		}
		if len(s.logs) == 0 {
			return
		}
		e := accesslog.Entry{
			Request: r, Line: c.RequestLine(), Status: status, BodyBytes: n,
			Start: c.RequestStart(), End: time.Now(),
			RemoteAddr: c.RemoteAddr(), LocalAddr: c.LocalAddr(), Header: c.ResponseHeader(),
			ServerName: s.logName, Requests: c.Requests(), KeepAlive: c.KeepingAlive(),
		}
		for i := range s.logs {
			s.logs[i].Write(&e)
		}
	}
}

// accessLogLists are the access-log lists of c: the main server's, then each
// virtual host's (sharing c's arrays: an element written is written in c).
func (c *Core) accessLogLists() [][]AccessLog {
	lists := [][]AccessLog{c.AccessLogs}
	for _, v := range c.VirtualHosts {
		lists = append(lists, v.AccessLogs)
	}
	return lists
}
