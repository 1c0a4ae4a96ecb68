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
` + appManager

// appManager ends a <Proxy balancer://app> section, proxies /app/ to it
// and serves the manager at /balancer-manager.
const appManager = `</Proxy>
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
	page := func(s *diffServer, query string) string {
		return managerNormalize(managerGet(t, s, managerWithNonce(t, s, query)))
	}
	post := func(s *diffServer, form string) string {
		managerPost(t, s, form)
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

// managerHead are the fields of a request to main.test's manager from its
// own page.
const managerHead = "Host: main.test\r\nReferer: http://main.test/balancer-manager\r\nConnection: close\r\n"

// managerGet is the status and body of s's answer to GET
// /balancer-manager+query.
func managerGet(t *testing.T, s *diffServer, query string) string {
	as := s.ask(t, "127.0.0.1", 0, "GET /balancer-manager"+query+" HTTP/1.1\r\n"+managerHead+"\r\n")
	if len(as) != 1 {
		return as.String()
	}
	return strconv.Itoa(as[0].Status) + "\n" + as[0].Body
}

// managerWithNonce is text with NONCE replaced by the nonce of s's page.
func managerWithNonce(t *testing.T, s *diffServer, text string) string {
	if !strings.Contains(text, "NONCE") {
		return text
	}
	return strings.ReplaceAll(text, "NONCE", managerNonce.FindString(managerGet(t, s, "")))
}

// managerPost posts form (NONCE: the page's) to s's manager and returns the
// answer's status.
func managerPost(t *testing.T, s *diffServer, form string) string {
	form = managerWithNonce(t, s, form)
	as := s.ask(t, "127.0.0.1", 0, "POST /balancer-manager HTTP/1.1\r\n"+managerHead+"Content-Length: "+strconv.Itoa(len(form))+"\r\n\r\n"+form)
	if len(as) != 1 {
		return as.String()
	}
	return strconv.Itoa(as[0].Status)
}
