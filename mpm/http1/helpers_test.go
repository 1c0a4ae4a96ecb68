package http1

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// testSoftware is the banner the tests configure.
const testSoftware = "Apache/2.4.71 (Unix) httpd-mpm"

// serve runs srv on a loopback listener the way a simple MPM would (one goroutine per
// connection looping on ServeRequest) and returns the address. Everything stops when
// the test ends.
func serve(t testing.TB, srv *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	conns := map[*Conn]bool{}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			c := srv.NewConn(nc)
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					keep, _ := c.ServeRequest()
					if !keep {
						break
					}
				}
				c.Close()
				mu.Lock()
				delete(conns, c)
				mu.Unlock()
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// exchangeRaw sends raw on a new connection, half-closes nothing, and reads until the
// server closes or nothing arrives for a while; it returns everything read and whether
// the server closed the connection.
func exchangeRaw(t testing.TB, addr, raw string, wantResponses int, methods ...string) (resps []*rawResponse, closed bool) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, err := io.WriteString(nc, raw); err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(nc)
	for i := 0; i < wantResponses; i++ {
		method := "GET"
		if i < len(methods) {
			method = methods[i]
		}
		r, err := readRawResponse(br, method)
		if err != nil {
			t.Fatalf("response %d: %v (got %d responses)", i+1, err, len(resps))
		}
		resps = append(resps, r)
	}
	// Is the connection closed now? A kept-alive connection stays silent.
	nc.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	var one [1]byte
	n, err := br.Read(one[:])
	if n > 0 {
		t.Fatalf("unexpected extra bytes after %d responses: %q", wantResponses, one[:n])
	}
	closed = err == io.EOF || err != nil && !isTimeout(err)
	return resps, closed
}

// rawResponse keeps the head as sent (order, case) besides the parsed form.
type rawResponse struct {
	StatusLine string
	Fields     []string // "Name: value" in wire order
	Header     http.Header
	Body       string
	Chunked    bool
}

func (r *rawResponse) Status() string { return r.StatusLine }

func (r *rawResponse) Names() []string {
	var names []string
	for _, f := range r.Fields {
		names = append(names, f[:strings.IndexByte(f, ':')])
	}
	return names
}

// readRawResponse reads one response off br with a strict parser of our own, so the
// tests see exactly what went on the wire.
func readRawResponse(br *bufio.Reader, method string) (*rawResponse, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return nil, err
	}
	r := &rawResponse{StatusLine: strings.TrimSuffix(line, "\r\n"), Header: http.Header{}}
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			return nil, err
		}
		if !strings.HasSuffix(l, "\r\n") {
			return nil, io.ErrUnexpectedEOF
		}
		l = strings.TrimSuffix(l, "\r\n")
		if l == "" {
			break
		}
		r.Fields = append(r.Fields, l)
		k, v, _ := strings.Cut(l, ": ")
		r.Header.Add(k, v)
	}
	code := r.StatusLine[9:12]
	if method == "HEAD" || code == "304" || code == "204" || code[0] == '1' {
		return r, nil
	}
	switch {
	case r.Header.Get("Transfer-Encoding") == "chunked":
		r.Chunked = true
		var body bytes.Buffer
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return nil, err
			}
			var n int
			if _, err := fmt.Sscanf(strings.TrimSuffix(l, "\r\n"), "%x", &n); err != nil {
				return nil, err
			}
			if n == 0 {
				if l, err = br.ReadString('\n'); err != nil || l != "\r\n" {
					return nil, io.ErrUnexpectedEOF
				}
				break
			}
			if _, err := io.CopyN(&body, br, int64(n)); err != nil {
				return nil, err
			}
			if l, err = br.ReadString('\n'); err != nil || l != "\r\n" {
				return nil, io.ErrUnexpectedEOF
			}
		}
		r.Body = body.String()
	case r.Header.Get("Content-Length") != "":
		var n int
		if _, err := fmt.Sscanf(r.Header.Get("Content-Length"), "%d", &n); err != nil {
			return nil, err
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(br, b); err != nil {
			return nil, err
		}
		r.Body = string(b)
	default:
		b, err := io.ReadAll(br)
		if err != nil {
			return nil, err
		}
		r.Body = string(b)
	}
	return r, nil
}
