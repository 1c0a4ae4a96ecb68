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

// remoteIPDocs are the documents of TestRemoteIP: a script that shows what
// CGI gets of the client (REMOTE_PORT only whether it is the peer's, whose
// ports differ), files behind Require ip and Deny from, the target of
// a rewrite on %{REMOTE_ADDR}, and a RemoteIPTrustedProxyList.
var remoteIPDocs = map[string]string{
	"bin/env.cgi": "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"REMOTE_ADDR=$REMOTE_ADDR\"\n" +
		"[ \"$REMOTE_PORT\" -gt 0 ] && echo 'REMOTE_PORT is the peer'\necho \"XFF=$HTTP_X_FORWARDED_FOR BY=$HTTP_X_FORWARDED_BY REAL=$HTTP_X_REAL_IP\"\n",
	"docs/only8/x.txt": "for 8.8.8.8\n",
	"docs/deny9/x.txt": "not for 9.9.9.9\n",
	"docs/yes.txt":     "rewritten for 8.8.8.8\n",
	"proxies.txt":      "# the CDN\n8.8.8.0/24 # its edge\n\n127.0.0.3\n",
}

// remoteIPConf: the main server names the headers; open.test (the default
// host) inherits them with no proxy list (every peer is a trusted proxy),
// list.test has an internal proxy and a trusted list, real.test a header of
// its own. Everything that shows the client is there: the access log (%a
// and %h, the peer's %{c}a and %{c}h), the error log's [client], CGI,
// Require ip, Deny from, rewrites on %{REMOTE_ADDR} and %{REMOTE_PORT} (0,
// the client's), ap_expr's CONN_REMOTE_ADDR and REMOTE_PORT (the peer's),
// SetEnvIf Remote_Addr, server-status, the note remoteip-proxy-ip-list (%{..}n); the headers as the handlers see them show in the CGI.
const remoteIPConf = `LoadModule remoteip_module ` + apacheModuleDir + `/mod_remoteip.so
LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@/docs
ScriptAlias /cgi-bin/ @DOCS@/bin/
ExtendedStatus On
RemoteIPHeader X-Forwarded-For
RemoteIPProxiesHeader X-Forwarded-By
LogFormat "%v %a %{c}a %h %{c}h \"%{X-Forwarded-For}i\" \"%{X-Forwarded-By}i\" \"%r\" %>s %{X-Eight}o %{X-Expr}o \"%{remoteip-proxy-ip-list}n\"" rip
CustomLog logs/access_log rip
SetEnvIf Remote_Addr ^8\.8\.8\.8$ EIGHT=1
Header always set X-Eight yes env=EIGHT
Header always set X-Expr peer "expr=%{CONN_REMOTE_ADDR} == '127.0.0.1' && %{REMOTE_ADDR} == '8.8.8.8' && %{REMOTE_PORT} != '0'"
<Directory @DOCS@>
    Require all granted
</Directory>
<Directory @DOCS@/docs>
    RewriteEngine On
    RewriteCond %{REMOTE_ADDR} ^8\.8\.8\.8$
    RewriteRule ^rw$ yes.txt [L]
    RewriteCond %{REMOTE_PORT} ^0$
    RewriteRule ^port0$ yes.txt [L]
</Directory>
<Location /only8>
    Require ip 8.8.8.8
</Location>
<Location /deny9>
    Order allow,deny
    Allow from all
    Deny from 9.9.9.9
</Location>
<Location /server-status>
    SetHandler server-status
</Location>
<VirtualHost 127.0.0.1:@P0@>
    ServerName open.test
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName list.test
    RemoteIPInternalProxy 127.0.0.2
    RemoteIPTrustedProxyList @DOCS@/proxies.txt
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName real.test
    RemoteIPHeader X-Real-IP
</VirtualHost>
`

