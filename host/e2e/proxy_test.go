package e2e_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// proxyConf proxies to a backend the test starts (@BACKEND@, host:port) and
// to one nothing listens on (@DEAD@).
const proxyConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
ProxyRequests Off
ProxyPass /app/skip !
ProxyPass /app/ http://@BACKEND@/
ProxyPassReverse /app/ http://@BACKEND@/
ProxyPassMatch ^/m/(.*)\.txt$ http://@BACKEND@/echo/$1
ProxyPassMatch ^/api/(.*\.json)$ http://@BACKEND@/echo/$1
ProxyPassMatch ^/mm(.*)$ http://127.0.0.3:@BPORT@$1
ProxyPass /down/ http://@DEAD@/
ProxyPass /slow/ http://127.0.0.2:@BPORT@/ timeout=1
ProxyPassReverseCookiePath /back /front
ProxyPassReverseCookieDomain back.test front.test
RequestHeader set X-Added yes
Header set X-Answer proxied
<Location /loc>
    ProxyPass http://@BACKEND@/echo
    ProxyPassReverse http://@BACKEND@/echo
</Location>
<Location /app/denied>
    Require all denied
</Location>
<Directory @DOCS@/fb>
    FallbackResource /app/redir
</Directory>
<VirtualHost 127.0.0.1:@P0@>
    ServerName main.test
    RewriteEngine On
    RewriteRule ^/rw/(.*)$ http://@BACKEND@/echo/$1 [P]
    RewriteRule ^/rwq/(.*)$ http://@BACKEND@/echo/$1?added=1 [P,QSA]
    RewriteRule ^/rwlocal/(.*)$ /app/echo/$1 [P]
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName keep.test
    ProxyPreserveHost On
    ProxyAddHeaders Off
