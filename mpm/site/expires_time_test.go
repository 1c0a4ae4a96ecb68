package site

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// TestExpiresFromRequestTime: mod_expires' "access plus" counts from when the
// request arrived, as apache2's r->request_time, the time Date names: over a
// real connection, with a handler that answers in a later second, Expires is
// Date plus the configured time exactly.
func TestExpiresFromRequestTime(t *testing.T) {
	var d Dir
	for _, l := range [][]string{{"ExpiresActive", "On"}, {"ExpiresDefault", "access plus 1 hour"}} {
		if err := d.Expires.Set(l[0], l[1:]); err != nil {
			t.Fatal(err)
		}
	}
	p := newResponse(&d)
	srv := &http1.Server{Timeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.Answer(r, time.Time{})
		start := http1.ConnFromRequest(r).RequestStart()
		time.Sleep(time.Until(start.Truncate(time.Second).Add(time.Second + 50*time.Millisecond)))
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok")
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		c := srv.NewConn(nc)
		c.ServeRequest()
		c.Close()
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	io.WriteString(nc, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	date, err1 := http.ParseTime(resp.Header.Get("Date"))
	exp, err2 := http.ParseTime(resp.Header.Get("Expires"))
	if err1 != nil || err2 != nil {
		t.Fatalf("Date %q, Expires %q", resp.Header.Get("Date"), resp.Header.Get("Expires"))
	}
	if got := exp.Sub(date); got != time.Hour || resp.Header.Get("Cache-Control") != "max-age=3600" {
		t.Errorf("Expires is Date+%v, Cache-Control %q; want Date+1h0m0s, max-age=3600", got, resp.Header.Get("Cache-Control"))
	}
}
