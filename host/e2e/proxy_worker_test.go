package e2e_test

import "testing"

// TestProxyWorkerNames: a worker is named by its line's URL, as apache2
// 2.4's ap_proxy_define_worker: two lines to one backend host:port whose
// URLs neither prefixes make two workers, each with its own parameters
// (ours kept one worker per host:port, the first line's, so a <Location>'s
// disablereuse=On next to a top-level line's worker was ignored); a line
// whose URL an earlier worker's name prefixes shares that worker and its
// parameters are ignored (here its disablereuse=On: the connections are
// kept). The sharing follows the lines' order in the file: a <Location>
// line before a top-level one whose URL it starts gives it its worker
// (disablereuse=On here).
func TestProxyWorkerNames(t *testing.T) {
	b1 := newReuseBackend(t)
	b2 := newReuseBackend(t)
	b3 := newReuseBackend(t)
	conf := proxyHTTPModules + mainSite + `<Location /loc3/>
	ProxyPass http://` + b3.addr + `/ disablereuse=On
</Location>
ProxyPass /t3/ http://` + b3.addr + `/a/
ProxyPass /top/ http://` + b1.addr + `/a/
<Location /loc/>
	ProxyPass http://` + b1.addr + `/b/ disablereuse=On
</Location>
ProxyPass /t2/ http://` + b2.addr + `/a/
ProxyPass /t2off/ http://` + b2.addr + `/b/ disablereuse=On
ProxyPass /t2sub/ http://` + b2.addr + `/a/sub/ disablereuse=On
`
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	for _, c := range []struct {
		b    *reuseBackend
		path string
	}{{b1, "/top/x"}, {b1, "/loc/x"}, {b2, "/t2/x"}, {b2, "/t2off/x"}, {b2, "/t2sub/x"}, {b3, "/t3/x"}, {b3, "/loc3/x"}} {
		compareReuse(t, p, c.b, c.path, 6)
	}
}

// TestProxyWorkerTimeout: a backend answering after 3.2 s, reached by a
// top-level line with timeout=2 and by <Location> lines to other paths of
// it, without a timeout and with timeout=10: apache2 answers those two
// (their own workers, the server's Timeout and 10 s; ours took the
// top-level line's worker and its 2 s, a 502), and a 502 for a line whose
// URL the top-level one's prefixes (it shares that worker; its timeout=10
// is ignored).
func TestProxyWorkerTimeout(t *testing.T) {
	be := slowHeadBackend(t)
	conf := proxyHTTPModules + mainSite + `ProxyPass /top/ http://` + be + `/a/ timeout=2
<Location /loc/>
	ProxyPass http://` + be + `/b/
</Location>
<Location /loc10/>
	ProxyPass http://` + be + `/c/ timeout=10
</Location>
ProxyPass /sub/ http://` + be + `/a/sub/ timeout=10
`
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	var reqs []string
	for _, path := range []string{"/loc/late", "/loc10/late", "/sub/late"} {
		reqs = append(reqs, "GET "+path+" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
	}
	p.compareEach(reqs, (*diffServer).statusAnswer)
}
