package e2e_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// balancerManagerConf is a balancer of two backends (@A@ route a, @B@
// route b) with a balancer-manager, served by several prefork children
// that log their pid.
const balancerManagerConf = preforkChildren + balancerModules + `LoadModule lbmethod_bybusyness_module /usr/lib/apache2/modules/mod_lbmethod_bybusyness.so
LoadModule lbmethod_bytraffic_module /usr/lib/apache2/modules/mod_lbmethod_bytraffic.so
LogFormat "%P %U" pids
CustomLog logs/pids pids
<Proxy balancer://app>
    BalancerMember http://@A@ route=a
    BalancerMember http://@B@ route=b
    ProxySet stickysession=ROUTEID
</Proxy>
ProxyPass /app/ balancer://app/
<Location "/balancer-manager">
    SetHandler balancer-manager
    Require ip 127.0.0.1
</Location>
`

// managerNormal replaces what must differ between two servers' pages:
// the nonces, the balancer's safe name (a hash), the version lines and
// the bytes moved (apache2 counts the request's and answer's, we the
// backend connection's).
var managerNormal = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "NONCE"},
	{regexp.MustCompile(`\[p[0-9a-f]+_`), "[pHASH_"},
	{regexp.MustCompile(`(Server Version|Server Built): [^<]*`), "$1: X"},
	{regexp.MustCompile(`<td>[^<]*</td><td>[^<]*</td></tr>\n`), "<td>TO</td><td>FROM</td></tr>\n"},
}

// lbmethodOptions are the lbmethods of the balancer form, in the order of
// apache2's provider table, which differs from process to process.
var lbmethodOptions = regexp.MustCompile(`(<option value='[a-z]+'( selected )?>[a-z]+\n)+`)

// managerNormalize is a manager page with managerNormal's replacements and
// the lbmethods sorted.
func managerNormalize(body string) string {
	for _, n := range managerNormal {
		body = n.re.ReplaceAllString(body, n.with)
	}
	return lbmethodOptions.ReplaceAllStringFunc(body, func(options string) string {
		lines := strings.SplitAfter(options, "\n")
		slices.Sort(lines)
		return strings.Join(lines, "")
	})
}

