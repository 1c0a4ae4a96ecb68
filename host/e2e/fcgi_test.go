package e2e_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/fcgi"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
)

// fcgiConf maps URLs to the test's FastCGI backends: @RAW@ (rawFCGI, which
// shows every parameter it gets) over TCP and over the unix socket @SOCK@,
// @STD@ (net/http/fcgi), @SLOW@ (rawFCGI on another address: a worker of
// its own) and @DEAD@ where nothing listens.
const fcgiConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_fcgi_module /usr/lib/apache2/modules/mod_proxy_fcgi.so
ProxyPass /app/ fcgi://@RAW@/srv/app/
ProxyPassMatch ^/pm/(.*\.php)$ fcgi://@RAW@/var/www/$1
ProxyPass /sock/ unix:@SOCK@|fcgi://localhost/srv/
ProxyPass /std/ fcgi://@STD@/std/
ProxyPass /down/ fcgi://@DEAD@/
ProxyPass /slow/ fcgi://@SLOW@/slow/ timeout=1
<Location /app/auth>
    CGIPassAuth On
</Location>
<FilesMatch ".+\.php$">
    SetHandler "proxy:unix:@SOCK@|fcgi://localhost"
</FilesMatch>
<Directory @DOCS@/tcp>
    <FilesMatch ".+\.php$">
        SetHandler "proxy:fcgi://@RAW@"
    </FilesMatch>
</Directory>
<Directory @DOCS@/ovr>
    ProxyErrorOverride On
</Directory>
<Directory @DOCS@/ht>
    AllowOverride FileInfo
</Directory>
<Location /app/ovr/>
    ProxyErrorOverride On
</Location>
ErrorDocument 403 "refused here
LimitRequestFieldSize 20000
ScriptAlias /cgi-bin/ @DOCS@/cgi/
<Directory @DOCS@/cgi>
    CGIPassAuth On
</Directory>
<VirtualHost 127.0.0.1:@P0@>
    ServerName main.test
