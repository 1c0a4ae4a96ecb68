package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// forEachMPMWith is forEachMPM with extra configuration lines.
func forEachMPMWith(t *testing.T, extra string, body func(t *testing.T, in *instance, mpmName string)) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			root := newSite(t, m.Name, m.Module, extra)
			body(t, start(t, root), m.Name)
		})
	}
}

// statusLine is the first line of a raw response.
func statusLine(out string) string {
	line, _, _ := strings.Cut(out, "\r\n")
	return line
}

// TestEngineDirectives: the core directives the HTTP engine and the static handler
// take reach them from httpd.conf through the host and the plugin, under every MPM.
func TestEngineDirectives(t *testing.T) {
	const extra = `ServerName www.example.com
ServerAdmin webmaster@example.com
ServerTokens Prod
ServerSignature EMail
TraceEnable On
FileETag INode Size
LimitRequestLine 100
LimitRequestFieldSize 60
LimitRequestFields 4
LimitRequestBody 10
`
	forEachMPMWith(t, extra, func(t *testing.T, in *instance, _ string) {
		_, port, _ := strings.Cut(in.addr, ":")

		// ServerTokens Prod, ServerSignature EMail with ServerAdmin.
		resp, body := in.get("/missing")
		if got := resp.Header.Get("Server"); got != "httpd-mpm" {
			t.Errorf("Server: %q, want httpd-mpm (ServerTokens Prod)", got)
		}
		wantSig := `<address>httpd-mpm Server at <a href="mailto:webmaster@example.com">127.0.0.1</a> Port ` + port + "</address>"
		if resp.StatusCode != 404 || !strings.Contains(body, wantSig) {
			t.Errorf("404 page lacks %q:\n%s", wantSig, body)
		}

		// FileETag INode Size.
		var st syscall.Stat_t
		must(t, syscall.Stat(filepath.Join(in.root, "htdocs/hello.txt"), &st))
		wantETag := `"` + strconv.FormatUint(st.Ino, 16) + "-d" + `"`
		if resp, _ := in.get("/hello.txt"); strings.TrimPrefix(resp.Header.Get("ETag"), "W/") != wantETag {
			t.Errorf("ETag %q, want %s (FileETag INode Size)", resp.Header.Get("ETag"), wantETag)
		}

		// TraceEnable On: echo, and TRACE in Allow.
		out := in.raw("TRACE /x HTTP/1.1\r\nHost: h\r\nX-Test: 1\r\nConnection: close\r\n\r\n")
		if statusLine(out) != "HTTP/1.1 200 OK" || !strings.Contains(out, "Content-Type: message/http") ||
			!strings.HasSuffix(out, "\r\n\r\nTRACE /x HTTP/1.1\r\nHost: h\r\nX-Test: 1\r\nConnection: close\r\n\r\n") {
			t.Errorf("TRACE: %q", out)
		}
		out = in.raw("OPTIONS /hello.txt HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
		if !strings.Contains(out, "\r\nAllow: GET,POST,OPTIONS,HEAD,TRACE\r\n") {
			t.Errorf("OPTIONS with TraceEnable On: %q", out)
		}

		// The limits.
		limits := []struct{ name, req, status string }{
			{"line at limit+1", "GET /hello.txt?" + strings.Repeat("a", 101-len("GET /hello.txt? HTTP/1.1")) + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", "HTTP/1.1 200 OK"},
			{"line over", "GET /hello.txt?" + strings.Repeat("a", 102-len("GET /hello.txt? HTTP/1.1")) + " HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 414 Request-URI Too Long"},
			{"field over", "GET / HTTP/1.1\r\nHost: h\r\nX-Long: " + strings.Repeat("b", 60) + "\r\n\r\n", "HTTP/1.1 400 Bad Request"},
			{"fields at limit", "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nConnection: close\r\n\r\n", "HTTP/1.1 200 OK"},
			{"too many fields", "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", "HTTP/1.1 400 Bad Request"},
			{"body at limit", "POST /hello.txt HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\nConnection: close\r\n\r\n0123456789", "HTTP/1.1 200 OK"},
			{"body over", "POST /hello.txt HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n0123456789a", "HTTP/1.1 413 Request Entity Too Large"},
			{"chunked body over", "POST /hello.txt HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n0123456789a\r\n0\r\n\r\n", "HTTP/1.1 413 Request Entity Too Large"},
		}
		for _, l := range limits {
			out := in.raw(l.req)
			if statusLine(out) != l.status {
				t.Errorf("%s: %q, want %q", l.name, statusLine(out), l.status)
			}
		}
		out = in.raw("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n")
		if !strings.Contains(out, "The number of request header fields exceeds this server's limit.") {
			t.Errorf("too many fields: page lacks apache2's note: %q", out)
		}
	})
}

// TestEngineDefaults: without the directives, TRACE is echoed (TraceEnable On, as
// apache2's default), the Server header is the full banner, error pages have no
// signature and the ETag is Apache's default (size-mtime).
func TestEngineDefaults(t *testing.T) {
	forEachMPM(t, func(t *testing.T, in *instance, _ string) {
		out := in.raw("TRACE / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
		if statusLine(out) != "HTTP/1.1 200 OK" || !strings.Contains(out, "Content-Type: message/http\r\n") {
			t.Errorf("TRACE by default: %q", out)
		}
		if out := in.raw("OPTIONS /hello.txt HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"); !strings.Contains(out, "\r\nAllow: GET,POST,OPTIONS,HEAD,TRACE\r\n") {
			t.Errorf("OPTIONS by default: %q", out)
		}
		resp, body := in.get("/missing")
		if got := resp.Header.Get("Server"); !strings.HasPrefix(got, "httpd-mpm/") || !strings.HasSuffix(got, " (Unix)") {
			t.Errorf("Server: %q, want the full banner", got)
		}
		if strings.Contains(body, "<address>") {
			t.Errorf("ServerSignature Off by default, page has a signature:\n%s", body)
		}
		fi, err := os.Stat(filepath.Join(in.root, "htdocs/hello.txt"))
		must(t, err)
		want := fmt.Sprintf(`"d-%x"`, fi.ModTime().UnixMicro())
		if resp, _ := in.get("/hello.txt"); strings.TrimPrefix(resp.Header.Get("ETag"), "W/") != want {
			t.Errorf("ETag %q, want %s", resp.Header.Get("ETag"), want)
		}
	})
}
