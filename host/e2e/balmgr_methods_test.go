package e2e_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// balancerMethodsConf is a balancer with a manager and only
// mod_lbmethod_byrequests loaded (and mod_proxy_hcheck absent).
const balancerMethodsConf = mainSite + balancerModules + `<Proxy balancer://app>
    BalancerMember http://@A@ route=a
</Proxy>
ProxyPass /app/ balancer://app/
<Location "/balancer-manager">
    SetHandler balancer-manager
</Location>
`

// TestBalancerManagerMethods, compared with apache2 2.4.71: the balancer
// form lists only the lbmethods whose modules are loaded, and a post of
// another changes nothing; without mod_proxy_hcheck the pages have no
// health-check columns.
func TestBalancerManagerMethods(t *testing.T) {
	a := balancerBackend(t, "A")
	p := startPairMPM(t, "prefork", 1, strings.ReplaceAll(balancerMethodsConf, "@A@", a), map[string]string{"index.html": "local\n"})
	raw := func(s *diffServer, query string) string {
		as := s.ask(t, "127.0.0.1", 0, "GET /balancer-manager"+query+" HTTP/1.1\r\nHost: main.test\r\nReferer: http://main.test/balancer-manager\r\nConnection: close\r\n\r\n")
		if len(as) != 1 {
			return as.String()
		}
		return strconv.Itoa(as[0].Status) + "\n" + as[0].Body
	}
	page := func(s *diffServer, query string) string {
		if strings.Contains(query, "NONCE") {
			query = strings.ReplaceAll(query, "NONCE", managerNonce.FindString(raw(s, "")))
		}
		return managerNormalize(raw(s, query))
	}
	post := func(s *diffServer, form string) string {
		form = strings.ReplaceAll(form, "NONCE", managerNonce.FindString(raw(s, "")))
		s.ask(t, "127.0.0.1", 0, "POST /balancer-manager HTTP/1.1\r\nHost: main.test\r\nReferer: http://main.test/balancer-manager\r\n"+
			"Content-Length: "+strconv.Itoa(len(form))+"\r\nConnection: close\r\n\r\n"+form)
		return page(s, "?b=app&nonce=NONCE")
	}
	for _, q := range []string{"", "?b=app&nonce=NONCE", "?b=app&w=http://" + a + "&nonce=NONCE", "?xml=1", "POST b=app&nonce=NONCE&b_lbm=bytraffic"} {
		var want, got string
		if form, ok := strings.CutPrefix(q, "POST "); ok {
			want, got = post(p.apache, form), post(p.ours, form)
		} else {
			want, got = page(p.apache, q), page(p.ours, q)
		}
		if got != want {
			t.Errorf("%q:\n apache: %s\n ours:   %s", q, want, got)
		} else {
			t.Logf("%q: both %s", q, got)
		}
	}
}

// managerNonce is the nonce of a manager page.
var managerNonce = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
