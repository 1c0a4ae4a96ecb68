package e2e_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/fcgi"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// preforkChildren is a main server main.test on @P0@ with keep-alive
// connections and several prefork children.
const preforkChildren = `ServerName main.test
Listen 127.0.0.1:@P0@
KeepAlive On
KeepAliveTimeout 30
MaxKeepAliveRequests 0
DocumentRoot @DOCS@
StartServers 4
MinSpareServers 4
MaxSpareServers 8
`

// balancerChildrenConf has balancers over the test's backends (@A@, @B@,
// the holding @S@, the FastCGI @F@) and ports nothing listens on (@D1@,
// @D2@), served by several prefork children that log their pid.
const balancerChildrenConf = preforkChildren + balancerModules + `LoadModule proxy_fcgi_module /usr/lib/apache2/modules/mod_proxy_fcgi.so
LoadModule lbmethod_bybusyness_module /usr/lib/apache2/modules/mod_lbmethod_bybusyness.so
LoadModule lbmethod_bytraffic_module /usr/lib/apache2/modules/mod_lbmethod_bytraffic.so
LogFormat "%P %U" pids
CustomLog logs/pids pids
<Proxy balancer://rr>
    BalancerMember http://@A@
    BalancerMember http://@B@
</Proxy>
ProxyPass /rr/ balancer://rr/
<Proxy balancer://dead>
    BalancerMember http://@D1@ retry=1
    BalancerMember http://@A@
</Proxy>
ProxyPass /dead/ balancer://dead/
<Proxy balancer://fc>
    BalancerMember fcgi://@D2@
    BalancerMember fcgi://@F@
</Proxy>
ProxyPass /fc/ balancer://fc/
<IfModule lbmethod_bybusyness_module>
<Proxy balancer://busy>
    BalancerMember http://@S@
    BalancerMember http://@B@
    ProxySet lbmethod=bybusyness
</Proxy>
ProxyPass /busy/ balancer://busy/
</IfModule>
<IfModule mod_lbmethod_bytraffic.c>
<Proxy balancer://traffic>
    BalancerMember http://@A@
    BalancerMember http://@B@
    ProxySet lbmethod=bytraffic
</Proxy>
ProxyPass /traffic/ balancer://traffic/
</IfModule>
`

// holdBackend answers as balancerBackend does (its name S), but holds
// /hold until release is closed, after telling held.
func holdBackend(t *testing.T, held chan<- struct{}, release <-chan struct{}) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			held <- struct{}{}
			<-release
		}
		io.WriteString(w, "S "+r.RequestURI+"\n")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestBalancerChildren: the balancers' state is shared by all the children
