package e2e_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"testing"
)

// reuseBackend counts the connections it is given and the Connection
// fields of the requests on them; it answers each request "ok" and keeps
// the connection unless the request says close.
type reuseBackend struct {
	addr  string
	mu    sync.Mutex
	conns int
	seen  []string // the requests' Connection fields, "-" for none
}

func newReuseBackend(t *testing.T) *reuseBackend {
	b := &reuseBackend{}
	b.addr = serveEach(t, func(c net.Conn) {
		b.mu.Lock()
		b.conns++
		b.mu.Unlock()
		tp := textproto.NewReader(bufio.NewReader(c))
		for {
			if _, err := tp.ReadLine(); err != nil {
				return
			}
			h, err := tp.ReadMIMEHeader()
			if err != nil {
				return
			}
			v := strings.ToLower(strings.Join(h.Values("Connection"), ","))
			if v == "" {
				v = "-"
			}
			b.mu.Lock()
			b.seen = append(b.seen, v)
			b.mu.Unlock()
			if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"); err != nil || v == "close" {
				return
			}
		}
	})
	return b
}

// take reports what b saw since the last take and forgets it: whether
// fewer connections than requests came, and the Connection fields sent.
func (b *reuseBackend) take() (reused bool, fields []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	reused = b.conns < len(b.seen)
	fields = slices.Compact(slices.Sorted(slices.Values(b.seen)))
	b.conns, b.seen = 0, nil
	return reused, fields
}

// TestProxyReuse: which ProxyPass lines keep their backend connections for
// later requests, as apache2 2.4.71 does: a top-level ProxyPass and one in
// a <Location> (a worker of its own there, not the generic worker: ours
// sent "Connection: close" and opened a connection per request), a
// ProxyPassMatch without substitution, and one with a substitution in the
// path given enablereuse=on, send "Connection: Keep-Alive" and reuse their
// connections; disablereuse=On (top level or <Location>), a substitution
// in the path without enablereuse, one in the host (even with
// enablereuse=on, apache2's AH10400), and a substituted URL shorter than
// the line's URL (apache2's ap_proxy_get_worker does not find the line's
// worker for it: its generic worker serves it) send "Connection: close" and
// open one per request. A RewriteRule [P] is served the same way: by a
// ProxyPass line's worker when one names its URL (ours took the generic
// worker for it always), else by the generic worker.
func TestProxyReuse(t *testing.T) {
	names := []string{"top", "loc", "topoff", "locoff", "match", "mpath", "mpathon", "mhost", "mhoston", "rw", "rwgen"}
	be := map[string]*reuseBackend{}
	for _, n := range names {
		be[n] = newReuseBackend(t)
	}
	port := func(n string) string { _, p, _ := net.SplitHostPort(be[n].addr); return p }
	conf := proxyHTTPModules + mainSite + `ProxyPass /top/ http://` + be["top"].addr + `/
ProxyPass /topoff/ http://` + be["topoff"].addr + `/ disablereuse=On
<Location /loc/>
	ProxyPass http://` + be["loc"].addr + `/
</Location>
<Location /locoff/>
	ProxyPass http://` + be["locoff"].addr + `/ disablereuse=On
</Location>
ProxyPassMatch ^/match/ http://` + be["match"].addr + `
ProxyPassMatch ^/mpath/(.*)$ http://` + be["mpath"].addr + `/$1
ProxyPassMatch ^/mpathon/(.*)$ http://` + be["mpathon"].addr + `/$1 enablereuse=on
ProxyPassMatch ^/mhost/([^/]+)/(.*)$ http://$1:` + port("mhost") + `/$2
ProxyPassMatch ^/mhoston/([^/]+)/(.*)$ http://$1:` + port("mhoston") + `/$2 enablereuse=on
ProxyPass /rwpass/ http://` + be["rw"].addr + `/
RewriteEngine On
RewriteRule ^/rw/(.*)$ http://` + be["rw"].addr + `/$1 [P]
RewriteRule ^/rwgen/(.*)$ http://` + be["rwgen"].addr + `/$1 [P]
`
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	const n = 12
	paths := map[string][]string{"mhost": {"/mhost/127.0.0.1/xyz"}, "mhoston": {"/mhoston/127.0.0.1/xyz"},
		"mpath": {"/mpath/xyz", "/mpath/x"}, "mpathon": {"/mpathon/xyz", "/mpathon/x"}}
	for _, name := range names {
		if paths[name] == nil {
			paths[name] = []string{"/" + name + "/xyz"}
		}
		for _, path := range paths[name] {
			compareReuse(t, p, be[name], path, n)
		}
	}
}

// compareReuse sends n requests for path to each server of p, one after
// the other, and compares what backend b saw of them.
func compareReuse(t *testing.T, p *diffPair, b *reuseBackend, path string, n int) {
	compareReuseHost(t, p, b, "main.test", path, n)
}

// compareReuseHost is compareReuse with the requests to virtual host host.
func compareReuseHost(t *testing.T, p *diffPair, b *reuseBackend, host, path string, n int) {
	var got [2]string
	for i, s := range []*diffServer{p.apache, p.ours} {
		for range n {
			a := s.ask(t, "127.0.0.1", 0, "GET "+path+" HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n")
			if len(a) != 1 || a[0].Status != 200 || a[0].Body != "ok\n" {
				t.Fatalf("%s %s: %v", s.name, path, a)
			}
		}
		reused, fields := b.take()
		got[i] = fmt.Sprintf("reused %v, Connection %q", reused, fields)
	}
	if got[0] != got[1] {
		t.Errorf("%s%s: %d requests:\n apache: %s\n ours:   %s", host, path, n, got[0], got[1])
	} else {
		t.Logf("%s%s: %d requests: both %s", host, path, n, got[0])
	}
}