</VirtualHost>
`

// rawFCGI serves FastCGI on ln, a request per connection unless the
// server asks to keep it: its answer is every parameter it got, sorted (but
// REMOTE_PORT and SERVER_SOFTWARE), and its body's length and digest; a
// REQUEST_URI naming "stderr" writes two FCGI_STDERR records first,
// "local" and "absolute" answer with a Location, "status" with a Status,
// "odd" with Status 999, "unauth" with a 401 and its WWW-Authenticate, "early" ends the request in the header,
// "badheader" with a line that is no field, "s204" with a 204 and a body, "slow" sleeps 3 s first.
func rawFCGI(t *testing.T, ln net.Listener) {
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go rawFCGIConn(c)
		}
	}()
}

func rawFCGIConn(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		params := map[string]string{}
		var pbuf, body []byte
		keep := false
		for {
			var h [8]byte
			if _, err := io.ReadFull(br, h[:]); err != nil {
				return
			}
			n, pad := int(binary.BigEndian.Uint16(h[4:])), int(h[6])
			content := make([]byte, n+pad)
			if _, err := io.ReadFull(br, content); err != nil {
				return
			}
			content = content[:n]
			switch h[1] {
			case 1: // FCGI_BEGIN_REQUEST
				keep = content[2]&1 != 0
			case 4: // FCGI_PARAMS
				pbuf = append(pbuf, content...)
			case 5: // FCGI_STDIN
				body = append(body, content...)
			}
			if h[1] == 5 && n == 0 {
				break
			}
		}
		for len(pbuf) > 0 {
			var l [2]int
			for i := range l {
				if pbuf[0]&0x80 == 0 {
					l[i], pbuf = int(pbuf[0]), pbuf[1:]
				} else {
					l[i], pbuf = int(binary.BigEndian.Uint32(pbuf)&0x7fffffff), pbuf[4:]
				}
			}
			params[string(pbuf[:l[0]])] = string(pbuf[l[0] : l[0]+l[1]])
			pbuf = pbuf[l[0]+l[1]:]
		}
		uri := params["REQUEST_URI"]
		var out []byte
		record := func(typ byte, p string) {
			out = append(out, 1, typ, 0, 1, byte(len(p)>>8), byte(len(p)), 0, 0)
			out = append(out, p...)
		}
		switch {
		case strings.Contains(uri, "slow"):
			time.Sleep(3 * time.Second)
		case strings.Contains(uri, "stderr"):
			record(7, "first complaint")
			record(7, "second\ncomplaint")
		}
		if strings.Contains(uri, "early") {
			// FCGI_END_REQUEST in the middle of the header.
			record(6, "Content-Type: text/pl")
			out = append(out, 1, 3, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
			if _, err := c.Write(out); err != nil || !keep {
				return
			}
			continue
		}
		var head string
		switch {
		case strings.Contains(uri, "odd"):
			head = "Status: 999 Odd\r\nContent-Type: text/plain\r\n"
		case strings.Contains(uri, "local"):
			head = "Location: /a.txt\r\n"
		case strings.Contains(uri, "absolute"):
			head = "Location: http://elsewhere.test/x\r\n"
		case strings.Contains(uri, "tagstatus"):
			head = "Status: 500 <b>x</b>\r\nContent-Type: text/plain\r\n"
		case strings.Contains(uri, "barestatus"):
			head = "Status: 500\r\nContent-Type: text/plain\r\n"
		case strings.Contains(uri, "status"):
			head = "Status: 404 Not Here\r\nContent-Type: text/plain\r\n"
		case strings.Contains(uri, "badheader"):
			head = "this is no field\r\n"
		case strings.Contains(uri, "s204"):
			head = "Status: 204 No Content\r\nX-Backend: raw\r\n"
		case strings.Contains(uri, "unauth"):
			head = "Status: 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"fcgi\"\r\nX-Backend: raw\r\nContent-Type: text/plain\r\n"
		default:
			head = "Content-Type: text/plain\r\nContent-Length: 3\r\nX-Backend: raw\r\n"
		}
		var keys []string
		for k := range params {
			if k != "REMOTE_PORT" && k != "SERVER_SOFTWARE" {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		var b strings.Builder
		b.WriteString(head + "\r\n")
		fmt.Fprintf(&b, "keep %v\n", keep)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s=%s\n", k, params[k])
		}
		fmt.Fprintf(&b, "body %d %x\n", len(body), sha256.Sum256(body))
		s := b.String()
		for len(s) > 0 {
			n := min(len(s), 1000)
			record(6, s[:n])
			s = s[n:]
		}
		record(6, "")
		out = append(out, 1, 3, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) // FCGI_END_REQUEST
		if _, err := c.Write(out); err != nil || !keep {
			return
		}
	}
}

// stdFCGI serves FastCGI on ln with net/http/fcgi: /std/big streams 32 MB,
// /std/echo answers with the method, URI, length and digest of the body it
// got.
func stdFCGI(t *testing.T, ln net.Listener, conns *int, mu *sync.Mutex) {
	t.Cleanup(func() { ln.Close() })
	chunk := strings.Repeat("0123456789abcdef", 4096)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/std/big") {
			w.Header().Set("Content-Type", "application/octet-stream")
			for range 512 {
				if _, err := io.WriteString(w, chunk); err != nil {
					return
				}
			}
			return
		}
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "%s %s length %d body %d %x\n", r.Method, r.RequestURI, r.ContentLength, len(body), sha256.Sum256(body))
	})
	go fcgi.Serve(countingListener{ln, conns, mu}, h)
}

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	n  *int
	mu *sync.Mutex
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		*l.n++
		l.mu.Unlock()
	}
	return c, err
}

// TestProxyFCGI: mod_proxy_fcgi as apache2 2.4.71, under each MPM: ProxyPass
// over TCP and a unix socket, ProxyPassMatch, the handler forms Debian's
// php-fpm.conf uses (SetHandler "proxy:unix:...|fcgi://localhost", whose
// socket path keeps its case, and "proxy:fcgi://host:port"); what the
// backend gets (every parameter, bodies with a length or chunked, small and
// large) and what the client gets (the CGI header read, Status, Location, a
// streamed 32 MB answer), a backend refused (503), one too slow for
// timeout= (504), FCGI_STDERR logged (AH01071), with the error log's AH
// numbers.
func TestProxyFCGI(t *testing.T) {
	for _, mpm := range []string{"event", "worker", "prefork"} {
		t.Run(mpm, func(t *testing.T) { testProxyFCGI(t, mpm) })
	}
}

func testProxyFCGI(t *testing.T, mpm string) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	rawFCGI(t, raw)
	slow, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("127.0.0.2: %v", err)
	}
	rawFCGI(t, slow)
	// A socket the unprivileged children reach, its path with capitals.
	sock, uln := unixBackend(t, "Run", "PHP-fpm.sock")
	rawFCGI(t, uln)
	std, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	var mu sync.Mutex
	var stdConns int
	stdFCGI(t, std, &stdConns, &mu)
	dead := freePorts(t, 1)[0]
	conf := strings.NewReplacer("@RAW@", raw.Addr().String(), "@SOCK@", sock, "@STD@", std.Addr().String(), "@SLOW@", slow.Addr().String(),
		"@DEAD@", "127.0.0.1:"+strconv.Itoa(dead)).Replace(fcgiConf)
	// A ScriptAlias beside the handler: its CGIPassAuth holds.
	cgiModule := "cgid"
	if mpm == "prefork" {
		conf += "StartServers 2\n"
		cgiModule = "cgi"
	}
	conf = "LoadModule " + cgiModule + "_module " + apacheModuleDir + "/mod_" + cgiModule + ".so\n" + conf
	p := startPairMPM(t, mpm, 1, conf, map[string]string{
		"a.txt": "a\n", "x.php": "<?php ?>\n", "sub/y.php": "<?php ?>\n", "tcp/z.php": "<?php ?>\n",
		"a b.php": "", "pc%.php": "", "caf\u00e9.php": "", "q?.php": "", "nl\n.php": "", "ovr/status.php": "",
		"ht/f/.htaccess": "<FilesMatch \"\\.php$\">\nSetHandler \"proxy:fcgi://" + raw.Addr().String() + "\"\n</FilesMatch>\n", "ht/f/w.php": "",
		"ht/s/.htaccess": "SetHandler \"proxy:fcgi://" + raw.Addr().String() + "/base\"\n", "ht/s/v.php": "", "ht/s/d/u.txt": "",
		"cgi/auth.cgi": "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"auth=$HTTP_AUTHORIZATION\"\n",
	})
	must(t, os.Chmod(filepath.Join(p.apache.docs, "cgi/auth.cgi"), 0o755))
	large := strings.Repeat("x", 40000)
	reqs := []string{
		"GET /app/echo?q=1&r=%20 HTTP/1.1\r\nHost: main.test\r\nX-Custom: c\r\nProxy: http://evil/\r\nAuthorization: Basic eDp5\r\nConnection: close\r\n\r\n",
		"GET /app/a%20b/%41?x HTTP/1.1\r\nHost: main.test:@P0@\r\nConnection: close\r\n\r\n",
		"GET /app/auth HTTP/1.1\r\nHost: main.test\r\nAuthorization: Basic eDp5\r\nConnection: close\r\n\r\n",
		"HEAD /app/echo HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"POST /app/echo HTTP/1.1\r\nHost: main.test\r\nContent-Length: 5\r\nContent-Type: text/x\r\nConnection: close\r\n\r\nhello",
		"POST /app/echo HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks("ab", "cd"),
		"POST /app/echo HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks(large, large),
		"PUT /app/echo HTTP/1.1\r\nHost: main.test\r\nContent-Length: 80000\r\nConnection: close\r\n\r\n" + large + large,
		"GET /app/local HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /app/absolute HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /app/status HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /app/badheader HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /app/stderr HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /pm/dir/index.php?a=b HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /sock/s HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /x.php?z=1 HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /sub/y.php/more/info HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"POST /x.php HTTP/1.1\r\nHost: main.test\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
		"GET /missing.php HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /tcp/z.php HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		// The handler from .htaccess files: path info after the file.
		"GET /ht/f/w.php/more/info?q=1 HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /ht/f/w.php HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /ht/s/v.php/x/y HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /ht/s/d/u.txt/z HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /ht/s/none/z HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /ht/s/ HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /ht/s/missing.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /ht/s/missing.txt/x HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /ht/f/nope.php/x HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		// The walk stops at a file or a missing directory: no handler of
		// y.php's answers.
		"GET /a.txt/y.php HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /nope/y.php HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		// The handler form sends the file's name as it is, and refuses
		// one with a control character or '?'.
		"GET /a%20b.php HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /pc%25.php HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /caf%C3%A9.php HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /q%3f.php?z=1 HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /nl%0a.php HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /nonexist%0a.php HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		// A variable past a 16 KB record is left out (AH02536); a field
		// whose repeats merge past LimitRequestFieldSize is a 400.
		"GET /app/echo HTTP/1.1\r\nHost: main.test\r\n" + strings.Repeat("X-A: "+strings.Repeat("a", 5500)+"\r\n", 3) + "Connection: close\r\n\r\n",
		"GET /app/echo HTTP/1.1\r\nHost: main.test\r\n" + strings.Repeat("X-A: "+strings.Repeat("a", 5500)+"\r\n", 4) + "Connection: close\r\n\r\n",
		// A status past 599 is passed on; a header cut short by the
		// end of the request is an empty 200.
		"GET /app/odd HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /app/early HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		// A 204 goes out without the body the backend sends.
		"GET /app/s204 HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		// ProxyErrorOverride, both forms; a 401 keeps the backend's
		// WWW-Authenticate (and its other fields: apache2's
		// err_headers_out).
		"GET /app/ovr/status HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /app/ovr/unauth HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		// The page is titled with a Status whose reason starts with a
		// letter or digit only; "Unknown Reason" for none.
		"GET /app/ovr/tagstatus HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /app/ovr/barestatus HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /app/unauth HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /ovr/status.php HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"POST /std/echo HTTP/1.1\r\nHost: main.test\r\nContent-Length: 80000\r\nConnection: close\r\n\r\n" + large + large,
		"GET /std/big HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /std/big HTTP/1.0\r\nHost: main.test\r\n\r\n",
		"GET /down/x HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /slow/x HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
	}
	// The script's framing depends on how its output comes: its body only.
	for _, s := range []*diffServer{p.apache, p.ours} {
		a := s.ask(t, "127.0.0.1", 0, "GET /cgi-bin/auth.cgi HTTP/1.1\r\nHost: main.test\r\nAuthorization: Basic eDp5\r\nConnection: close\r\n\r\n")
		if len(a) != 1 || a[0].Status != 200 || a[0].Body != "auth=Basic eDp5\n" {
			t.Errorf("%s: /cgi-bin/auth.cgi: %v", s.name, a)
		}
	}
	rport := strconv.Itoa(raw.Addr().(*net.TCPAddr).Port)
	sport := strconv.Itoa(std.Addr().(*net.TCPAddr).Port)
	mask := strings.NewReplacer(rport, "@RP@", sport, "@SP@")
	p.compareProxyAnswers(reqs, mask)
	p.checkProxyCodes()
	for _, s := range []*diffServer{p.apache, p.ours} {
		log, err := os.ReadFile(filepath.Join(s.root, "logs/error_log"))
		must(t, err)
		for _, want := range []string{"AH01071: Got error 'first complaint'", "AH01071: Got error 'second\\ncomplaint'"} {
			if !strings.Contains(string(log), want) {
				t.Errorf("%s: error_log has no %q", s.name, want)
			}
		}
	}
}

// TestProxyFCGIReuse: mod_proxy_fcgi opens a connection per request unless
// the worker says enablereuse=on; then connections are kept and reused
// (FCGI_KEEP_CONN), for apache2 and for ours.
func TestProxyFCGIReuse(t *testing.T) {
	var mu sync.Mutex
	var conns int
	once, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	stdFCGI(t, once, &conns, &mu)
	kept, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	stdFCGI(t, kept, &conns, &mu)
	conf := `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_fcgi_module /usr/lib/apache2/modules/mod_proxy_fcgi.so