// TestRemoteIP runs mod_remoteip beside apache2's on the same configuration
// and compares the answers, the access log and the client of the error
// log's lines, for clients that come from several loopback addresses
// (proxies listed or not) with several X-Forwarded-For chains.
func TestRemoteIP(t *testing.T) {
	p := startPair(t, 1, remoteIPConf, remoteIPDocs)
	must(t, os.Chmod(filepath.Join(p.apache.docs, "bin/env.cgi"), 0o755))
	cases := []struct {
		from, host string
		fields     []string
	}{
		{"", "open.test", []string{"X-Forwarded-For: 8.8.8.8"}},
		{"", "open.test", []string{"X-Forwarded-For: 10.0.0.1, 9.9.9.9"}},
		{"", "open.test", []string{"X-Forwarded-For: 8.8.8.8, 10.0.0.1"}},
		{"", "open.test", []string{"X-Forwarded-For: 9.9.9.9, junk, 8.8.8.8"}},
		{"", "open.test", []string{"X-Forwarded-For: 9.9.9.9", "X-Forwarded-For: 8.8.8.8 , 0x08080808"}},
		{"", "open.test", []string{"X-Forwarded-For: 1.1.1.1,, 8.8.8.8"}},
		{"", "open.test", []string{"X-Forwarded-For: 8.8.8.8:80"}},
		{"127.0.0.2", "list.test", []string{"X-Forwarded-For: 1.1.1.1, 10.0.0.2, 127.0.0.3"}},
		{"127.0.0.2", "list.test", []string{"X-Forwarded-For: 10.0.0.9"}},
		{"127.0.0.3", "list.test", []string{"X-Forwarded-For: 9.9.9.9, 8.8.8.8"}},
		{"127.0.0.3", "list.test", []string{"X-Forwarded-For: 10.0.0.1, 8.8.8.8"}},
		{"127.0.0.4", "list.test", []string{"X-Forwarded-For: 8.8.8.8"}},
		{"", "real.test", []string{"X-Forwarded-For: 8.8.8.8", "X-Real-IP: 2001:4860::1"}},
		{"", "real.test", []string{"X-Real-IP: 9.9.9.9"}},
	}
	var reqs []diffRequest
	for _, c := range cases {
		for _, path := range []string{"/cgi-bin/env.cgi", "/only8/x.txt", "/deny9/x.txt", "/rw", "/port0", "/nope"} {
			reqs = append(reqs, diffRequest{From: c.from, Raw: request("GET", path, c.host, "", c.fields...)})
		}
	}
	// server-status's Client column: the request asking shows its client.
	reqs = append(reqs, diffRequest{Raw: request("GET", "/server-status", "open.test", "", "X-Forwarded-For: 8.8.8.8"), Want: ">8.8.8.8<", NoBody: true})
	p.check(reqs)
	p.checkLogs("access_log")
	want, got := remoteIPClients(t, p.apache), remoteIPClients(t, p.ours)
	if len(want) == 0 {
		t.Error("apache2's error log has no line with a client")
	}
	if !slices.Equal(got, want) {
		t.Errorf("error log clients:\napache:\n  %s\nours:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	}
}

var clientField = regexp.MustCompile(`\[client ([^\]]*?):(\d+)\] (.*)$`)

// remoteIPClients are the client fields and messages of s's error log, the
// peer's own ports (which differ) written as "port", sorted.
func remoteIPClients(t *testing.T, s *diffServer) []string {
	var out []string
	for _, l := range s.logLines(t, "error_log") {
		m := clientField.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		port := m[2]
		if port != "0" {
			port = "port"
		}
		out = append(out, m[1]+":"+port+" "+m[3])
	}
	slices.Sort(out)
	return out
}

// remoteIPv6Conf lists an IPv6 internal proxy (the loopback) and an IPv6
// trusted network.
const remoteIPv6Conf = `LoadModule remoteip_module ` + apacheModuleDir + `/mod_remoteip.so
ServerName main.test
Listen [::1]:@P0@
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LogFormat "%a %{c}a %h \"%{X-Forwarded-For}i\" \"%{X-By}i\" %>s v6=%{X-V6}o" rip
CustomLog logs/access_log rip
RemoteIPHeader X-Forwarded-For
RemoteIPProxiesHeader X-By
RemoteIPInternalProxy ::1
RemoteIPTrustedProxy 2001:4860::/32
Header always set X-V6 "expr=%{IPV6}"
<Location /only8>
    Require ip 8.8.8.8 2001:4860::5
</Location>
<Location /v6rw>
    RewriteEngine On
    RewriteCond %{IPV6} ^on$
    RewriteRule .* - [F]
</Location>
`

// TestRemoteIPv6: an IPv6 peer, IPv6 entries (private ones: outside
// 2000::/3) and an IPv4-mapped one, beside apache2. ap_expr's %{IPV6} (the
// X-V6 header) is the peer's, mod_rewrite's (/v6rw forbids on) the client's.
func TestRemoteIPv6(t *testing.T) {
	p := startPair(t, 1, remoteIPv6Conf, map[string]string{"only8/x.txt": "x\n", "v6rw/x.txt": "v6\n"})
	var reqs []diffRequest
	for _, xff := range []string{"8.8.8.8", "10.0.0.1, fd00::1", "9.9.9.9, 2001:4860::5", "fc00::1, 2001:4860::5", "::ffff:10.1.1.1"} {
		for _, path := range []string{"/only8/x.txt", "/v6rw/x.txt"} {
			reqs = append(reqs, diffRequest{IP: "::1", Raw: request("GET", path, "main.test", "", "X-Forwarded-For: "+xff)})
		}
	}
	reqs = append(reqs, diffRequest{Raw: request("GET", "/only8/x.txt", "main.test", "", "X-Forwarded-For: 8.8.8.8")})
	reqs = append(reqs, diffRequest{Raw: request("GET", "/v6rw/x.txt", "main.test", "", "X-Forwarded-For: 2001:4860::5")})
	p.check(reqs)
	p.checkLogs("access_log")
}

// TestRemoteIPTrace: TRACE echoes the request's fields as mod_remoteip left
// them, as apache2's does: the X-Forwarded-For rest (or none) and the
// RemoteIPProxiesHeader it set over the client's (an added line spelled as
// configured, "x-by"), beside apache2.
func TestRemoteIPTrace(t *testing.T) {
	p := startPair(t, 1, `LoadModule remoteip_module `+apacheModuleDir+`/mod_remoteip.so
ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
TraceEnable On
RemoteIPHeader X-Forwarded-For
RemoteIPProxiesHeader x-by
`, map[string]string{"x.txt": "x\n"})
	p.check([]diffRequest{
		{Raw: request("TRACE", "/x.txt", "main.test", "", "X-Forwarded-For: 9.9.9.9, 8.8.8.8", "X-By: spoof", "Accept: */*")},
		{Raw: request("TRACE", "/x.txt", "main.test", "", "X-Forwarded-For: 8.8.8.8", "Accept: */*")},
		{Raw: request("TRACE", "/x.txt", "main.test", "", "x-forwarded-for: 9.9.9.9", "Accept: */*", "X-Forwarded-For: 8.8.8.8")},
		{Raw: request("TRACE", "/x.txt", "main.test", "", "X-Forwarded-For: junk", "X-By: spoof")},
	})
}

// TestRemoteIPVhostMerge: a virtual host's RemoteIP*Proxy entries come
// before the main server's, which it keeps (apache2 2.4.71 merges them and
// warns AH10633 at startup, naming the host's <VirtualHost> line).
func TestRemoteIPVhostMerge(t *testing.T) {
	p := startPair(t, 1, `LoadModule remoteip_module `+apacheModuleDir+`/mod_remoteip.so
ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
RemoteIPHeader X-Forwarded-For
RemoteIPInternalProxy 127.0.0.1
LogFormat "%v %a" t
CustomLog logs/access_log t
<VirtualHost 127.0.0.1:@P0@>
    ServerName first.test
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName trusted.test
    RemoteIPTrustedProxy 127.0.0.0/8
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName other.test
    RemoteIPTrustedProxy 10.9.9.9
</VirtualHost>
`, map[string]string{"x": "x"})
	var reqs []diffRequest
	for _, h := range []string{"first.test", "trusted.test", "other.test"} {
		reqs = append(reqs, diffRequest{Raw: request("GET", "/x", h, "", "X-Forwarded-For: 10.0.0.1")})
	}
	p.check(reqs)
	p.checkLogs("access_log")
	conf := filepath.Join(p.ours.root, "httpd.conf")
	b, err := os.ReadFile(conf)
	must(t, err)
	var at []string
	for i, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "<VirtualHost") {
			at = append(at, conf+":"+strconv.Itoa(i+1))
		}
	}
	// From the last host to the first, as apache2.
	want := regexp.MustCompile(`\[remoteip:warn\] \[pid \d+\] AH10633: RemoteIP proxy entries are configured in both the main server and the virtual host defined at ` +
		regexp.QuoteMeta(at[2]) + `, they are merged\n.*\[remoteip:warn\] \[pid \d+\] AH10633: RemoteIP proxy entries are configured in both the main server and the virtual host defined at ` +
		regexp.QuoteMeta(at[1]) + `, they are merged\n`)
	if log := p.ours.srv.ErrorLog(); !want.MatchString(log) || strings.Contains(log, at[0]) {
		t.Errorf("the error log lacks apache2's AH10633 warnings for %s and %s (only):\n%s", at[2], at[1], log)
	}
}

