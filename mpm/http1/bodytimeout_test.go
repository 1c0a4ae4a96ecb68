package http1

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSlowBodyIsCut: a client trickling its body (each read well within
// Timeout) is cut once the body's overall limit passes, instead of holding
// its worker forever; a body at a normal rate is read whole.
func TestSlowBodyIsCut(t *testing.T) {
	srv := &Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n, err := io.Copy(io.Discard, r.Body)
			if err != nil {
				return
			}
			io.WriteString(w, strings.Repeat("x", int(n%10)))
		}),
		Timeout:     5 * time.Second,
		BodyTimeout: 300 * time.Millisecond,
		BodyMinRate: 1 << 20, // no extension for a trickle
	}
	addr := serve(t, srv)

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"))
	closed := make(chan struct{})
	go func() {
		// Two bytes every 100 ms: each read is within Timeout (5 s).
		for i := 0; i < 100; i++ {
			if _, err := c.Write([]byte("ab")); err != nil {
				break
			}
			select {
			case <-closed:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	c.SetReadDeadline(time.Now().Add(4 * time.Second)) // a bound on the test, below Timeout
	_, err = io.ReadAll(bufio.NewReader(c))
	close(closed)
	if err != nil {
		t.Fatalf("the trickling client was not cut before Timeout: %v", err)
	}

	// A whole body sent at once is read and answered.
	c2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	c2.Write([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\nConnection: close\r\n\r\nabcdefghijklm"))
	c2.SetReadDeadline(time.Now().Add(4 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c2), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("normal body: %v %v", resp, err)
	}
}
