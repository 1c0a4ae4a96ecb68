package scoreboard

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// Instrument makes srv keep the scoreboard: for every connection whose
// Conn.Tag holds the Worker serving it (the MPM sets the Tag each time a
// worker takes the connection), the worker goes to BusyRead when a request
// starts arriving, BusyWrite with the request line once the head is read
// (only with extended, Apache's ExtendedStatus; otherwise the texts are
// left alone), BusyKeepalive when the connection waits for its next
// request, every answered request is counted, and every wait on the
// network touches the worker (Worker.Touch, for Progressing). It wraps
// srv.Handler and sets srv.ConnState, srv.RequestDone and srv.Progress,
// calling any previous ones; call it before the first NewConn. Nothing on
// this path allocates or locks.
func Instrument(srv *http1.Server, extended bool) {
	prevState, prevDone, prevProgress, inner := srv.ConnState, srv.RequestDone, srv.Progress, srv.Handler
	srv.Progress = func(c *http1.Conn, now time.Time) {
		if w, ok := c.Tag.(Worker); ok {
			w.Touch(now)
		}
		if prevProgress != nil {
			prevProgress(c, now)
		}
	}
	srv.ConnState = func(c *http1.Conn, s http1.State) {
		if w, ok := c.Tag.(Worker); ok {
			switch s {
			case http1.StateActive:
				w.SetStatus(BusyRead)
			case http1.StateIdle:
				w.SetStatus(BusyKeepalive)
			}
		}
		if prevState != nil {
			prevState(c, s)
		}
	}
	srv.Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if c := http1.ConnFromRequest(r); c != nil {
			if w, ok := c.Tag.(Worker); ok {
				begin(c, w, r, extended)
			}
		}
		inner.ServeHTTP(rw, r)
	})
	srv.RequestDone = func(c *http1.Conn, r *http.Request, status int, n int64) {
		if w, ok := c.Tag.(Worker); ok {
			now := time.Now()
			if w.Status() != BusyWrite { // answered by the engine: the handler never ran
				begin(c, w, r, extended)
			}
			w.EndRequest(now, n)
		}
		if prevDone != nil {
			prevDone(c, r, status, n)
		}
	}
}

// begin records r on w. Its virtual host is what Apache's scoreboard shows:
// the ServerName of the server answering r (not the request's Host) and
// the port c came in on.
func begin(c *http1.Conn, w Worker, r *http.Request, extended bool) {
	if !extended {
		w.r.startTime.Store(time.Now().UnixMicro())
		w.SetStatus(BusyWrite)
		return
	}
	port := 0
	if a, ok := c.LocalAddr().(*net.TCPAddr); ok {
		port = a.Port
	}
	w.BeginRequest(time.Now(), clientIP(r.RemoteAddr), http1.ServerHostname(r), port, r.Method, r.RequestURI, r.Proto)
}

// clientIP is the address part of "ip:port" or "[ip]:port".
func clientIP(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i > 0 && strings.IndexByte(addr, ']') < i {
		addr = addr[:i]
	}
	return strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
}
