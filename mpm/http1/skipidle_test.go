//go:build unix

package http1

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestSkipIdleWait: after SkipIdleWait, a ServeRequest that finds no byte of
// a next request returns at once, keepAlive true, no request served and
// nothing written, the connection Quiet; the request sent afterwards is
// served by the next ServeRequest, over plain TCP and over TLS (whose
// tls.Conn goes on after the read that failed). The server's connection
// reads as the event child's do (tryFirstConn).
func TestSkipIdleWait(t *testing.T) {
	for _, overTLS := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "tls"}[overTLS], func(t *testing.T) {
			srv := newTestServer()
			srv.KeepAliveTimeout = time.Minute // a wait would outlast the test's deadline
			var ccfg *tls.Config
			if overTLS {
				cfg := testTLSConfig(t)
				srv.TLS = func(*Conn) *tls.Config { return cfg }
				ccfg = &tls.Config{InsecureSkipVerify: true}
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			send, answered := make(chan string, 1), make(chan error, 1) // buffered: tls.Dial waits for ServeRequest's handshake
			go func() {
				var cc net.Conn
				var err error
				if ccfg != nil {
					cc, err = tls.Dial("tcp", ln.Addr().String(), ccfg)
				} else {
					cc, err = net.Dial("tcp", ln.Addr().String())
				}
				if err != nil {
					answered <- err
					return
				}
				defer cc.Close()
				cc.SetDeadline(time.Now().Add(20 * time.Second))
				br := bufio.NewReader(cc)
				for path := range send {
					if _, err := io.WriteString(cc, "GET "+path+" HTTP/1.1\r\nHost: h\r\n\r\n"); err != nil {
						answered <- err
						return
					}
					resp, err := http.ReadResponse(br, nil)
					if err == nil {
						_, err = io.Copy(io.Discard, resp.Body)
					}
					answered <- err
				}
			}()
			defer close(send)
			nc, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			nc.SetDeadline(time.Now().Add(20 * time.Second))
			c := srv.NewConn(&tryFirstConn{TCPConn: nc.(*net.TCPConn)})
			defer c.Close()
			serve := func(path string) {
				t.Helper()
				send <- path
				if keep, err := c.ServeRequest(); !keep || err != nil {
					t.Fatalf("%s: keep %v, %v", path, keep, err)
				}
				if err := <-answered; err != nil {
					t.Fatalf("%s: answer: %v", path, err)
				}
			}
			serve("/first")
			c.SkipIdleWait()
			if keep, err := c.ServeRequest(); !keep || err != nil || c.Requests() != 1 {
				t.Fatalf("with nothing sent: keep %v, %v, %d requests; want true, nil, 1", keep, err, c.Requests())
			}
			if !c.Quiet() {
				t.Fatal("not Quiet after a ServeRequest that found nothing")
			}
			serve("/second")
			if c.Requests() != 2 {
				t.Fatalf("%d requests; want 2", c.Requests())
			}
		})
	}
}

// tryFirstConn reads as the event child's connections do: it looks at the
// socket first, and a past read deadline fails a read only when it would
// wait (a net.TCPConn fails at once).
type tryFirstConn struct {
	*net.TCPConn
	past bool // the read deadline has passed
}

func (c *tryFirstConn) SetReadDeadline(t time.Time) error {
	if c.past = !t.IsZero() && !t.After(time.Now()); c.past {
		return nil
	}
	return c.TCPConn.SetReadDeadline(t)
}

func (c *tryFirstConn) Read(p []byte) (int, error) {
	rc, err := c.TCPConn.SyscallConn()
	if err != nil {
		return 0, err
	}
	n, rerr := 0, error(nil)
	if err := rc.Read(func(fd uintptr) bool { n, rerr = syscall.Read(int(fd), p); return true }); err != nil {
		return 0, err
	}
	switch {
	case rerr == nil && n == 0:
		return 0, io.EOF
	case rerr == nil:
		return n, nil
	case rerr != syscall.EAGAIN:
		return 0, rerr
	case c.past:
		return 0, &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	}
	return c.TCPConn.Read(p)
}
