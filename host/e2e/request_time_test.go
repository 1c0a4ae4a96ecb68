package e2e_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestRequestTimeAfterLine: the request's time (Date, and Expires counted
// from it) is taken once the request line is read, as apache2's
// r->request_time, not at its first byte: a line sent in two parts two
// seconds apart is dated no earlier than its second part (review14).
func TestRequestTimeAfterLine(t *testing.T) {
	p := startPair(t, 1, mainSite+"<Location /e>\n\tExpiresActive On\n\tExpiresDefault A0\n</Location>\n", map[string]string{"e/a.txt": "a\n"})
	for _, s := range []*diffServer{p.apache, p.ours} {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.ports[0]))
		must(t, err)
		defer c.Close()
		_, err = c.Write([]byte("GET /e/a.txt"))
		must(t, err)
		time.Sleep(2 * time.Second)
		rest := time.Now().Truncate(time.Second)
		_, err = c.Write([]byte(" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"))
		must(t, err)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		must(t, err)
		resp.Body.Close()
		for _, f := range []string{"Date", "Expires"} {
			d, err := http.ParseTime(resp.Header.Get(f))
			if err != nil || d.Before(rest) {
				t.Errorf("%s: %s %q (%v), want no earlier than the request line's end, %s", s.name, f, resp.Header.Get(f), err, rest.UTC().Format(http.TimeFormat))
			}
		}
	}
}