// TestBalancerManager: balancer-manager's page and its member edits,
// compared with apache2 2.4.71 under prefork. The page (and the edit form)
// is apache2's but for the nonce, the balancer's safe name, the version
// lines and the bytes counted; an edit needs the balancer's nonce and a
// Referer of the server's name, else it changes nothing; a member
// disabled by a request to one child is never elected by any child,
// enabled again it is; a draining member serves only its sticky
// requests; the load factor and route are set.
func TestBalancerManager(t *testing.T) {
	a, b := balancerBackend(t, "A"), balancerBackend(t, "B")
	conf := strings.NewReplacer("@A@", a, "@B@", b).Replace(balancerManagerConf)
	p := startPairMPM(t, "prefork", 1, conf, map[string]string{"index.html": "local\n"})
	const referer = "Referer: http://main.test/balancer-manager\r\n"

	normal := func(status int, body string) string { return strconv.Itoa(status) + "\n" + managerNormalize(body) }
	// page asks for the manager's page (query added to its path, header
	// lines extra) and returns its status, type and normalized body.
	page := func(s *diffServer, query, extra string) string {
		as := s.ask(t, "127.0.0.1", 0, "GET /balancer-manager"+query+" HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n"+extra+"\r\n")
		if len(as) != 1 {
			return as.String()
		}
		return as[0].ContentType + " " + normal(as[0].Status, as[0].Body)
	}
	nonce := func(s *diffServer) string {
		as := s.ask(t, "127.0.0.1", 0, "GET /balancer-manager HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
		if len(as) != 1 {
			t.Fatalf("%s: %s", s.name, as)
		}
		n := managerNormal[0].re.FindString(as[0].Body)
		if n == "" {
			t.Fatalf("%s: no nonce in the page:\n%s", s.name, as[0].Body)
		}
		return n
	}
	// send posts the form for balancer app (NONCE replaced with its nonce).
	send := func(s *diffServer, form, extra string) answers {
		form = "b=app&" + strings.ReplaceAll(form, "NONCE", nonce(s))
		return s.ask(t, "127.0.0.1", 0, "POST /balancer-manager HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n"+extra+
			"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "+strconv.Itoa(len(form))+"\r\n\r\n"+form)
	}
	// post sends a member edit for @A@ and returns the members' route,
	// route redirect, factor and status in the page that follows.
	post := func(s *diffServer, form, extra string) string {
		as := send(s, "w=http://"+a+"&"+form, extra)
		if len(as) != 1 {
			return as.String()
		}
		rows := regexp.MustCompile(`<td>([^<]*)</td><td>([^<]*)</td><td>([0-9.]+)</td><td>[0-9]+</td><td>([^<]*)</td>`).FindAllStringSubmatch(as[0].Body, -1)
		var out []string
		for _, r := range rows {
			out = append(out, strings.Join(r[1:], ","))
		}
		return strconv.Itoa(as[0].Status) + " " + strings.Join(out, " ; ")
	}
	const initial = "200 a,,1.00,Init Ok  ; b,,1.00,Init Ok "
	steps := []diffStep{
		{"page", func(s *diffServer) string { return page(s, "", "") }, func(got string) bool {
			return strings.Contains(got, "<td>a</td><td></td><td>1.00</td><td>0</td><td>Init Ok </td>") &&
				strings.Contains(got, "<h3>LoadBalancer Status for <a href=\"/balancer-manager?b=app&amp;nonce=NONCE\">balancer://app</a>")
		}},
		{"xml", func(s *diffServer) string { return page(s, "?xml=1", referer) }, func(got string) bool {
			return strings.Contains(got, "<httpd:status>Init Ok </httpd:status>")
		}},
		{"wrong nonce", func(s *diffServer) string { return post(s, "nonce=0&w_status_D=1", referer) },
			func(got string) bool { return got == initial }},
		{"no referer", func(s *diffServer) string { return post(s, "nonce=NONCE&w_status_D=1", "") },
			func(got string) bool { return got == initial }},
		{"other site's referer", func(s *diffServer) string {
			return post(s, "nonce=NONCE&w_status_D=1", "Referer: http://evil.test/\r\n")
		},
			func(got string) bool { return got == initial }},
		{"both elected", func(s *diffServer) string { return spreadGet(t, s, "", "/app/on0", "/app/on1", "/app/on2", "/app/on3") },
			func(got string) bool { return strings.Count(got, "200 A") == 2 && strings.Count(got, "200 B") == 2 }},
		{"disable", func(s *diffServer) string { return post(s, "nonce=NONCE&w_status_D=1", referer) },
			func(got string) bool { return got == "200 a,,1.00,Init Dis  ; b,,1.00,Init Ok " }},
		{"disabled never elected", func(s *diffServer) string {
			return spreadGet(t, s, "", "/app/off0", "/app/off1", "/app/off2", "/app/off3", "/app/off4", "/app/off5")
		}, func(got string) bool { return strings.Count(got, "200 B") == 6 }},
		{"disabled, sticky", func(s *diffServer) string {
			return spreadGet(t, s, "Cookie: ROUTEID=x.a\r\n", "/app/soff0", "/app/soff1", "/app/soff2")
		}, func(got string) bool { return strings.Count(got, "200 B") == 3 }},
		{"enable", func(s *diffServer) string { return post(s, "nonce=NONCE&w_status_D=0", referer) },
			func(got string) bool { return got == initial }},
		{"enabled elected", func(s *diffServer) string {
			return spreadGet(t, s, "", "/app/again0", "/app/again1", "/app/again2", "/app/again3")
		}, func(got string) bool { return strings.Count(got, "200 A") == 2 }},
		{"drain", func(s *diffServer) string { return post(s, "nonce=NONCE&w_status_N=1", referer) },
			func(got string) bool { return got == "200 a,,1.00,Init Drn Ok  ; b,,1.00,Init Ok " }},
		{"draining, not sticky", func(s *diffServer) string {
			return spreadGet(t, s, "", "/app/drain0", "/app/drain1", "/app/drain2", "/app/drain3")
		}, func(got string) bool { return strings.Count(got, "200 B") == 4 }},
		{"draining, sticky", func(s *diffServer) string {
			return spreadGet(t, s, "Cookie: ROUTEID=x.a\r\n", "/app/sdrain0", "/app/sdrain1", "/app/sdrain2")
		}, func(got string) bool { return strings.Count(got, "200 A") == 3 }},
		{"edit form", func(s *diffServer) string {
			return page(s, "?b=app&w=http://"+a+"&nonce="+nonce(s), referer)
		}, func(got string) bool {
			return strings.Contains(got, "<h3>Edit worker settings for http://"+a+"</h3>") &&
				strings.Contains(got, "<input name='w_status_N' id='w_status_N1' value='1' type=radio checked>")
		}},
		{"flags, factor, route", func(s *diffServer) string {
			var out []string
			for _, form := range []string{"w_status_N=0&w_status_H=1", "w_status_H=0&w_status_S=1", "w_status_S=0&w_status_I=1",
				"w_status_I=0&w_status_R=1", "w_status_R=0&w_lf=2.5&w_wr=zz&w_rr=yy&w_ls=3"} {
				out = append(out, post(s, "nonce=NONCE&"+form, referer))
			}
			return strings.Join(out, "\n")
		}, func(got string) bool {
			return strings.Contains(got, "Init Stby Ok ") && strings.Contains(got, "Init Stop ") && strings.HasSuffix(got, "200 zz,yy,2.50,Init Ok  ; b,,1.00,Init Ok ")
		}},
		{"new route", func(s *diffServer) string {
			return spreadGet(t, s, "Cookie: ROUTEID=x.zz\r\n", "/app/zz0", "/app/zz1", "/app/zz2")
		}, func(got string) bool { return strings.Count(got, "200 A") == 3 }},
		{"page after", func(s *diffServer) string { return page(s, "", "") }, func(got string) bool {
			return strings.Contains(got, "<td>zz</td><td>yy</td><td>2.50</td><td>3</td><td>Init Ok </td>")
		}},
		{"route redirect", func(s *diffServer) string {
			return post(s, "nonce=NONCE&w_status_D=1&w_rr=b", referer) + " | " +
				spreadGet(t, s, "Cookie: ROUTEID=x.zz\r\n", "/app/rr0", "/app/rr1", "/app/rr2") + " | " +
				post(s, "nonce=NONCE&w_status_D=0&w_rr=", referer)
		}, func(got string) bool { return strings.Count(got, "200 B") == 3 }},
		{"balancer form", func(s *diffServer) string { return page(s, "?b=app&nonce="+nonce(s), referer) }, func(got string) bool {
			return strings.Contains(got, "<h3>Edit balancer settings for balancer://app</h3>")
		}},
		{"balancer settings", func(s *diffServer) string {
			as := send(s, "nonce=NONCE&b_lbm=bytraffic&b_tmo=5&b_max=0&b_sforce=1&b_ss=JSESSIONID|jsessionid", referer)
			if len(as) != 1 {
				return as.String()
			}
			return normal(as[0].Status, as[0].Body) + page(s, "?b=app&nonce="+nonce(s), referer)
		}, func(got string) bool {
			return strings.Contains(got, "<td>JSESSIONID|jsessionid</td><td>On</td>\n<td>5</td><td>0</td>\n<td>bytraffic</td>")
		}},
		{"xml stickysession", func(s *diffServer) string { return page(s, "?xml=1", referer) }, func(got string) bool {
			return strings.Contains(got, "<httpd:stickysession>JSESSIONID</httpd:stickysession>")
		}},
		{"new sticky session, no failover", func(s *diffServer) string {
			return post(s, "nonce=NONCE&w_status_D=1", referer) + " | " +
				spreadGet(t, s, "Cookie: JSESSIONID=x.zz\r\n", "/app/nf0", "/app/nf1") + " | " +
				spreadGet(t, s, "", "/app/jsessionid=x.zz", "/app/nf3")
		}, func(got string) bool { return strings.Count(got, "503") == 3 && strings.Count(got, "200 B") == 1 }},
		{"sticky session deleted", func(s *diffServer) string {
			as := send(s, "nonce=NONCE&b_ss=-&b_lbm=byrequests", referer)
			if len(as) != 1 {
				return as.String()
			}
			return normal(as[0].Status, as[0].Body)
		}, func(got string) bool { return strings.Contains(got, "<td> (None) </td><td>On</td>") }},
		// atoi and atof read the numbers' prefixes.
		{"numbers with a suffix", func(s *diffServer) string {
			as := send(s, "nonce=NONCE&b_tmo=10s&b_max=2x", referer)
			if len(as) != 1 {
				return as.String()
			}
			return normal(as[0].Status, as[0].Body) + post(s, "nonce=NONCE&w_lf=3.5x&w_ls=2s", referer)
		}, func(got string) bool {
			return strings.Contains(got, "<td>10</td><td>2</td>") && strings.Contains(got, ",3.50,")
		}},
		{"member page with a suffixed lbset", func(s *diffServer) string { return page(s, "", "") }, func(got string) bool {
			return strings.Contains(got, "<td>3.50</td><td>2</td>")
		}},
		// ap_escape_html: &quot; and a ' as it is.
		{"escaped route", func(s *diffServer) string {
			return post(s, "nonce=NONCE&w_wr=q%22%27z%3C", referer) + " | " + page(s, "?b=app&w=http://"+a+"&nonce="+nonce(s), referer)
		}, func(got string) bool {
			return strings.Contains(got, "q&quot;'z&lt;,") && strings.Contains(got, `value="q&quot;'z&lt;"`)
		}},
	}
	p.runSteps(steps)
	// Both log the cross-site request whose parameters they ignored.
	for _, s := range []*diffServer{p.apache, p.ours} {
		log, err := os.ReadFile(filepath.Join(s.root, "logs/error_log"))
		must(t, err)
		if !strings.Contains(string(log), "AH10187: ignoring params in balancer-manager cross-site access http://evil.test/: main.test") {
			t.Errorf("%s: no AH10187 for http://evil.test/ in the error log:\n%s", s.name, log)
		}
		// Even a plain GET without a Referer is logged (apache2's
		// apr_table_elts is never NULL), at level error.
		if !regexp.MustCompile(`\[proxy_balancer:error\] .*AH10187: ignoring params in balancer-manager cross-site access \(null\): main.test\n`).Match(log) {
			t.Errorf("%s: no AH10187 for a request without a Referer in the error log:\n%s", s.name, log)
		}
	}
	// The requests after the edits were served by three children.
	for _, prefix := range []string{"/app/off", "/app/drain"} {
		if n := len(pidsServing(t, p.ours, prefix)); n != 3 {
			t.Errorf("%d children served %s, want 3", n, prefix)
		}
	}
}

// balancerNonceConf has a balancer whose nonce is None and one whose nonce
// is set, one whose first member refuses (@D@), a virtual host that
// inherits nothing, and a virtual host with a balancer of its own that inherits the
// main server's.
const balancerNonceConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
` + balancerModules + `<Proxy balancer://none>
    BalancerMember http://@A@ loadfactor=2 lbset=1 redirect=x
    ProxySet nonce=None timeout=7 maxattempts=3 nofailover=On
</Proxy>
<Proxy balancer://fixed>
    BalancerMember http://@A@ status=+D
    BalancerMember http://@B@/sub/ status=+I
    ProxySet nonce=0123456789 lbmethod=byrequests
</Proxy>
<Proxy balancer://dead>
    BalancerMember http://@D@
    BalancerMember http://@A@
</Proxy>
ProxyPass /dead/ balancer://dead/
<Location "/balancer-manager">
    SetHandler balancer-manager
</Location>
<VirtualHost *:@P0@>
    ServerName vh.test
    <Proxy balancer://own>
        BalancerMember http://@B@ route=r1
    </Proxy>
    ProxyPass /own/ balancer://own/
    <Location "/vmanager">
        SetHandler balancer-manager
    </Location>
</VirtualHost>
<VirtualHost *:@P0@>
    ServerName off.test
    BalancerInherit Off
    ProxyPassInherit Off
    <Location "/offmanager">
        SetHandler balancer-manager
    </Location>
</VirtualHost>
`

// TestBalancerManagerNonce, compared with apache2 2.4.71: a balancer with
// nonce=None shows an empty nonce and takes no edit (none matches), one
// with nonce=VALUE shows it and takes edits with it; a GET's query edits
// nothing (only b, w, nonce and xml are read from it); a virtual host's
// manager shows the balancers it inherits and its own (none for one
// that inherits nothing, though the main server's ProxyPass lines to
// them apply there); ProxySet's
// timeout, maxattempts and nofailover and the members' lbset, redirect
// and status are shown; a member that refused is shown in error.
func TestBalancerManagerNonce(t *testing.T) {
	a, b := balancerBackend(t, "A"), balancerBackend(t, "B")
	dead := "127.0.0.1:" + strconv.Itoa(freePorts(t, 1)[0])
	conf := strings.NewReplacer("@A@", a, "@B@", b, "@D@", dead).Replace(balancerNonceConf)
	p := startPairMPM(t, "prefork", 1, conf, map[string]string{"index.html": "local\n"})
	ask := func(s *diffServer, req string) string {
		as := s.ask(t, "127.0.0.1", 0, req)
		if len(as) != 1 {
			return as.String()
		}
		return strconv.Itoa(as[0].Status) + "\n" + managerNormalize(as[0].Body)
	}
	get := func(host, path string) func(s *diffServer) string {
		return func(s *diffServer) string {
			return ask(s, "GET "+path+" HTTP/1.1\r\nHost: "+host+"\r\nReferer: http://"+host+"/\r\nConnection: close\r\n\r\n")
		}
	}
	post := func(form string) func(s *diffServer) string {
		return func(s *diffServer) string {
			return ask(s, "POST /balancer-manager HTTP/1.1\r\nHost: main.test\r\nReferer: http://main.test/\r\nConnection: close\r\n"+
				"Content-Length: "+strconv.Itoa(len(form))+"\r\n\r\n"+form)
		}
	}
	for _, st := range []struct {
		name string
		run  func(s *diffServer) string
		want []string
	}{
		{"page", get("main.test", "/balancer-manager"), []string{"?b=none&amp;nonce=\">", "?b=fixed&amp;nonce=0123456789\">",
			"<td>Init Dis </td>", "<td>Init Ign Ok </td>", "<td>On</td>\n<td>7</td><td>3</td>"}},
		{"none: no edit", post("b=none&w=http://" + a + "&nonce=&w_status_D=1"), []string{"<td>2.00</td><td>1</td><td>Init Ok </td>"}},
		{"none: no edit without nonce", post("b=none&w=http://" + a + "&w_status_D=1"), []string{"<td>2.00</td><td>1</td><td>Init Ok </td>"}},
		{"fixed: edit", post("b=fixed&w=http://" + a + "&nonce=0123456789&w_status_D=0"), []string{"<td>1.00</td><td>0</td><td>Init Ok </td>"}},
		{"member with a path", post("b=fixed&w=http://" + b + "/sub/&nonce=0123456789&w_status_I=0"), []string{"<td>1.00</td><td>0</td><td>Init Ok </td><td>"}},
		{"GET edits nothing", get("main.test", "/balancer-manager?b=fixed&w=http://"+a+"&nonce=0123456789&w_status_D=1"), []string{"<h3>Edit worker settings for http://" + a + "</h3>"}},
		{"xml", get("main.test", "/balancer-manager?xml=1"), []string{"<httpd:nonce></httpd:nonce>", "<httpd:nonce>0123456789</httpd:nonce>"}},
		{"member in error", func(s *diffServer) string {
			return ask(s, "GET /dead/x HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n") + get("main.test", "/balancer-manager")(s)
		}, []string{"A GET /x", "http://" + dead + "</a></td><td></td><td></td><td>1.00</td><td>0</td><td>Init Err </td><td>1</td>"}},
		{"PUT", func(s *diffServer) string {
			return ask(s, "PUT /balancer-manager HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
		}, []string{"405"}},
		{"OPTIONS", func(s *diffServer) string {
			return ask(s, "OPTIONS /balancer-manager HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
		}, []string{"200"}},
		{"virtual host that inherits nothing", get("off.test", "/offmanager"), []string{"are NOT inherited", "</dl>\n<hr />\n</body>"}},
		{"virtual host", get("vh.test", "/vmanager"), []string{"balancer://none", "balancer://own", "<td>r1</td>"}},
	} {
		want, got := st.run(p.apache), st.run(p.ours)
		ok := got == want
		for _, w := range st.want {
			ok = ok && strings.Contains(got, w)
		}
		if !ok {
			t.Errorf("%s:\n apache: %s\n ours:   %s", st.name, want, got)
		} else {
			t.Logf("%s: both %s", st.name, got)
		}
	}
}

// balancerIncludeConf has a balancer in a <Proxy> section of the main
// file before an Include whose ProxyPass defines another.
const balancerIncludeConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
` + balancerModules + `<Proxy balancer://first>
    BalancerMember http://@A@
</Proxy>
Include @DOCS@/extra.conf
<Location "/balancer-manager">
    SetHandler balancer-manager
</Location>
`

// TestBalancerManagerIncludeOrder, compared with apache2 2.4.71: the
// manager lists the balancers in the order their lines are read, an
// included file's where the Include is.
func TestBalancerManagerIncludeOrder(t *testing.T) {
	a, b := balancerBackend(t, "A"), balancerBackend(t, "B")
	conf := strings.NewReplacer("@A@", a).Replace(balancerIncludeConf)
	extra := "ProxyPass /second/ balancer://second/\nBalancerMember balancer://second http://" + b + "\n"
	p := startPairMPM(t, "prefork", 1, conf, map[string]string{"index.html": "local\n", "extra.conf": extra})
	order := func(s *diffServer) string {
		as := s.ask(t, "127.0.0.1", 0, "GET /balancer-manager HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
		if len(as) != 1 {
			return as.String()
		}
		var names []string
		for _, m := range regexp.MustCompile(`>(balancer://[a-z]+)</a>`).FindAllStringSubmatch(as[0].Body, -1) {
			names = append(names, m[1])
		}
		return strconv.Itoa(as[0].Status) + " " + strings.Join(names, " ")
	}
	p.runSteps([]diffStep{{"order", order, func(got string) bool { return got == "200 balancer://first balancer://second" }}})
}
