package e2e_test

import (
	"strings"
	"testing"
)

// balancerGrowthConf is a balancer of one member (@A@) with room for two
// more, and a manager, served by several prefork children; vh.test
// inherits it and has a manager of its own.
const balancerGrowthConf = preforkChildren + balancerModules + `<Proxy balancer://app>
    BalancerMember http://@A@
    ProxySet growth=2
` + appManager + `<VirtualHost *:@P0@>
    ServerName vh.test
    <Location "/vmanager">
        SetHandler balancer-manager
    </Location>
</VirtualHost>
`

// TestBalancerManagerAddWorker, compared with apache2 2.4.71 under
// prefork: with growth=2 the balancer form offers "Add New Worker"
// (b_nwrkr, confirmed by b_wyes=1); the new member is disabled, shown by
// every child (MaxMembers 3, one more used) and, once enabled, elected by
// every child; one the balancer has, a bad URL or one past the growth is
// refused (400, AH10164 or AH10163), and the form no longer offers it. A
// virtual host that inherits the balancer shows and elects the member too.
func TestBalancerManagerAddWorker(t *testing.T) {
	a, b, c := balancerBackend(t, "A"), balancerBackend(t, "B"), balancerBackend(t, "C")
	p := startPairMPM(t, "prefork", 1, strings.ReplaceAll(balancerGrowthConf, "@A@", a), map[string]string{"index.html": "local\n"})
	form := func(s *diffServer) string {
		return managerNormalize(managerGet(t, s, managerWithNonce(t, s, "?b=app&nonce=NONCE")))
	}
	post := func(body string) func(s *diffServer) string {
		return func(s *diffServer) string { return managerPost(t, s, body) }
	}
	// pages asks several times (several children) for the page.
	pages := func(s *diffServer) string {
		var out []string
		for range 6 {
			out = append(out, managerNormalize(managerGet(t, s, "")))
		}
		return strings.Join(out, "\n----\n")
	}
	// elected are the backends that answer a run of requests to /app/.
	elected := func(s *diffServer) string {
		var out []string
		for range 8 {
			out = append(out, s.balancerAnswers(t, "GET /app/x HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"))
		}
		return strings.Join(out, " ")
	}
	has := func(subs ...string) func(string) bool {
		return func(got string) bool {
			for _, s := range subs {
				if !strings.Contains(got, s) {
					return false
				}
			}
			return true
		}
	}
	p.runSteps([]diffStep{
		{"form offers it", form, has("<input name='b_nwrkr' id='b_nwrkr' size=32 type=text>", "<td>3 [1 Used]</td>")},
		{"not confirmed", post("b=app&nonce=NONCE&b_nwrkr=http://" + b + "/"), has("200")},
		{"add", post("b=app&nonce=NONCE&b_wyes=1&b_nwrkr=http://" + b + "/"), has("200")},
		{"every child shows it disabled", pages, has("<td>3 [2 Used]</td>", ">http://"+b+"/</a></td><td></td><td></td><td>1.00</td><td>0</td><td>Init Dis </td>")},
		{"disabled: not elected", elected, func(got string) bool { return !strings.Contains(got, "B GET") }},
		{"enable", post("b=app&nonce=NONCE&w=http://" + b + "/&w_status_D=0"), has("200")},
		{"elected by every child", elected, has("A GET", "B GET")},
		{"virtual host", func(s *diffServer) string {
			as := s.ask(t, "127.0.0.1", 0, "GET /vmanager HTTP/1.1\r\nHost: vh.test\r\nConnection: close\r\n\r\n")
			return managerNormalize(as.bodies())
		}, has("http://" + b + "/")},
		{"virtual host elects it", func(s *diffServer) string {
			var out []string
			for range 4 {
				out = append(out, s.balancerAnswers(t, "GET /app/x HTTP/1.1\r\nHost: vh.test\r\nConnection: close\r\n\r\n"))
			}
			return strings.Join(out, " ")
		}, has("B GET")},
		{"already there", post("b=app&nonce=NONCE&b_wyes=1&b_nwrkr=http://" + b + "/"), has("400")},
		{"bad URL", post("b=app&nonce=NONCE&b_wyes=1&b_nwrkr=nothing"), has("400")},
		{"add the last", post("b=app&nonce=NONCE&b_wyes=1&b_nwrkr=http://" + c), has("200")},
		{"no room left", post("b=app&nonce=NONCE&b_wyes=1&b_nwrkr=http://127.0.0.1:1"), has("400")},
		{"form full", form, func(got string) bool {
			return !strings.Contains(got, "b_nwrkr") && strings.Contains(got, "<td>3 [3 Used]</td>")
		}},
	})
	for _, msg := range []string{
		"AH10164: balancer://app: failed to add worker http://" + b + "/",
		"AH10163: balancer://app: failed to add worker nothing",
		"AH10164: balancer://app: failed to add worker http://127.0.0.1:1",
	} {
		for _, s := range []*diffServer{p.apache, p.ours} {
			if !strings.Contains(s.srv.ErrorLog(), msg) {
				t.Errorf("%s's error log has no %q", s.name, msg)
			}
		}
	}
}

// TestBalancerManagerAddNames, compared with apache2 2.4.71: a URL is
// refused only when a member's URL is the start of it (so /app beside a
// member /app/ is taken), and the member added is named with its scheme
// and host in lower case (review14).
func TestBalancerManagerAddNames(t *testing.T) {
	conf := mainSite + balancerModules + `<Proxy balancer://app>
    BalancerMember http://127.0.0.1:6
    BalancerMember http://127.0.0.1:7/app/
    ProxySet growth=5
` + appManager
	p := startPair(t, 1, conf, map[string]string{"index.html": "local\n"})
	post := func(body string) func(s *diffServer) string {
		return func(s *diffServer) string { return managerPost(t, s, body) }
	}
	has := func(sub string) func(string) bool { return func(got string) bool { return strings.Contains(got, sub) } }
	p.runSteps([]diffStep{
		{"beside /app/", post("b=app&nonce=NONCE&b_wyes=1&b_nwrkr=http://127.0.0.1:7/app"), has("200")},
		{"host in capitals", post("b=app&nonce=NONCE&b_wyes=1&b_nwrkr=HTTP://LOCALHOST:6/Ab"), has("200")},
		{"under a member", post("b=app&nonce=NONCE&b_wyes=1&b_nwrkr=http://127.0.0.1:6/x"), has("400")},
		{"under an added one", post("b=app&nonce=NONCE&b_wyes=1&b_nwrkr=http://localhost:6/Abc"), has("400")},
		{"listed", func(s *diffServer) string { return managerNormalize(managerGet(t, s, "")) }, has(">http://localhost:6/Ab</a>")},
	})
}
