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

// passLogs appends the log descriptors of core (the access logs and error log
// of the main server and of every virtual host) to a child's files, which
// become its descriptors 3, 4, ..., each descriptor once, and renumbers core's
// logs for the child. core's slices are replaced, never written to: the
// caller's copy of Core may share them.
func passLogs(files []*os.File, core *Core) []*os.File {
	slot := map[*os.File]int{} // file here -> descriptor in the child
	fdFor := func(f *os.File) int {
		fd, ok := slot[f]
		if !ok {
			fd = 3 + len(files)
			files = append(files, f)
			slot[f] = fd
		}
		return fd
	}
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
			out[i].FD, out[i].File = fdFor(f), nil
		}
		return out
	}
	passError := func(l *ErrorLog) {
		if f := l.file(); f != nil {
			l.FD, l.File = fdFor(f), nil
		}
	}
	core.AccessLogs = pass(core.AccessLogs)
	passError(&core.ErrorLog)
	core.VirtualHosts = slices.Clone(core.VirtualHosts)
	for i := range core.VirtualHosts {
		core.VirtualHosts[i].AccessLogs = pass(core.VirtualHosts[i].AccessLogs)
		passError(&core.VirtualHosts[i].ErrorLog)
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
		al := accesslog.Log{W: inheritedFile(l.FD, "accesslog:"+l.Target), Format: f}
		if err := al.Condition(l.Condition); err != nil {
			return nil, fmt.Errorf("CustomLog %s: %w", l.Target, err)
		}
		out = append(out, al)
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
			Request: r, Line: c.RequestLine(), LineUnparsed: c.LineUnparsed(), Hostname: c.RefusedHostname(r), Status: status, OrigStatus: c.OrigStatus(), BodyBytes: n,
			Start: c.RequestStart(), End: time.Now(),
			RemoteAddr: c.RemoteAddr(), PeerAddr: c.RemoteAddr(), LocalAddr: c.LocalAddr(), Header: c.ResponseHeader(),
			ServerName: s.logName, CanonicalName: s.canonicalName, Requests: c.Requests(), KeepAlive: c.KeepingAlive(),
			BytesIn: c.BytesIn(), BytesOut: c.BytesOut(),
			Env: c.Env(), OrigEnv: c.OrigEnv(), Notes: c.Notes(), OrigNotes: c.OrigNotes(),
		}
		if r != nil && r.RemoteAddr != "" {
			e.RemoteAddr = r.RemoteAddr // mod_remoteip's client, if it set one
		}
		e.User, e.UserSet = c.User()
		e.Last, e.OrigMethod = c.LastRequest(), c.OrigMethod()
		e.OrigBodyBytes, e.Redirected = c.OrigBodyBytes()
		for i := range s.logs {
			s.logs[i].Write(&e)
		}
	}
}

// logFDs are pointers to the descriptor numbers of c's logs: the access logs
// and error log of the main server, then of each virtual host (sharing c's
// arrays: a number written is written in c).
func (c *Core) logFDs() []*int {
	var fds []*int
	add := func(logs []AccessLog, e *ErrorLog) {
		for i := range logs {
			fds = append(fds, &logs[i].FD)
		}
		if e.FD > 0 {
			fds = append(fds, &e.FD)
		}
	}
	add(c.AccessLogs, &c.ErrorLog)
	for i := range c.VirtualHosts {
		add(c.VirtualHosts[i].AccessLogs, &c.VirtualHosts[i].ErrorLog)
	}
	return fds
}
