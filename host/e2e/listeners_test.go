package e2e_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// TestTwoListeners: with two Listen lines every MPM serves on both, each
// connection on its own (event's loop accepts from the listener that is
// ready, not from all of them).
func TestTwoListeners(t *testing.T) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			in := start(t, newSite(t, m.Name, m.Module, "Listen 127.0.0.2:0\n"))
			b, err := os.ReadFile(filepath.Join(in.root, "run/addr"))
			must(t, err)
			addrs := strings.Fields(string(b))
			if len(addrs) != 2 {
				t.Fatalf("run/addr lists %q, want two addresses", addrs)
			}
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			for i := range 20 {
				addr := addrs[i%2]
				resp, err := client.Get("http://" + addr + "/hello.txt")
				if err != nil {
					t.Fatalf("GET on %s: %v", addr, err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || string(body) != "hello, world\n" {
					t.Fatalf("GET on %s: %d %q", addr, resp.StatusCode, body)
				}
			}
		})
	}
}