// TestRemoteIPListUnreadable: a RemoteIP*ProxyList file only root may read
// (0600), with a host name in it, serves as apache2's: the parent reads the
// lists and looks the names up, as root, once; the children (User nobody
// when the test runs as root) never open the file. An empty list is no list.
func TestRemoteIPListUnreadable(t *testing.T) {
	dir := t.TempDir()
	list, empty := filepath.Join(dir, "proxies.txt"), filepath.Join(dir, "empty.txt")
	must(t, os.WriteFile(list, []byte("# ours\n127.0.0.2 localhost\n"), 0o600))
	must(t, os.WriteFile(empty, nil, 0o600))
	conf := `LoadModule remoteip_module ` + apacheModuleDir + `/mod_remoteip.so
ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
RemoteIPHeader X-Forwarded-For
RemoteIPProxiesHeader X-By
RemoteIPInternalProxyList ` + list + `
LogFormat "%v %a \"%{X-Forwarded-For}i\"" t
SetEnvIf Request_URI poll$ nolog
CustomLog logs/access_log t env=!nolog
<Location /only10>
    Require ip 10.0.0.1
</Location>
<VirtualHost 127.0.0.1:@P0@>
    ServerName first.test
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName empty.test
    RemoteIPTrustedProxyList ` + empty + `
</VirtualHost>
`
	p := startPair(t, 1, conf, map[string]string{"x": "x", "only10/x": "10", "only10/poll": "10"})
	var reqs []diffRequest
	for _, from := range []string{"", "127.0.0.2", "127.0.0.3"} {
		for _, h := range []string{"first.test", "empty.test"} {
			reqs = append(reqs, diffRequest{From: from, Raw: request("GET", "/x", h, "", "X-Forwarded-For: 8.8.8.8, 10.0.0.1")})
		}
	}
	p.check(reqs)
	// A graceful restart reads the list again: 127.0.0.3 becomes the
	// internal proxy that hands over 10.0.0.1.
	must(t, os.WriteFile(list, []byte("127.0.0.3\n"), 0o600))
	only10 := request("GET", "/only10/x", "first.test", "", "X-Forwarded-For: 10.0.0.1")
	p.reload(conf, func(s *diffServer) bool { // its polls are not logged
		as := s.askFrom(t, "127.0.0.3", "127.0.0.1", 0, request("GET", "/only10/poll", "first.test", "", "X-Forwarded-For: 10.0.0.1"))
		return len(as) == 1 && as[0].Status == 200
	})
	p.check([]diffRequest{{From: "127.0.0.3", Raw: only10}, {From: "127.0.0.2", Raw: only10}})
	p.checkLogs("access_log")
}