// TestProxyReuseVhostNoInherit: a virtual host with ProxyPassInherit and
// BalancerInherit Off has only its own lines' workers, as apache2's
// merge_proxy_config keeps them: a RewriteRule [P] to a URL its own line's
// worker does not name, and the main server's ProxyPass line it still
// maps (its disablereuse=on stripped), are served by the generic worker
// ("Connection: close", a connection per request; ours reused a worker
// the main server's line defined in it without its parameters), its own
// line by its own worker (reused); a virtual host that inherits takes the
// main server's worker (disablereuse=on: close).
func TestProxyReuseVhostNoInherit(t *testing.T) {
	be := newReuseBackend(t)
	conf := proxyHTTPModules + mainSite + `ProxyPass /a http://` + be.addr + `/a disablereuse=on
<VirtualHost 127.0.0.1:@P0@>
    ServerName main.test
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName v1.test
    ProxyPassInherit Off
    BalancerInherit Off
    ProxyPass /x http://` + be.addr + `/a/x
    RewriteEngine On
    RewriteRule ^/rz(.*) http://` + be.addr + `/a/z$1 [P]
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName v2.test
    RewriteEngine On
    RewriteRule ^/rz(.*) http://` + be.addr + `/a/z$1 [P]
</VirtualHost>
`
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	for _, hp := range [][2]string{{"v1.test", "/rz"}, {"v1.test", "/a"}, {"v1.test", "/x"}, {"v2.test", "/rz"}, {"v2.test", "/a"}} {
		compareReuseHost(t, p, be, hp[0], hp[1], 6)
	}
}

// noInheritMain is a main server with ProxyPassInherit and BalancerInherit
// Off, ProxyPass /a to the backend at addr and /b to balancer://bal, whose
// member is that backend's /m, and a virtual host main.test of no line.
func noInheritMain(addr string) string {
	return balancerModules + mainSite + `ProxyPassInherit Off
BalancerInherit Off
ProxyPass /a http://` + addr + `/a
ProxyPass /b balancer://bal
<Proxy balancer://bal>
    BalancerMember http://` + addr + `/m
</Proxy>
<VirtualHost 127.0.0.1:@P0@>
    ServerName main.test
</VirtualHost>
`
}

// TestProxyReuseVhostNoProxyLines: a virtual host with no mod_proxy line of
// its own has the main server's mod_proxy configuration as it is, however
// the main server sets ProxyPassInherit and BalancerInherit (Off here), as
// apache2 merges nothing for a module none of whose directives the virtual
// host has: the main server's ProxyPass line, a RewriteRule [P] to its URL
// and its balancer are served by its workers, reusing their connections
// (ours served the first two by the generic worker, a connection per
// request, and answered 500 for the balancer, AH01144). A virtual host
// with one mod_proxy line (ProxyPreserveHost) has its own configuration
// and, inheriting nothing, serves the RewriteRule [P] by the generic worker.
func TestProxyReuseVhostNoProxyLines(t *testing.T) {
	be := newReuseBackend(t)
	conf := noInheritMain(be.addr) + `<VirtualHost 127.0.0.1:@P0@>
    ServerName v1.test
    RewriteEngine On
    RewriteRule ^/rz(.*) http://` + be.addr + `/a/z$1 [P]
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName v2.test
    ProxyPreserveHost On
    RewriteEngine On
    RewriteRule ^/rz(.*) http://` + be.addr + `/a/z$1 [P]
</VirtualHost>
`
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	for _, hp := range [][2]string{{"main.test", "/a"}, {"main.test", "/b"}, {"v1.test", "/a"}, {"v1.test", "/b"}, {"v1.test", "/rz"}, {"v2.test", "/rz"}} {
		compareReuseHost(t, p, be, hp[0], hp[1], 6)
	}
}

// TestProxyVhostOwnEmptyBalancer: a virtual host that inherits nothing
// (ProxyPassInherit and BalancerInherit Off) and whose own ProxyPass line
// names a balancer the main server's ProxyPass line and members define has
// a balancer of that name of its own, without members: apache2 answers
// 503 (AH01171) for both lines' paths; ours took the balancer for absent
// (500, AH01144), as it is for a virtual host none of whose lines name it.
func TestProxyVhostOwnEmptyBalancer(t *testing.T) {
	be := newReuseBackend(t)
	conf := noInheritMain(be.addr) + `<VirtualHost 127.0.0.1:@P0@>
    ServerName v1.test
    ProxyPass /d balancer://bal
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName v2.test
    ProxyPreserveHost On
</VirtualHost>
`
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	for _, c := range []struct {
		host, path string
		status     int
	}{{"v1.test", "/b", 503}, {"v1.test", "/d", 503}, {"v2.test", "/b", 500}, {"main.test", "/b", 200}} {
		for _, s := range []*diffServer{p.apache, p.ours} {
			a := s.ask(t, "127.0.0.1", 0, "GET "+c.path+" HTTP/1.1\r\nHost: "+c.host+"\r\nConnection: close\r\n\r\n")
			if len(a) != 1 || a[0].Status != c.status {
				t.Errorf("%s %s%s: %v, want %d", s.name, c.host, c.path, a, c.status)
			}
		}
	}
	for _, s := range []*diffServer{p.apache, p.ours} {
		n := 0
		for _, l := range s.logLines(t, "error_log") {
			if strings.Contains(l, "AH01171") {
				n++
			}
		}
		if n != 2 {
			t.Errorf("%s: %d AH01171 lines, want 2 (v1.test's /b and /d)", s.name, n)
		}
	}
}
