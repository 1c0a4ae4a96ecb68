package e2e_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// balancerModules are the LoadModule lines of mod_proxy_balancer and
// byrequests (apache2 needs them; ours accepts them).
// proxyHTTPModules loads mod_proxy and mod_proxy_http.
const proxyHTTPModules = `LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
`

// mainSite is main.test on @P0@ serving @DOCS@.
const mainSite = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
`

const balancerModules = proxyHTTPModules + `LoadModule slotmem_shm_module /usr/lib/apache2/modules/mod_slotmem_shm.so
LoadModule proxy_balancer_module /usr/lib/apache2/modules/mod_proxy_balancer.so
LoadModule lbmethod_byrequests_module /usr/lib/apache2/modules/mod_lbmethod_byrequests.so
`

// balancerConf has balancers over the test's three backends (@A@, @B@,
// @C@, host:port) and ports nothing listens on (@D1@, @D2@).
const balancerConf = `ServerName main.test
KeepAlive On
MaxKeepAliveRequests 0
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
` + balancerModules + `<Proxy "balancer://lf">
    BalancerMember http://@A@ loadfactor=1
    BalancerMember http://@B@ loadfactor=2
    BalancerMember http://@C@ loadfactor=3
</Proxy>
ProxyPass /lf/ balancer://lf/
<Proxy balancer://sticky>
    BalancerMember http://@A@ route=a
    BalancerMember http://@B@ route=b
    ProxySet stickysession=ROUTEID
</Proxy>
ProxyPass /sticky/ balancer://sticky/
<Proxy balancer://sticky2>
    BalancerMember http://@A@ route=a
    BalancerMember http://@B@ route=b
    ProxySet stickysession=ROUTEID
</Proxy>
ProxyPass /sticky2/ balancer://sticky2/
<LocationMatch ^/sticky>
    Header add Set-Cookie "ROUTEID=.%{BALANCER_WORKER_ROUTE}e; path=/" env=BALANCER_ROUTE_CHANGED
</LocationMatch>
<Proxy balancer://down>
    BalancerMember http://@A@
    BalancerMember http://@D1@
    BalancerMember http://@B@
</Proxy>
ProxyPass /down/ balancer://down/
<Proxy balancer://alldown>
    BalancerMember http://@D1@
    BalancerMember http://@D2@
</Proxy>
ProxyPass /alldown/ balancer://alldown/
<Proxy balancer://standby>
    BalancerMember http://@D1@
    BalancerMember http://@C@ status=+H
</Proxy>
ProxyPass /standby/ balancer://standby/
<Proxy balancer://dis>
    BalancerMember http://@A@ status=+D
    BalancerMember http://@B@
</Proxy>
ProxyPass /dis/ balancer://dis/
<Proxy balancer://nofail>
    BalancerMember http://@A@ route=a
    BalancerMember http://@D2@ route=d
    ProxySet stickysession=ROUTEID nofailover=On
</Proxy>
ProxyPass /nofail/ balancer://nofail/
ProxyPass /b/ http://@B@/
<Proxy http://@B@/secret>
    Require all denied
</Proxy>
<ProxyMatch ^balancer://dis/.*\.hidden>
    Require all denied
</ProxyMatch>
ErrorDocument 404 /missing.html
ProxyPass /raw/ http://@RAW@/
RewriteEngine On
RewriteRule ^/rwb/(.*)$ balancer://dis/$1 [P]
SetEnvIf Request_URI ^/b/nk proxy-nokeepalive
SetEnvIf Request_URI ^/b/ten force-proxy-request-1.0
ProxyPass /eo/ http://@A@/
ProxyPass /eoall/ http://@A@/
<Location /eo/>
    ProxyErrorOverride On 404
    ProxyErrorOverride 401
</Location>
<Location /eoall/>
    ProxyErrorOverride On