// as apache2 2.4.71 keeps it in shared memory, compared with apache2 under
// prefork, consecutive requests served by different children:
// byrequests alternates over two members; a member that refuses
// is put in error once (one AH00959) and skipped by every child until its
// retry= has passed; an fcgi:// member that refuses fails over to the next
// one; bybusyness sends requests away from a member busy in another
// child; bytraffic away from a member that sent a large answer.
func TestBalancerChildren(t *testing.T) {
	a, b := balancerBackend(t, "A"), balancerBackend(t, "B")
	held, release := make(chan struct{}), make(chan struct{})
	s := holdBackend(t, held, release)
	fln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	t.Cleanup(func() { fln.Close() })
	go fcgi.Serve(fln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "F "+r.URL.Path+"\n")
	}))
	dead := freePorts(t, 2)
	conf := strings.NewReplacer("@A@", a, "@B@", b, "@S@", s, "@F@", fln.Addr().String(),
		"@D1@", "127.0.0.1:"+strconv.Itoa(dead[0]), "@D2@", "127.0.0.1:"+strconv.Itoa(dead[1])).Replace(balancerChildrenConf)
	p := startPairMPM(t, "prefork", 1, conf, map[string]string{"index.html": "local\n"})

	get := func(s *diffServer, paths ...string) string { return spreadGet(t, s, "", paths...) }
	// getClosing sends each path on a connection of its own (Connection:
	// close): apache2 counts a request of a keep-alive connection busy
	// until the connection's next request.
	getClosing := func(s *diffServer, paths ...string) string {
		var out []string
		for _, path := range paths {
			as := s.ask(t, "127.0.0.1", 0, "GET "+path+" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
			if len(as) != 1 {
				out = append(out, as.String())
				continue
			}
			out = append(out, strconv.Itoa(as[0].Status)+" "+strings.TrimSpace(as[0].Body[:min(len(as[0].Body), 40)]))
		}
		return strings.Join(out, " | ")
	}
	paths := func(prefix string, n int) []string {
		var out []string
		for i := range n {
			out = append(out, prefix+strconv.Itoa(i))
		}
		return out
	}
	// disabled counts the error log's AH00959 lines (a member put in error).
	disabled := func(s *diffServer) int {
		b, err := os.ReadFile(filepath.Join(s.root, "logs/error_log"))
		must(t, err)
		return strings.Count(string(b), "AH00959")
	}
	steps := []diffStep{
		{"byrequests", func(s *diffServer) string { return get(s, paths("/rr/x", 8)...) }, func(got string) bool {
			return strings.Count(got, "200 A GET /x") == 4 && strings.Count(got, "200 B GET /x") == 4 &&
				!strings.Contains(got, "A GET /x1 ") && !strings.Contains(got, "B GET /x0 ")
		}},
		{"dead member", func(s *diffServer) string {
			return get(s, paths("/dead/x", 6)...) + fmt.Sprintf(" | %d AH00959", disabled(s))
		}, func(got string) bool {
			return strings.Count(got, "200 A") == 6 && strings.HasSuffix(got, "| 1 AH00959")
		}},
		{"dead member after retry", func(s *diffServer) string {
			time.Sleep(1500 * time.Millisecond) // past retry=1
			return get(s, paths("/dead/y", 4)...) + fmt.Sprintf(" | %d AH00959", disabled(s))
		}, func(got string) bool {
			return strings.Count(got, "200 A") == 4 && strings.HasSuffix(got, "| 2 AH00959")
		}},
		{"fcgi failover", func(s *diffServer) string { return get(s, paths("/fc/x", 4)...) }, func(got string) bool {
			return strings.Count(got, "200 F /fc/x") == 4
		}},
		{"bybusyness", func(s *diffServer) string {
			// The child serving /busy/hold is busy: the others serve
			// the rest.
			done := make(chan string)
			go func() { done <- getClosing(s, "/busy/hold") }()
			<-held
			got := getClosing(s, paths("/busy/x", 4)...)
			release <- struct{}{}
			return <-done + " | " + got
		}, func(got string) bool {
			return strings.HasPrefix(got, "200 S /hold") && strings.Count(got, "200 B GET /x") == 4
		}},
		{"bytraffic", func(s *diffServer) string {
			return get(s, "/traffic/"+strings.Repeat("y", 4000), "/traffic/a", "/traffic/b", "/traffic/c")
		},
			func(got string) bool {
				return strings.HasPrefix(got, "200 A GET /yyy") && strings.Count(got, "200 B GET") == 3
			}},
	}
	p.runSteps(steps)
	p.checkProxyCodes()
	// byrequests' requests were served by three children.
	if n := len(pidsServing(t, p.ours, "/rr/")); n != 3 {
		t.Errorf("%d children served /rr/, want 3", n)
	}
}

// diffStep is one step of a differential test: run on each server, the
// same result wanted of both, which check must accept.
type diffStep struct {
	name  string
	run   func(s *diffServer) string
	check func(got string) bool
}

// runSteps runs each step on apache2, then on ours, and compares.
func (p *diffPair) runSteps(steps []diffStep) {
	t := p.t
	t.Helper()
	for _, st := range steps {
		want, got := st.run(p.apache), st.run(p.ours)
		if got != want || !st.check(got) {
			t.Errorf("%s:\n apache: %s\n ours:   %s", st.name, want, got)
		} else {
			t.Logf("%s: both %s", st.name, got)
		}
	}
}

// spreadGet sends the paths in turn over three keep-alive connections to
// s (Host main.test, then the header lines extra) and returns the
// answers. A prefork child serves one connection at a time, so each
// connection has a child of its own: consecutive requests are served by
// different children.
func spreadGet(t *testing.T, s *diffServer, extra string, paths ...string) string {
	type conn struct {
		net.Conn
		br *bufio.Reader
	}
	var conns []conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	var out []string
	for i, path := range paths {
		if i < 3 {
			c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(s.ports[0]), 5*time.Second)
			must(t, err)
			conns = append(conns, conn{c, bufio.NewReader(c)})
		}
		c := conns[i%3]
		c.SetDeadline(time.Now().Add(20 * time.Second))
		io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: main.test\r\n"+extra+"\r\n")
		resp, err := http.ReadResponse(c.br, nil)
		if err != nil {
			out = append(out, err.Error())
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		out = append(out, strconv.Itoa(resp.StatusCode)+" "+strings.TrimSpace(string(body[:min(len(body), 40)])))
	}
	return strings.Join(out, " | ")
}

// pidsServing are the pids of s's logs/pids lines for paths under prefix.
func pidsServing(t *testing.T, s *diffServer, prefix string) map[string]bool {
	pids := map[string]bool{}
	for _, line := range s.logLines(t, "pids") {
		if pid, path, _ := strings.Cut(line, " "); strings.HasPrefix(path, prefix) {
			pids[pid] = true
		}
	}
	return pids
}
