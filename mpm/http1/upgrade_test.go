package http1

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSwitchProtocols: the 101 goes out with the given fields and no Date
// or Server; the handler then reads what the client sent, the bytes it sent
// with the request first, and writes back; its CloseWrite is the client's
// end of stream; RequestDone sees 101 and no body bytes, the tunnel's in
// BytesIn and BytesOut; a response already started cannot switch.
func TestSwitchProtocols(t *testing.T) {
	srv := newTestServer()
	type done struct {
		status    int
		n, in, ot int64
	}
	dones := make(chan done, 4)
	srv.RequestDone = func(c *Conn, r *http.Request, status int, n int64) {
		dones <- done{status, n, c.BytesIn(), c.BytesOut()}
	}
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/late" {
			io.WriteString(w, "x")
			w.(http.Flusher).Flush()
			if _, err := SwitchProtocols(w, nil); !errors.Is(err, ErrCannotSwitch) {
				t.Errorf("after a body: %v, want ErrCannotSwitch", err)
			}
			return
		}
		tun, err := SwitchProtocols(w, []byte("Connection: Upgrade\r\nUpgrade: echo\r\n"))
		if err != nil {
			t.Error(err)
			return
		}
		b, err := io.ReadAll(tun)
		if err != nil {
			t.Error(err)
		}
		tun.Write([]byte(strings.ToUpper(string(b))))
		tun.CloseWrite()
	})
	addr := serve(t, srv)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET /x HTTP/1.1\r\nHost: h\r\nUpgrade: echo\r\n\r\n"
	io.WriteString(c, req+"abc")
	io.WriteString(c, "def")
	c.(*net.TCPConn).CloseWrite()
	got, _ := io.ReadAll(bufio.NewReader(c))
	head := "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n"
	if want := head + "ABCDEF"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if d := <-dones; d != (done{101, 0, int64(len(req) + 6), int64(len(head) + 6)}) {
		t.Errorf("RequestDone: %+v", d)
	}
	resps, _ := exchangeRaw(t, addr, "GET /late HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", 1)
	if len(resps) != 1 || resps[0].Status() != "HTTP/1.1 200 OK" {
		t.Errorf("/late: %v", resps)
	}
}
