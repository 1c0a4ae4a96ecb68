package e2e_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// slowHeadBackend answers /late with its whole head after 3.2 s, and
// /trickle with its status line after 1.2 s and its fields 1.2 s later.
func slowHeadBackend(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer c.Close()
		const fields = "Content-Type: text/plain\r\nContent-Length: 8\r\n\r\nbackend\n"
		if strings.HasSuffix(r.URL.Path, "/trickle") {
			time.Sleep(1200 * time.Millisecond)
			io.WriteString(c, "HTTP/1.1 200 OK\r\n")
			time.Sleep(1200 * time.Millisecond)
			io.WriteString(c, fields)
			return
		}
		time.Sleep(3200 * time.Millisecond)
		io.WriteString(c, "HTTP/1.1 200 OK\r\n"+fields)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestProxyHeadTimeout: a backend's answer head is read with the worker's
// timeout (here 2 s) on each read, as apache2 2.4.71's socket timeout: a
// backend silent for longer before its head is a 502 (ours waited the
// timeout twice, once to peek at the head and once more to read it, and
// passed on a head that came 3.2 s late), and one whose head comes in
// parts, each within the timeout, is answered even though the whole head
// takes longer than it.
func TestProxyHeadTimeout(t *testing.T) {
	be := slowHeadBackend(t)
	conf := proxyHTTPModules + mainSite + `ProxyPass /s/ http://` + be + `/ timeout=2
`
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	var reqs []string
	for _, path := range []string{"/s/late", "/s/trickle"} {
		reqs = append(reqs, "GET "+path+" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
	}
	p.compareEach(reqs, (*diffServer).statusAnswer)
	p.checkProxyCodes()
}