</VirtualHost>
`

// proxyBackend is the test's backend: /echo answers with what it got (method,
// URI, Host, fields, body length and digest), /redir redirects to itself,
// /cookie sets a cookie, /notmod is a 304, /nocontent a 204, /big streams 8 MB, /close closes without answering,
// /sleep answers after 3 s.
func proxyBackend(t *testing.T, ln net.Listener) {
	big := strings.Repeat("0123456789abcdef", 4096)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/redir":
			w.Header().Set("Location", "http://"+r.Host+"/echo/there")
			w.Header().Set("Content-Location", "http://"+r.Host+"/cl")
			w.WriteHeader(http.StatusFound)
			return
		case r.URL.Path == "/cookie":
			w.Header().Add("Set-Cookie", "a=1; Path=/back/x; Domain=back.test")
			w.Header().Add("Set-Cookie", "b=2; path=/other")
			return
		case r.URL.Path == "/big":
			w.Header().Set("Content-Type", "application/octet-stream")
			for range 128 { // 8 MB, unknown length: chunked
				if _, err := io.WriteString(w, big); err != nil {
					return
				}
			}
			return
		case r.URL.Path == "/notmod":
			w.Header().Set("ETag", `"x"`)
			w.WriteHeader(http.StatusNotModified)
			return
		case r.URL.Path == "/nocontent":
			w.WriteHeader(http.StatusNoContent)
			return
		case r.URL.Path == "/close":
			c, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				c.Close()
			}
			return
		case strings.HasPrefix(r.URL.Path, "/sleep"):
			time.Sleep(3 * time.Second)
		}
		body, _ := io.ReadAll(r.Body)
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s %s\nHost: %s\nlength %d te %v\n", r.Method, r.RequestURI, r.Proto, r.Host, r.ContentLength, r.TransferEncoding)
		var keys []string
		for k := range r.Header {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(r.Header[k], " | "))
		}
		fmt.Fprintf(&b, "body %d %x\n", len(body), sha256.Sum256(body))
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Backend", "1")
		io.WriteString(w, b.String())
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
}

// proxyAnswer is an answer as TestProxy compares it: status, framing
// (length or chunked), the fields but the time and software ones, and the body (its length and digest
// when long).
func (s *diffServer) proxyAnswer(t *testing.T, req string) string {
	t.Helper()
	raw, _ := s.exchange(t, "127.0.0.1", 0, req, 20*time.Second)
	return s.describeAnswer(raw)
}

// statusAnswer is proxyAnswer after the answer's first line, its status
// line ("HTTP/1.1 502 Proxy Error").
func (s *diffServer) statusAnswer(t *testing.T, req string) string {
	t.Helper()
	raw, _ := s.exchange(t, "127.0.0.1", 0, req, 20*time.Second)
	line, _, _ := strings.Cut(raw.String(), "\r\n")
	return line + "\n" + s.describeAnswer(raw)
}

// describeAnswer is proxyAnswer's text of the answer raw.
func (s *diffServer) describeAnswer(raw *bytes.Buffer) string {
	resp, err := http.ReadResponse(bufio.NewReader(raw), nil)
	if err != nil {
		return "unparseable: " + raw.String()
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	out := fmt.Sprintf("%d length %d te %v %s\n", resp.StatusCode, resp.ContentLength, resp.TransferEncoding,
		s.unfill(strings.Join(fieldLines(resp.Header, headerFieldsSkipped), "\n")))
	if err != nil {
		out += "body error " + err.Error() + "\n"
	}
	text := signature.ReplaceAllString(s.unfill(string(body)), "<address>SIG Server at ")
	if len(text) > 4096 {
		text = fmt.Sprintf("%d bytes %x", len(body), sha256.Sum256(body))
	}
	return out + text
}

// compareProxyAnswers sends each request to both servers and compares
// their proxyAnswers, mask (the backends' ports, say) applied to both.
func (p *diffPair) compareProxyAnswers(reqs []string, mask *strings.Replacer) {
	t := p.t
	t.Helper()
	for _, req := range reqs {
		want := mask.Replace(p.apache.proxyAnswer(t, req))
		got := mask.Replace(p.ours.proxyAnswer(t, req))
		if got != want {
			t.Errorf("%.80q:\n apache: %s\n ours:   %s", req, want, got)
		} else {
			t.Logf("%.80q: both %s", req, want)
		}
	}
}

// proxyCodes are the AH numbers of mod_proxy's lines in s's error log, in order.
func (s *diffServer) proxyCodes(t *testing.T) []string {
	b, err := os.ReadFile(filepath.Join(s.root, "logs/error_log"))
	must(t, err)
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.Contains(line, ":proxy") && !strings.Contains(line, "[proxy") {
			continue
		}
		if m := ahCode.FindString(line); m != "" {
			out = append(out, m)
		}
	}
	return out
}

var ahCode = regexp.MustCompile(`AH\d{5}`)

// compareLogMessages compares the words after code ("AH01083") of the
// lines of both servers' error logs that have it, in order (the servers
// stopped: checkProxyCodes).
func (p *diffPair) compareLogMessages(code string) {
	t := p.t
	t.Helper()
	messages := func(s *diffServer) []string {
		b, err := os.ReadFile(filepath.Join(s.root, "logs/error_log"))
		must(t, err)
		var out []string
		for _, line := range strings.Split(string(b), "\n") {
			if _, msg, ok := strings.Cut(line, code+": "); ok {
				out = append(out, msg)
			}
		}
		return out
	}
	if want, got := messages(p.apache), messages(p.ours); !slices.Equal(got, want) {
		t.Errorf("%s lines:\n apache: %q\n ours:   %q", code, want, got)
	} else {
		t.Logf("%s lines, both: %q", code, want)
	}
}

// checkProxyCodes stops both servers and compares the AH numbers of their
// error logs' proxy lines.
func (p *diffPair) checkProxyCodes() {
	t := p.t
	t.Helper()
	must(t, p.apache.stop())
	must(t, p.ours.stop())
	if want, got := p.apache.proxyCodes(t), p.ours.proxyCodes(t); !slices.Equal(got, want) {
		t.Errorf("error_log AH numbers:\n apache: %v\n ours:   %v", want, got)
	} else {
		t.Logf("error_log AH numbers, both: %v", want)
	}
}

// TestProxy: ProxyPass, ProxyPassMatch, ProxyPass in <Location>, "!",
// ProxyPassReverse (Location, Content-Location), the cookie maps,
// ProxyPreserveHost, ProxyAddHeaders and RewriteRule [P] as apache2 2.4.71's mod_proxy_http
// applies them, under each MPM: what the backend receives (request line,
// Host, X-Forwarded-*, hop-by-hop fields gone, bodies with their length or
// chunked as apache2 sends them) and what the client gets (fields, a
// streamed 8 MB body), a refused backend (503), one too slow for timeout=
// and one that closes without answering (502 both, as apache2 2.4.71), with
// the error log's AH numbers.
func TestProxy(t *testing.T) {
	for _, mpm := range []string{"event", "worker", "prefork"} {
		t.Run(mpm, func(t *testing.T) { testProxy(t, mpm) })
	}
}

func testProxy(t *testing.T, mpm string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	proxyBackend(t, ln)
	slowLn, err := net.Listen("tcp", "127.0.0.2:"+strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	if err != nil {
		t.Skipf("127.0.0.2: %v", err)
	}
	proxyBackend(t, slowLn)
	dead := freePorts(t, 1)[0]
	conf := strings.NewReplacer("@BACKEND@", ln.Addr().String(), "@DEAD@", "127.0.0.1:"+strconv.Itoa(dead),
		"@BPORT@", strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)).Replace(proxyConf)
	if mpm == "prefork" {
		conf += "StartServers 2\n"
	}
	// The backend's port, written back for the comparison.
	bport := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	p := startPairMPM(t, mpm, 1, conf, map[string]string{"a.txt": "a\n", "app/skip/s.txt": "skip\n", "fb/f.txt": "f\n"})
	large := strings.Repeat("x", 40000)
	reqs := []string{
		"GET /app/echo?q=1&r=%20 HTTP/1.1\r\nHost: main.test\r\nX-Custom: c\r\nConnection: close, X-Hop\r\nX-Hop: gone\r\nKeep-Alive: 300\r\nTE: trailers\r\nProxy-Connection: x\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n",
		"GET /app/a%20b/%41?x HTTP/1.1\r\nHost: main.test:@P0@\r\nConnection: close\r\n\r\n",
		"HEAD /app/echo HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"POST /app/echo HTTP/1.1\r\nHost: main.test\r\nContent-Length: 5\r\nContent-Type: text/x\r\nConnection: close\r\n\r\nhello",
		"POST /app/echo HTTP/1.1\r\nHost: main.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\nhello",
		"POST /app/echo HTTP/1.0\r\nHost: main.test\r\nContent-Length: 5\r\n\r\nhello",
		"GET /app/big HTTP/1.0\r\nHost: main.test\r\n\r\n",
		"POST /app/echo HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks("ab", "cd"),
		"POST /app/echo HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks(large, large),
		"PUT /app/echo HTTP/1.1\r\nHost: main.test\r\nContent-Length: 80000\r\nConnection: close\r\n\r\n" + large + large,
		"GET /app/redir HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		// A FallbackResource URL proxied: the Host's port in the reverse-mapped URLs.
		"GET /fb/nothing HTTP/1.1\r\nHost: main.test:@P0@\r\nConnection: close\r\n\r\n",
		"GET /app/cookie HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /app/big HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /app/notmod HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"DELETE /app/nocontent HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /app/skip/s.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /app/denied/x HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /m/one.txt?z HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		// A %3F or %23 in the path stays in the path (the query is the request's only).
		"GET /api/secret%3F.json?q HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /api/a%23b.json HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /mm%3Fx HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /mm%23x HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /mm:9902/x HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /loc/sub HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /rw/a%20b?q=1 HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"POST /rwq/x?q=1 HTTP/1.1\r\nHost: main.test\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
		"GET /rwlocal/y HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /app/echo HTTP/1.1\r\nHost: keep.test\r\nConnection: close\r\n\r\n",
		"GET /app/close HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /down/x HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /down/y HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /slow/sleep HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
	}
	// Bare LF in chunked framing: 400 (apache2 closes instead of sending a
	// length: the status alone is compared), the backend gets nothing.
	for _, req := range []string{
		"POST /app/echo HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\nabc\n0\n\n",
		"POST /app/echo HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\n0\r\n\r\n",
	} {
		want, _, _ := strings.Cut(p.apache.proxyAnswer(t, req), " ")
		got, _, _ := strings.Cut(p.ours.proxyAnswer(t, req), " ")
		if got != want || want != "400" {
			t.Errorf("%q: apache %s, ours %s", req, want, got)
		}
	}
	for _, req := range reqs {
		want := strings.ReplaceAll(p.apache.proxyAnswer(t, req), bport, "@BP@")
		got := strings.ReplaceAll(p.ours.proxyAnswer(t, req), bport, "@BP@")
		if got != want {
			t.Errorf("%.80q:\n apache: %s\n ours:   %s", req, want, got)
		} else {
			t.Logf("%.80q: both %s", req, want)
		}
	}
	p.checkProxyCodes()
}

// TestProxyKeepAlive: the connections to a backend are kept and reused
// between requests (a pool per child, as apache2's per-child worker pool):
// twenty requests one after the other open fewer than twenty, for apache2
// and for ours; with disablereuse=on every request opens its own.
func TestProxyKeepAlive(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	var mu sync.Mutex
	conns := map[string]int{} // backend -> new connections
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") }),
		ConnState: func(c net.Conn, s http.ConnState) {
			if s == http.StateNew {
				mu.Lock()
				conns["app"]++
				mu.Unlock()
			}
		},
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	other, err := net.Listen("tcp", "127.0.0.2:"+strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	if err != nil {
		t.Skipf("127.0.0.2: %v", err)
	}
	srv2 := &http.Server{
		Handler: srv.Handler,
		ConnState: func(c net.Conn, s http.ConnState) {
			if s == http.StateNew {
				mu.Lock()
				conns["noreuse"]++
				mu.Unlock()
			}
		},
	}
	go srv2.Serve(other)
	t.Cleanup(func() { srv2.Close() })
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	conf := `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
ProxyPass /app/ http://127.0.0.1:` + port + `/
ProxyPass /noreuse/ http://127.0.0.2:` + port + `/ disablereuse=on
`
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	const n = 20
	for _, s := range []*diffServer{p.apache, p.ours} {
		for _, path := range []string{"/app/x", "/noreuse/x"} {
			mu.Lock()
			clear(conns)
			mu.Unlock()
			for range n {
				a := s.ask(t, "127.0.0.1", 0, "GET "+path+" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
				if len(a) != 1 || a[0].Status != 200 || a[0].Body != "ok\n" {
					t.Fatalf("%s %s: %v", s.name, path, a)
				}
			}
			mu.Lock()
			got := conns["app"] + conns["noreuse"]
			mu.Unlock()
			switch {
			case path == "/app/x" && got >= n:
				t.Errorf("%s: %d requests to %s opened %d backend connections, none reused", s.name, n, path, got)
			case path == "/noreuse/x" && got != n:
				t.Errorf("%s: %d requests to %s (disablereuse=on) opened %d backend connections", s.name, n, path, got)
			default:
				t.Logf("%s: %d requests to %s opened %d backend connections", s.name, n, path, got)
			}
		}
	}
}

// chunks is a chunked body of parts, with its last chunk.
func chunks(parts ...string) string {
	var b strings.Builder
	for _, s := range parts {
		fmt.Fprintf(&b, "%x\r\n%s\r\n", len(s), s)
	}
	return b.String() + "0\r\n\r\n"
}

// TestProxyPassWholeSegment: a ProxyPass prefix covers its last segment
// whole, as apache2's alias_match: "/app" maps "/app" and "/app/x" but not
// "/app2" or "/appx/y", which are files (404 here); "/dir/" maps
// "/dir/x" and not "/dirx" (parity16).
func TestProxyPassWholeSegment(t *testing.T) {
	be := rawBackend(t, func(string) string {
		return "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbe\n"
	})
	conf := strings.ReplaceAll(proxyHTTPModules+`ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
ProxyPass /app http://@BE@/q
ProxyPass /dir/ http://@BE@/d/
`, "@BE@", be)
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	p.compareEach([]string{
		get("/app", "main.test"),
		get("/app/x", "main.test"),
		get("/app//x", "main.test"),
		get("/app2", "main.test"),
		get("/appx/y", "main.test"),
		get("/dir/x", "main.test"),
		get("/dirx", "main.test"),
	}, (*diffServer).statusLine)
}
