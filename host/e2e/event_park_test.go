package e2e_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestEventParkLeftoverBytes: a request that is already in the socket when
// the event child parks its keep-alive connection is answered at once, not
// when KeepAliveTimeout (30 s here) ends the wait, over plain TCP and TLS.
// The connection is parked edge-triggered: a park that skipped epoll_ctl
// after a read that filled its buffer lost the request behind (no new
// edge). Each case parks the connection with a first request, then sends:
// a request of exactly the engine's 4 KiB read buffer and a GET in one
// write; a POST whose body (read to its Content-Length) ends a buffer, and
// a GET; a POST whose large body fills many reads (over TLS, many records),
// and a GET in a write of its own; a POST with Expect: 100-continue whose
// body (after the 100) and a GET come in one write, to a CGI that reads
// it; a GET sent while a slow CGI holds the worker for the request before.
// The client's deadline (10 s) is well under KeepAliveTimeout: a lost
// wake-up fails the test, whatever the speed.
func TestEventParkLeftoverBytes(t *testing.T) {
	root, tlsAddr := tlsEventSite(t, 4, "30", "")
	cgiBin(t, root, map[string]string{
		"cat.cgi":  "#!/bin/sh\necho 'Content-Type: text/plain'\necho\nexec cat\n",
		"slow.cgi": "#!/bin/sh\nsleep 1\necho 'Content-Type: text/plain'\necho\necho slow\n",
	}, "")
	in := start(t, root)

	const get = "GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"
	pad := "GET /hello.txt HTTP/1.1\r\nHost: x\r\nX-Pad: "
	full := pad + strings.Repeat("p", 4096-len(pad)-4) + "\r\n\r\n"
	post := func(n int) string {
		return fmt.Sprintf("POST /cgi-bin/cat.cgi HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", n) + strings.Repeat("b", n)
	}
	// Each case sends with burst: its parts in one write(2), over TLS one
	// record each, so that all is in the socket before the child reads
	// any (the second request, of 4 KiB, is more than a tls.Conn reads
	// ahead past the record it needs).
	cases := []struct {
		name string
		send func(burst func(...string) error, br *bufio.Reader) error
		size int    // the first answer's length
		want string // and body, if not ""
	}{
		{"request of the buffer's size", func(burst func(...string) error, _ *bufio.Reader) error {
			return burst(full, full)
		}, 13, ""},
		{"body ending a buffer", func(burst func(...string) error, _ *bufio.Reader) error {
			return burst(post(8192), full)
		}, 8192, ""},
		{"large body, then a request", func(burst func(...string) error, _ *bufio.Reader) error {
			if err := burst(post(100_000)); err != nil {
				return err
			}
			return burst(get)
		}, 100_000, ""},
		{"100-continue", func(burst func(...string) error, br *bufio.Reader) error {
			if err := burst("POST /cgi-bin/cat.cgi HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4096\r\n\r\n"); err != nil {
				return err
			}
			line, err := br.ReadString('\n')
			if err != nil {
				return err
			}
			if !strings.HasPrefix(line, "HTTP/1.1 100 ") {
				return fmt.Errorf("%q; want a 100 Continue", line)
			}
			if _, err := br.ReadString('\n'); err != nil { // its empty line
				return err
			}
			return burst(strings.Repeat("b", 4096), full)
		}, 4096, ""},
		{"request while a worker is busy", func(burst func(...string) error, _ *bufio.Reader) error {
			if err := burst("GET /cgi-bin/slow.cgi HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
				return err
			}
			time.Sleep(300 * time.Millisecond) // the worker has it, in the script's sleep
			return burst(get)
		}, 5, "slow\n"},
	}
	for _, overTLS := range []bool{false, true} {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/tls=%v", tc.name, overTLS), func(t *testing.T) {
				addr := in.addr
				if overTLS {
					addr = tlsAddr
				}
				raw, err := net.Dial("tcp", addr)
				must(t, err)
				defer raw.Close()
				hc := &heldConn{Conn: raw}
				var c net.Conn = hc
				if overTLS {
					c = tls.Client(hc, &tls.Config{ServerName: "localhost", InsecureSkipVerify: true})
				}
				ic := &idleConn{Conn: c, br: bufio.NewReader(c)}
				if code, err := ic.get("/hello.txt"); err != nil || code != 200 {
					t.Fatalf("first request: %d %v", code, err)
				}
				time.Sleep(50 * time.Millisecond) // let it park (it does right after the answer)
				c.SetDeadline(time.Now().Add(10 * time.Second))
				burst := func(parts ...string) error {
					hc.held = []byte{}
					for _, p := range parts {
						if _, err := io.WriteString(c, p); err != nil {
							return err
						}
					}
					b := hc.held
					hc.held = nil
					_, err := raw.Write(b)
					return err
				}
				if err := tc.send(burst, ic.br); err != nil {
					t.Fatal(err)
				}
				for i, want := range []string{tc.want, "hello, world\n"} {
					resp, err := http.ReadResponse(ic.br, nil)
					if err != nil {
						t.Fatalf("answer %d: %v (KeepAliveTimeout is 30 s: a lost wake-up)", i+1, err)
					}
					b, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err != nil || resp.StatusCode != 200 {
						t.Fatalf("answer %d: %d %v", i+1, resp.StatusCode, err)
					}
					if i == 0 && len(b) != tc.size || want != "" && string(b) != want {
						t.Fatalf("answer %d: %d bytes %.40q; want %d bytes %q", i+1, len(b), b, tc.size, want)
					}
				}
			})
		}
	}
}

// heldConn is a net.Conn whose writes are appended to held while it is
// not nil.
type heldConn struct {
	net.Conn
	held []byte
}

func (c *heldConn) Write(p []byte) (int, error) {
	if c.held != nil {
		c.held = append(c.held, p...)
		return len(p), nil
	}
	return c.Conn.Write(p)
}
