package e2e_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestTraceExtendedLimit: under TraceEnable Extended, a TRACE's body is
// echoed up to apache2's limits: 64 KiB declared by Content-Length, and a
// chunked one as ap_send_http_trace reads it (into 73730 bytes, refused
// once fewer than 32 are left: 73698 bytes), with the 413 past them.
func TestTraceExtendedLimit(t *testing.T) {
	p := startPair(t, 1, "ServerName main.test\nListen 127.0.0.1:@P0@\nDocumentRoot @DOCS@\nTraceEnable extended\n", map[string]string{"a.txt": "a\n"})
	for _, n := range []int{65536, 65537, 73698, 73699, 73730} {
		for _, chunked := range []bool{false, true} {
			if !chunked && n > 65537 {
				continue
			}
			req := "TRACE /a.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n"
			if chunked {
				req += fmt.Sprintf("Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", n, strings.Repeat("x", n))
			} else {
				req += fmt.Sprintf("Content-Length: %d\r\n\r\n%s", n, strings.Repeat("x", n))
			}
			want, got := p.apache.ask(t, "127.0.0.1", 0, req), p.ours.ask(t, "127.0.0.1", 0, req)
			short := func(as answers) string {
				s := as.String()
				if len(s) > 300 {
					s = s[:300] + "..."
				}
				return fmt.Sprintf("%s (%d bytes)", s, len(as.bodies()))
			}
			if !slices.Equal(got, want) {
				t.Errorf("%d bytes, chunked %v:\n  apache: %s\n  ours:   %s", n, chunked, short(want), short(got))
			} else {
				t.Logf("%d bytes, chunked %v: both %s", n, chunked, short(want))
			}
		}
	}
}
