package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// balancerVhostsConf has the main server's balancers over the test's
// backends (@A@, @B@; @D@ a port nothing listens on) and name-based
// virtual hosts that inherit them, one that defines its own balancer of
// the same name (@C@, ignored: apache2 keeps the main server's members),
// one with BalancerInherit Off alone (still inherits: ProxyPassInherit
// is On) and one with both Off (its own balancers; the main server's
// ProxyPass to a balancer it lacks finds none), served by several prefork
// children.
const balancerVhostsConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
StartServers 3
MinSpareServers 3
MaxSpareServers 6
` + balancerModules + `<Proxy balancer://rr>
    BalancerMember http://@A@
    BalancerMember http://@B@
</Proxy>
ProxyPass /rr/ balancer://rr/
<Proxy balancer://dead>
    BalancerMember http://@D@ retry=60
    BalancerMember http://@A@
</Proxy>
ProxyPass /dead/ balancer://dead/
<Proxy balancer://only>
    BalancerMember http://@A@
</Proxy>
ProxyPass /only/ balancer://only/
<VirtualHost 127.0.0.1:@P0@>
    ServerName v1.test
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName v2.test
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName own.test
    <Proxy balancer://rr>
        BalancerMember http://@C@
    </Proxy>
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName binherit.test
    BalancerInherit Off
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName none.test
    BalancerInherit Off
    ProxyPassInherit Off
    <Proxy balancer://rr>
        BalancerMember http://@C@
    </Proxy>
    <Proxy balancer://dead>
        BalancerMember http://@D@
        BalancerMember http://@C@
    </Proxy>
</VirtualHost>
`

// TestBalancerVhosts: as apache2 2.4.71, the virtual hosts that inherit
// the main server's balancer share one state for its members, whichever
// child serves them: byrequests' rotation goes on from one virtual host to
// the next, and a member put in error through one (one AH00959) is
// skipped through the others; a virtual host's own members of an
// inherited balancer are ignored; BalancerInherit Off alone inherits (as
// ProxyPassInherit On), both Off give the virtual host its own balancers,
// with their own state (its member in error once more), and the main
// server's ProxyPass to a balancer only the main server has is a 500
// (AH01144: no handler takes the URL).
func TestBalancerVhosts(t *testing.T) {
	a, b, c := balancerBackend(t, "A"), balancerBackend(t, "B"), balancerBackend(t, "C")
	dead := freePorts(t, 1)
	conf := strings.NewReplacer("@A@", a, "@B@", b, "@C@", c, "@D@", "127.0.0.1:"+strconv.Itoa(dead[0])).Replace(balancerVhostsConf)
	p := startPairMPM(t, "prefork", 1, conf, map[string]string{"index.html": "local\n"})

	// get sends each request (host and path) on a connection of its own.
	get := func(s *diffServer, reqs ...string) string {
		var out []string
		for _, hp := range reqs {
			host, path, _ := strings.Cut(hp, " ")
			as := s.ask(t, "127.0.0.1", 0, "GET "+path+" HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n")
			if len(as) != 1 {
				out = append(out, as.String())
				continue
			}
			words := strings.Fields(as[0].Body)
			out = append(out, strconv.Itoa(as[0].Status)+" "+strings.Join(words[:min(len(words), 3)], " "))
		}
		return strings.Join(out, " | ")
	}
	disabled := func(s *diffServer) string {
		b, err := os.ReadFile(filepath.Join(s.root, "logs/error_log"))
		must(t, err)
		return fmt.Sprintf(" | %d AH00959", strings.Count(string(b), "AH00959"))
	}
	steps := []struct {
		name string
		run  func(s *diffServer) string
		want string
	}{
		{"byrequests across virtual hosts", func(s *diffServer) string {
			return get(s, "v1.test /rr/x", "v2.test /rr/x", "own.test /rr/x", "binherit.test /rr/x", "v2.test /rr/x", "v1.test /rr/x")
		}, "200 A GET /x | 200 B GET /x | 200 A GET /x | 200 B GET /x | 200 A GET /x | 200 B GET /x"},
		{"own balancer", func(s *diffServer) string {
			return get(s, "none.test /rr/x", "none.test /rr/x", "v1.test /rr/x")
		}, "200 C GET /x | 200 C GET /x | 200 A GET /x"},
		{"member in error", func(s *diffServer) string {
			return get(s, "v1.test /dead/x", "v2.test /dead/x", "own.test /dead/x", "binherit.test /dead/x") + disabled(s)
		}, "200 A GET /x | 200 A GET /x | 200 A GET /x | 200 A GET /x | 1 AH00959"},
		{"own member in error", func(s *diffServer) string {
			return get(s, "none.test /dead/x", "none.test /dead/x") + disabled(s)
		}, "200 C GET /x | 200 C GET /x | 2 AH00959"},
		{"main server's balancer", func(s *diffServer) string {
			return get(s, "none.test /only/x", "v1.test /only/x")
		}, "500 <!DOCTYPE HTML PUBLIC | 200 A GET /x"},
	}
	for _, st := range steps {
		want, got := st.run(p.apache), st.run(p.ours)
		if got != want || got != st.want {
			t.Errorf("%s:\n apache: %s\n ours:   %s\n want:   %s", st.name, want, got, st.want)
		} else {
			t.Logf("%s: both %s", st.name, got)
		}
	}
	p.checkProxyCodes()
}
