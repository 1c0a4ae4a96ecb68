package e2e_test

import (
	"strings"
	"testing"
)

// TestBalancerMemberPath: the path a member gets, as apache2 2.4.71's
// proxy_balancer_canon writes a balancer URL ("balancer://name/" and the
// path) and balancer_fixup puts the member's URL, a final slash kept, in
// place of the name: ProxyPass /b balancer://bal sends /b to the member
// http://be/m as /m/ (ours sent /m), /b?q=1 as /m/?q=1, and to a member
// http://be/n/ /c/x as /n//x (ours dropped the member's final slash: /n/x);
// a RewriteRule [P] to balancer://bal alike. ProxyPassMatch ^/pm(.*)$
// balancer://bal$1 sends /pm/x to bal's member as /m/x (ours served it by
// a balancer named bal$1, without members: 503, AH01171), /pmx to a
// balancer://balx the server lacks: 500, AH01144, as a RewriteRule [P]
// to it (ours: 400); RewriteRule ^/rw3$ balancer://slash?z=1 [P] sends
// /rw3 to slash's member http://be/n/ as /n//?z=1 (ours: 400); an empty
// query keeps its '?', through a balancer (/b? as /m/?) as through a plain
// ProxyPass or ProxyPassMatch (/h? as /m?; ours dropped it) (review rv61).
func TestBalancerMemberPath(t *testing.T) {
	be := balancerBackend(t, "A")
	conf := strings.ReplaceAll(mainSite+balancerModules+`<Proxy balancer://bal>
    BalancerMember http://@A@/m
</Proxy>
<Proxy balancer://slash>
    BalancerMember http://@A@/n/
</Proxy>
<Proxy balancer://root>
    BalancerMember http://@A@
</Proxy>
ProxyPass /b balancer://bal
ProxyPass /c balancer://slash
ProxyPass /d/ balancer://bal/
ProxyPass /e/ balancer://slash/
ProxyPass /f balancer://root
ProxyPass /g balancer://bal/q
ProxyPassMatch ^/pm(.*)$ balancer://bal$1
ProxyPass /h http://@A@/m
ProxyPassMatch ^/hm(.*)$ http://@A@/m$1
RewriteEngine On
RewriteRule ^/rw$ balancer://bal [P]
RewriteRule ^/rw2(.*)$ balancer://bal$1 [P]
RewriteRule ^/rw3$ balancer://slash?z=1 [P]
RewriteRule ^/rw4(.*)$ balancer://slash$1?z=1 [P,QSA]
`, "@A@", be)
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	var reqs []string
	for _, path := range []string{"/b", "/b/", "/b/x", "/b?q=1", "/c", "/c/", "/c/x", "/c?q", "/d/", "/d/x",
		"/e/", "/e/x", "/f", "/f/", "/f/x", "/g", "/g/", "/g/x", "/rw",
		"/pm", "/pm/x", "/pm?q=1", "/pmx", "/rw2/y?q", "/rw2x",
		"/rw3", "/rw3?a", "/rw4", "/rw4/k?a=b",
		"/b?", "/b/x?", "/pm?", "/h?", "/h/x?", "/hm?", "/rw?"} {
		reqs = append(reqs, "GET "+path+" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
	}
	p.compareEach(reqs, (*diffServer).proxyAnswer)
	p.checkProxyCodes()
	p.compareLogMessages("AH01144")
}

// TestBalancerMemberUnixSocket: a balancer member on a unix domain socket
// gets the request's path after its URL's, and its URL's host, as apache2
// sends them; ours sent the socket's path as the request's (review rv61).
func TestBalancerMemberUnixSocket(t *testing.T) {
	sock, ln := unixBackend(t, "run", "http.sock")
	proxyBackend(t, ln)
	conf := strings.NewReplacer("@SOCK@", sock).Replace(balancerModules + mainSite + `<Proxy balancer://u>
BalancerMember unix:@SOCK@|http://localhost/m
</Proxy>
<Proxy balancer://v>
BalancerMember unix:@SOCK@|http://h.test/
</Proxy>
ProxyPass /b balancer://u
ProxyPass /c balancer://v/
`)
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	var reqs []string
	for _, path := range []string{"/b", "/b/x?q", "/c/y"} {
		reqs = append(reqs, "GET "+path+" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
	}
	p.compareProxyAnswers(reqs, strings.NewReplacer())
	p.checkProxyCodes()
}

// TestProxyEmptyQueryAfterRewrite: an empty query ("/x?") that mod_rewrite
// kept is still one: the backend gets its '?', through ProxyPass, a
// balancer and nocanon lines, as apache2 sends it (review rv63: the '?' was
// lost after a rewrite).
func TestProxyEmptyQueryAfterRewrite(t *testing.T) {
	a := balancerBackend(t, "A")
	conf := strings.NewReplacer("@A@", a).Replace(mainSite + balancerModules + `<Proxy balancer://bal>
BalancerMember http://@A@/m
</Proxy>
ProxyPass /b http://@A@/m
ProxyPass /lb balancer://bal
ProxyPassMatch ^/ncm(.*)$ http://@A@/m$1 nocanon
ProxyPass /ncp http://@A@/m nocanon
RewriteEngine On
RewriteRule ^/x(.*)$ /b$1 [PT]
RewriteRule ^/y(.*)$ /b$1? [PT]
RewriteRule ^/z(.*)$ /lb$1
RewriteRule ^/w(.*)$ /b$1?k=v [QSA,PT]
`)
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	var reqs []string
	for _, path := range []string{
		"/x?", "/x/y?", "/x?a", "/y?", "/y?a", "/z?", "/z/q?", "/w?", "/w/q?",
		"/ncm?", "/ncm/a?", "/ncm/a?q", "/ncp?", "/ncp/a%20b?", "/ncp/a?q",
	} {
		reqs = append(reqs, "GET "+path+" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
	}
	p.compareEach(reqs, (*diffServer).proxyAnswer)
}