</Location>
`

// balancerBackend answers every request with its name and the request
// line; /status/N with status N (a 401 with its WWW-Authenticate).
func balancerBackend(t *testing.T, name string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Backend", name)
		if code, ok := strings.CutPrefix(r.URL.Path, "/status/"); ok {
			n, _ := strconv.Atoi(code)
			if n == 401 {
				w.Header().Set("WWW-Authenticate", `Basic realm="back"`)
			}
			w.WriteHeader(n)
		}
		io.WriteString(w, name+" "+r.Method+" "+r.RequestURI+" "+r.Proto+" "+strings.Join(r.Header["Connection"], ",")+"\n")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// rawBackend answers each request, whatever its fields, with the bytes
// answer gives for its request line, then closes the connection: an
// answer a proxy relays says "Connection: close", else the proxy may send
// its next request on the connection as it closes (see wsBackend).
func rawBackend(t *testing.T, answer func(line string) string) string {
	return serveEach(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		line, _ := br.ReadString('\n')
		for {
			l, err := br.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
		}
		io.WriteString(c, answer(line))
	})
}

// serveEach listens on 127.0.0.1 until the test ends, serving each
// connection with serve on its own goroutine, then closing it; it returns
// the listener's host:port.
func serveEach(t *testing.T, serve func(c net.Conn)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// crBackend answers /name and /value with a field whose name or value
// has a bare CR.
func crBackend(t *testing.T) string {
	return rawBackend(t, func(line string) string {
		field := "X-A: a\rb"
		if strings.Contains(line, "/name") {
			field = "X\rA: ab"
		}
		return "HTTP/1.1 200 OK\r\n" + field + "\r\nContent-Length: 2\r\n\r\nok"
	})
}

// TestBalancer: mod_proxy_balancer with mod_lbmethod_byrequests as apache2
// 2.4.71 does it, under each MPM: which backend answers each of a run of
// requests (loadfactor, a disabled member, sticky sessions by the ROUTEID
// cookie and the manual's Set-Cookie, a member down and the request failed
// over, a hot standby, every member down, nofailover), <Proxy> and
// <ProxyMatch> sections' Require on the backend URL, and the error log's AH
// numbers. Each run is pipelined on one connection (TestBalancerChildren
// spreads requests over several children).
func TestBalancer(t *testing.T) {
	for _, mpm := range []string{"event", "worker", "prefork"} {
		t.Run(mpm, func(t *testing.T) { testBalancer(t, mpm) })
	}
}

func testBalancer(t *testing.T, mpm string) {
	a, b, c := balancerBackend(t, "A"), balancerBackend(t, "B"), balancerBackend(t, "C")
	dead := freePorts(t, 2)
	conf := strings.NewReplacer("@A@", a, "@B@", b, "@C@", c, "@RAW@", crBackend(t),
		"@D1@", "127.0.0.1:"+strconv.Itoa(dead[0]), "@D2@", "127.0.0.1:"+strconv.Itoa(dead[1])).Replace(balancerConf)
	if mpm == "prefork" {
		conf += "StartServers 2\n"
	}
	p := startPairMPM(t, mpm, 1, conf, map[string]string{"a.txt": "a\n", "missing.html": "local error page\n"})
	run := func(n int, path string, fields string) string {
		var req strings.Builder
		for i := range n {
			conn := ""
			if i == n-1 {
				conn = "Connection: close\r\n"
			}
			fmt.Fprintf(&req, "GET %s%d HTTP/1.1\r\nHost: main.test\r\n%s%s\r\n", path, i, fields, conn)
		}
		return req.String()
	}
	reqs := []string{
		run(12, "/lf/x", ""),
		run(6, "/dis/x", ""),
		run(4, "/sticky/x", ""),
		run(4, "/sticky/x", "Cookie: ROUTEID=.b\r\n"),
		run(4, "/sticky/x", "Cookie: other=1; ROUTEID=sess.a\r\n"),
		run(4, "/sticky2/x", "Cookie: ROUTEID=.zz\r\n"),
		run(6, "/down/x", ""),
		run(3, "/standby/x", ""),
		run(3, "/alldown/x", ""),
		run(3, "/nofail/x", "Cookie: ROUTEID=.d\r\n"),
		run(2, "/nofail/x", "Cookie: ROUTEID=.a\r\n"),
		run(2, "/b/secret", ""),
		run(2, "/b/open", ""),
		run(2, "/rwb/x", ""),
		run(2, "/b/nk", ""),
		run(2, "/b/ten", ""),
		run(2, "/dis/y.hidden", ""),
	}
	for _, req := range reqs {
		want := p.apache.balancerAnswers(t, req)
		got := p.ours.balancerAnswers(t, req)
		if got != want {
			t.Errorf("%.60q:\n apache: %s\n ours:   %s", req, want, got)
		} else {
			t.Logf("%.60q: both %s", req, want)
		}
	}
	// ProxyErrorOverride: the backend's errors answered with the local
	// ErrorDocument or error page, the others passed on.
	for _, path := range []string{"/eo/status/404", "/eo/status/401", "/eo/status/500", "/eo/status/200",
		"/eoall/status/500", "/eoall/status/404", "/eoall/status/302", "/eoall/x"} {
		for _, method := range []string{"GET", "HEAD"} {
			req := method + " " + path + " HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"
			want := p.apache.proxyAnswer(t, req)
			got := p.ours.proxyAnswer(t, req)
			if got != want {
				t.Errorf("%s %s:\n apache: %s\n ours:   %s", method, path, want, got)
			}
		}
	}
	// A field with a bare CR in its name or value: apache2's HTTP output
	// filter refuses it (500, the connection closed).
	for _, path := range []string{"/raw/value", "/raw/name"} {
		req := "GET " + path + " HTTP/1.1\r\nHost: main.test\r\n\r\n"
		want := p.apache.ask(t, "127.0.0.1", 0, req)
		got := p.ours.ask(t, "127.0.0.1", 0, req)
		if len(want) != 1 || len(got) != 1 || got[0].Status != want[0].Status || want[0].Status != 500 || got[0].Connection != want[0].Connection {
			t.Errorf("%s: apache %v, ours %v", path, want, got)
		}
	}
	p.checkProxyCodes()
}

// balancerAnswers are the answers to the pipelined requests req: each
// one's status, Set-Cookie and body (an error page's by its status alone).
func (s *diffServer) balancerAnswers(t *testing.T, req string) string {
	raw, _ := s.exchange(t, "127.0.0.1", 0, req, 20*time.Second)
	var b strings.Builder
	for r := bufio.NewReader(raw); ; {
		if _, err := r.Peek(1); err != nil {
			return b.String()
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			return b.String() + "unparseable"
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			body = nil
		}
		fmt.Fprintf(&b, "%d %q %s|", resp.StatusCode, resp.Header.Values("Set-Cookie"), strings.TrimSpace(string(body)))
	}
}
