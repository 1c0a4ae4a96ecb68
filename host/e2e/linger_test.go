package e2e_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLingeringClose: after a response that closes the connection, a
// client that still sends gets the whole response, not a reset, under
// every MPM, as from apache2 (checked here on the same requests), which
// always lingers (ap_lingering_close: shut the sending side down, then read
// and drop what arrives until the client's end, 2 s without a byte or 30 s
// in all). Closing at once would turn the client's next bytes into a reset
// that destroys what it has not received yet.
func TestLingeringClose(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	for _, mpm := range []string{"prefork", "worker", "event"} {
		t.Run(mpm, func(t *testing.T) {
			p := startPairMPM(t, mpm, 1, "Listen 127.0.0.1:@P0@\nDocumentRoot @DOCS@\nLimitRequestBody 1000\nKeepAlive On\nKeepAliveTimeout 1\n",
				map[string]string{"big.txt": big, "hello.txt": "hello\n"})
			for _, s := range []*diffServer{p.apache, p.ours} {
				addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.ports[0]))
				t.Run(s.name, func(t *testing.T) {
					t.Run("client keeps sending", func(t *testing.T) { readSlowlySending(t, addr, big) })
					// An error that closes the connection while the request's
					// body, or whatever follows a bad head, is still arriving.
					t.Run("413", func(t *testing.T) {
						sendAllThenRead(t, addr, "POST /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 8388608\r\n\r\n", 8<<20, 413)
					})
					t.Run("400", func(t *testing.T) {
						sendAllThenRead(t, addr, "GET /hello.txt HTTP/1.1\r\nHost: x\r\nBad header\r\n\r\n", 8<<20, 400)
					})
					t.Run("request crossing the keep-alive close", func(t *testing.T) { crossKeepAliveClose(t, addr) })
				})
			}
		})
	}
}

// readSlowlySending asks for /big.txt with Connection: close on a
// connection with a small receive buffer, so that most of the response
// still waits in the server's send queue when the server has written it
// all, and reads it slowly (more than 2 s in all), sending a pipelined
// request after every 16 KiB it reads (a client that ignores its own
// Connection: close). It wants the whole body, then the end of stream.
// Its sends must come less than 2 s apart, or the lingering close (of
// either server) ends and the next one meets a closed socket: 16 KiB is
// four reads of 4 KiB 10 ms apart (64 KiB left gaps of over 2 s on a
// machine at a load of 18).
func readSlowlySending(t *testing.T, addr, want string) {
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) {
			syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
	}}
	c, err := d.Dial("tcp", addr)
	must(t, err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(60 * time.Second))
	_, err = io.WriteString(c, "GET /big.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	must(t, err)
	var got bytes.Buffer
	buf := make([]byte, 4096)
	for sent := 0; ; {
		n, err := c.Read(buf)
		got.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d bytes: %v", got.Len(), err)
		}
		if got.Len()/(16<<10) > sent {
			sent++
			if _, err := io.WriteString(c, "GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
				t.Fatalf("sending after %d bytes: %v", got.Len(), err)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	resp, err := http.ReadResponse(bufio.NewReader(&got), nil)
	if err != nil {
		t.Fatalf("the response (%d bytes): %v", got.Len(), err)
	}
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || err != nil || string(body) != want {
		t.Fatalf("status %d, %d bytes of %d (%v)", resp.StatusCode, len(body), len(want), err)
	}
}

// sendAllThenRead sends head and then n more bytes, all of which the server
// must take, then reads the response it wants (status code) and the end of
// stream.
func sendAllThenRead(t *testing.T, addr, head string, n int, code int) {
	c, err := net.Dial("tcp", addr)
	must(t, err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(60 * time.Second))
	_, err = io.WriteString(c, head)
	must(t, err)
	chunk := bytes.Repeat([]byte("b"), 64<<10)
	for sent := 0; sent < n; sent += len(chunk) {
		if _, err := c.Write(chunk); err != nil {
			t.Fatalf("sending after %d bytes: %v", sent, err)
		}
	}
	raw, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the response: %v (%q)", err, raw)
	}
	if want := fmt.Sprintf("HTTP/1.1 %d ", code); !strings.HasPrefix(string(raw), want) {
		t.Fatalf("response %q, want %q...", raw, want)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
	if err != nil {
		t.Fatalf("response %q: %v", raw, err)
	}
	if body, err := io.ReadAll(resp.Body); err != nil || !strings.Contains(string(body), "</html>") {
		t.Fatalf("response body %q: %v", body, err)
	}
}

// crossKeepAliveClose gets a keep-alive response, waits for the server to
// close the idle connection at KeepAliveTimeout, then sends a request (one
// that crossed the close) and more bytes: the server, lingering, takes them,
// and the client then reads the end of stream, not a reset.
func crossKeepAliveClose(t *testing.T, addr string) {
	c, err := net.Dial("tcp", addr)
	must(t, err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReader(c)
	_, err = io.WriteString(c, "GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
	must(t, err)
	resp, err := http.ReadResponse(br, nil)
	must(t, err)
	if body, err := io.ReadAll(resp.Body); err != nil || string(body) != "hello\n" {
		t.Fatalf("the first response: %q %v", body, err)
	}
	if resp.Close {
		t.Fatal("the first response closed the connection; want it kept alive")
	}
	if n, err := br.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("waiting for the keep-alive close: %d bytes, %v, want the end of stream", n, err)
	}
	for i, b := range []string{"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n", "x", "y"} {
		if _, err := io.WriteString(c, b); err != nil {
			t.Fatalf("send %d after the close: %v", i, err)
		}
		time.Sleep(200 * time.Millisecond) // a reset, if any, is back by then
	}
	if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("after sending across the close: %d bytes, %v, want the end of stream", n, err)
	}
}
