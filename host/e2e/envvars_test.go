package e2e_test

import (
	"strings"
	"testing"
	"time"
)

// envConf: mod_env and mod_setenvif at the server, a <Directory> and a
// <Location>, and what the variables change: Header env= and %{VAR}e,
// CustomLog env=[!]VAR and %{VAR}e, nokeepalive, downgrade-1.0 and
// force-response-1.0; a virtual host's lines after the main server's.
const envConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
KeepAlive On
LogFormat "%>s %m %U agent=%{agent}e mobile=%{Mobile}e ref=%{ref}e path=%{path}e order=%{order}e set=%{fromset}e loc=%{locvar}e sub=%{subvar}e" envfmt
CustomLog logs/env_log envfmt
CustomLog logs/only_log "%m %U" env=logme
CustomLog logs/not_log "%m %U" env=!logme
BrowserMatch "^Mozilla/([0-9])" agent=moz$1 mobile
BrowserMatchNoCase phone Mobile=yes
SetEnvIf Request_URI "^/(a|sub)/(.*)\.txt$" path=$2
SetEnvIf Request_Method HEAD logme
SetEnvIf X-Ref "^(a)(b)?" ref=$2$1
SetEnvIf X-Order . order=first
SetEnvIf X-Order two order=second
SetEnvIf agent moz5 chain
SetEnvIf ^X-Re[g]. val regname
SetEnvIf Remote_Addr "^127\.0\.0\.1$" local
SetEnvIf Server_Addr 127 saddr=$0
SetEnvIf Request_Protocol HTTP/1.0 old
SetEnvIf X-Drop . !mobile
SetEnv fromset server
SetEnv mobile fromsetenv
Header set X-Agent "%{agent}e" env=agent
Header set X-Not-Mobile 1 env=!mobile
Header always set X-Chain "%{chain}e" env=chain
Header set X-Local yes env=local
Header set X-Regname yes env=regname
Header set X-Saddr "%{saddr}e" env=saddr
Header set X-Old yes env=old
Header set X-Fromset "%{fromset}e"
Header always set X-Mob "%{mobile}e"
SetEnvIf Request_URI "^/nokeep" nokeepalive
SetEnvIf Request_URI "force" force-response-1.0
SetEnvIf Request_URI "^/down" downgrade-1.0
<Location /loc>
    SetEnvIf Request_URI "^/loc/(.*)$" locvar=$1
    SetEnv fromset loc
    Header set X-Locvar "%{locvar}e"
</Location>
<Directory @DOCS@/sub>
    SetEnvIf Request_URI sub subvar
    UnsetEnv mobile
    Header set X-Sub "%{subvar}e" env=subvar
</Directory>
<VirtualHost 127.0.0.1:@P0@>
    ServerName v.test
    DocumentRoot @DOCS@
    SetEnvIf X-Order . order=vhost
    SetEnv fromset vhost
    Header set X-Order "%{order}e"
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName main.test
    DocumentRoot @DOCS@
</VirtualHost>
`

// TestEnvVars: the variables mod_env and mod_setenvif set, as apache2 sets
// them (back references, later lines over earlier ones, the attributes
// and a previous variable, BrowserMatch on a User-Agent, per-directory
// lines) and as the headers, the access logs and the connection see them.
func TestEnvVars(t *testing.T) {
	docs := map[string]string{
		"a/x.txt":       "x\n",
		"sub/s.txt":     "s\n",
		"loc/l.txt":     "l\n",
		"nokeep.txt":    "n\n",
		"force.txt":     "f\n",
		"down/d.txt":    "d\n",
		"downforce.txt": "df\n",
	}
	p := startPair(t, 1, envConf, docs)
	req := func(method, path, proto string, fields ...string) string {
		return method + " " + path + " " + proto + "\r\nHost: main.test\r\n" + strings.Join(fields, "") + "Connection: close\r\n\r\n"
	}
	p.compareEach([]string{
		req("GET", "/a/x.txt", "HTTP/1.1"),
		req("GET", "/a/x.txt", "HTTP/1.1", "User-Agent: Mozilla/5.0 (Phone)\r\n"),
		req("GET", "/a/x.txt", "HTTP/1.1", "User-Agent: Mozilla/4.0\r\n", "X-Ref: ab\r\n", "X-Order: one two\r\n"),
		req("GET", "/a/x.txt", "HTTP/1.1", "X-Ref: ax\r\n", "X-Order: one\r\n", "X-Regx: a val b\r\n"),
		req("HEAD", "/a/x.txt", "HTTP/1.0", "User-Agent: mozilla/5.0 PHONE\r\n", "X-Drop: 1\r\n"),
		req("GET", "/sub/s.txt", "HTTP/1.1", "User-Agent: Mozilla/5.0\r\n"),
		req("GET", "/loc/l.txt", "HTTP/1.1"),
		req("GET", "/loc/missing", "HTTP/1.1", "User-Agent: Mozilla/5.0\r\n"),
		req("GET", "/force.txt", "HTTP/1.1"),
		"GET /a/x.txt HTTP/1.1\r\nHost: v.test\r\nX-Order: one two\r\nConnection: close\r\n\r\n",
		"GET /loc/l.txt HTTP/1.1\r\nHost: v.test\r\nUser-Agent: Mozilla/3\r\nConnection: close\r\n\r\n",
	}, (*diffServer).headerAnswer)
	// The status line: force-response-1.0 answers an HTTP/1.0 request (or
	// one downgrade-1.0 made so) with "HTTP/1.0"; an HTTP/1.1 request keeps
	// "HTTP/1.1".
	for _, r := range []string{
		req("GET", "/force.txt", "HTTP/1.0"),
		req("GET", "/force.txt", "HTTP/1.1"),
		req("GET", "/downforce.txt", "HTTP/1.1"),
		req("GET", "/a/x.txt", "HTTP/1.0"),
	} {
		want, got := p.apache.statusLine(t, r), p.ours.statusLine(t, r)
		if got != want {
			t.Errorf("%q: status line: apache %q, ours %q", r, want, got)
		}
	}
	// nokeepalive closes after the answer; downgrade-1.0 keeps the
	// connection only for a client that asks with Connection: keep-alive.
	two := func(path, fields string) string {
		return "GET " + path + " HTTP/1.1\r\nHost: main.test\r\n" + fields + "\r\n" + get("/a/x.txt", "main.test")
	}
	p.check([]diffRequest{
		{Raw: two("/nokeep.txt", ""), Connection: true},
		{Raw: two("/nokeep.txt", "Via: 1.1 proxy\r\n"), Connection: true},
		{Raw: two("/a/x.txt", ""), Connection: true},
		{Raw: two("/down/d.txt", ""), Connection: true},
		{Raw: two("/down/d.txt", "Connection: keep-alive\r\n"), Connection: true},
	})
	p.checkLogs("env_log", "only_log", "not_log")
}

// statusLine is the first line of s's answer to req.
func (s *diffServer) statusLine(t *testing.T, req string) string {
	t.Helper()
	raw, _ := s.exchange(t, "127.0.0.1", 0, req, 10*time.Second)
	line, _, _ := strings.Cut(raw.String(), "\r\n")
	return line
}