ProxyPass /once/ fcgi://` + once.Addr().String() + `/std/
ProxyPass /kept/ fcgi://` + kept.Addr().String() + `/std/ enablereuse=on
`
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	const n = 20
	for _, s := range []*diffServer{p.apache, p.ours} {
		for _, path := range []string{"/once/x", "/kept/x"} {
			mu.Lock()
			conns = 0
			mu.Unlock()
			for range n {
				a := s.ask(t, "127.0.0.1", 0, "GET "+path+" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
				if len(a) != 1 || a[0].Status != 200 || !strings.HasPrefix(a[0].Body, "GET ") {
					t.Fatalf("%s %s: %v", s.name, path, a)
				}
			}
			mu.Lock()
			got := conns
			mu.Unlock()
			switch {
			case path == "/once/x" && got != n:
				t.Errorf("%s: %d requests to %s opened %d backend connections, want one each", s.name, n, path, got)
			case path == "/kept/x" && got >= n:
				t.Errorf("%s: %d requests to %s (enablereuse=on) opened %d backend connections, none reused", s.name, n, path, got)
			default:
				t.Logf("%s: %d requests to %s opened %d backend connections", s.name, n, path, got)
			}
		}
	}
}

// unixBackend listens on a Unix socket dir/name in a fresh temporary
// directory that the children (running as nobody) can reach, the socket
// open to them too: a php-fpm's socket, as Debian makes it.
func unixBackend(t *testing.T, dir, name string) (string, net.Listener) {
	t.Helper()
	sockDir := filepath.Join(t.TempDir(), dir)
	must(t, os.MkdirAll(sockDir, 0o755))
	reachableByNobody(t, sockDir)
	sock := filepath.Join(sockDir, name)
	ln, err := net.Listen("unix", sock)
	must(t, err)
	must(t, os.Chmod(sock, 0o777))
	return sock, ln
}

// fcgiPathCaseConf: a ProxyPass line's worker whose URL's path differs
// from a handler's (the backend's URL and the file's path) in case only, the
// same with the path in the same case for another backend, and a <Proxy>
// section naming a socket (where nothing listens) for each backend's host.
const fcgiPathCaseConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_fcgi_module /usr/lib/apache2/modules/mod_proxy_fcgi.so
ProxyPass /a fcgi://@A@@TMPCASE@
ProxyPass /b fcgi://@B@@TMP@
<Proxy "unix:@DOCS@/../none.sock|fcgi://@A@">
    ProxySet timeout=5
</Proxy>
<Proxy "unix:@DOCS@/../none.sock|fcgi://@B@">
    ProxySet timeout=5
</Proxy>
<Files "a.php">
    SetHandler "proxy:fcgi://@A@"
</Files>
<Files "b.php">
    SetHandler "proxy:fcgi://@B@"
</Files>
`

