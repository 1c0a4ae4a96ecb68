package e2e_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// TestProxyBackendHeadBounded: a backend's field line past apache2's 8192
// bytes is a 502 (AH10124), and one that never ends is cut at the head
// bound, a 502 too, not a child buffering it all; the child serves on.
func TestProxyBackendHeadBounded(t *testing.T) {
	be := serveEach(t, func(c net.Conn) {
		line, _ := bufio.NewReader(c).ReadString('\n')
		switch {
		case strings.Contains(line, "/long"):
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nX-Big: %s\r\nContent-Length: 2\r\n\r\nok", strings.Repeat("a", 9000))
		case strings.Contains(line, "/endless"):
			fmt.Fprint(c, "HTTP/1.1 200 OK\r\nX-Big: ")
			chunk := []byte(strings.Repeat("a", 64<<10))
			for range 64 { // 4 MiB, more than the bound
				if _, err := c.Write(chunk); err != nil {
					return
				}
			}
		default:
			fmt.Fprint(c, "HTTP/1.1 200 OK\r\nX-Small: yes\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
		}
	})
	m := testbin.MPMs[len(testbin.MPMs)-1]
	in := start(t, newSite(t, m.Name, m.Module, "LoadModule proxy_module modules/mod_proxy.so\nLoadModule proxy_http_module modules/mod_proxy_http.so\nProxyPass /b/ http://"+be+"/\n"))
	for _, path := range []string{"/b/long", "/b/endless"} {
		resp, _ := in.get(path)
		if resp.StatusCode != 502 {
			t.Errorf("%s: status %d, want 502", path, resp.StatusCode)
		}
	}
	resp, body := in.get("/b/small")
	if resp.StatusCode != 200 || body != "ok" || resp.Header.Get("X-Small") != "yes" {
		t.Errorf("/b/small: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if !in.errorLogHas("AH10124: header size is over the limit allowed by ResponseFieldSize (8192 bytes)", 5*time.Second) {
		t.Error("no AH10124 line in the error log")
	}
}