// TestProxyFCGIWorkerPathCase: a handler's URL takes the worker whose URL
// starts it with its path in the same case only, as apache2's
// ap_proxy_get_worker (which lowers the scheme and host alone): a.php's
// reaches the section's socket (503, AH02454), b.php's the ProxyPass line's
// TCP worker.
func TestProxyFCGIWorkerPathCase(t *testing.T) {
	tmp := os.TempDir()
	swapped := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return unicode.ToLower(r)
	}, tmp)
	if swapped == tmp {
		t.Skipf("%s has no letters", tmp)
	}
	a, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	rawFCGI(t, a)
	b, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	rawFCGI(t, b)
	conf := strings.NewReplacer("@A@", a.Addr().String(), "@B@", b.Addr().String(), "@TMPCASE@", swapped,
		"@TMP@", tmp).Replace(fcgiPathCaseConf)
	p := startPairMPM(t, "event", 1, conf, map[string]string{"a.php": "", "b.php": ""})
	req := func(path string) string {
		return "GET " + path + " HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"
	}
	p.compareProxyAnswers([]string{req("/a.php"), req("/b.php")}, strings.NewReplacer())
	for _, s := range []*diffServer{p.apache, p.ours} {
		for path, want := range map[string]string{"/a.php": "503 ", "/b.php": "200 "} {
			if got := s.proxyAnswer(t, req(path)); !strings.HasPrefix(got, want) {
				t.Errorf("%s: %s: %.200s", s.name, path, got)
			}
		}
	}
	p.checkProxyCodes()
}
