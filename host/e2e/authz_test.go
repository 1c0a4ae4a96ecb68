package e2e_test

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// authzConf gives each directory of the documents its own access rules: every
// Require provider a loopback client can tell apart (127.0.0.1, 127.0.0.2 and
// 127.0.0.3 as source addresses), nested <RequireAll>/<RequireAny>/<RequireNone>,
// the merge of sections with and without AuthMerging, <Files> and <Location>, and
// mod_access_compat's Order/Allow/Deny with Satisfy, <Limit>/<LimitExcept>, and
// Require env and env= with SetEnvIf's variables.
const authzConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory />
    Require all denied
</Directory>
<Directory @DOCS@>
    Require all granted
</Directory>
<Directory @DOCS@/ip>
    Require ip 127.0.0.1
</Directory>
<Directory @DOCS@/nets>
    Require ip 10.1 127.0.0.2/32 ::1 fe80::/10
    Require ip 127.0.0.0/255.255.255.254
</Directory>
<Directory @DOCS@/notip>
    <RequireAll>
        Require all granted
        Require not ip 127.0.0.2
    </RequireAll>
</Directory>
<Directory @DOCS@/nested>
    <RequireAll>
        Require local
        <RequireNone>
            Require ip 127.0.0.3
            Require method POST
        </RequireNone>
        <RequireAny>
            <RequireAll>
                Require ip 127.0.0.2
                Require method GET
            </RequireAll>
            Require ip 127.0.0.1
        </RequireAny>
    </RequireAll>
</Directory>
<Directory @DOCS@/local>
    Require local
</Directory>
<Directory @DOCS@/host>
    Require host localhost
</Directory>
<Directory @DOCS@/domain>
    Require host .localhost host.example
</Directory>
<Directory @DOCS@/fdns>
    Require forward-dns localhost
</Directory>
<Directory @DOCS@/method>
    Require method GET OPTIONS
</Directory>
<Directory @DOCS@/merge>
    Require ip 127.0.0.1
</Directory>
<Directory @DOCS@/merge/sub>
    Require ip 127.0.0.2
</Directory>
<Directory @DOCS@/merge/and>
    AuthMerging And
    Require method GET
</Directory>
<Directory @DOCS@/merge/or>
    AuthMerging Or
    Require ip 127.0.0.2
</Directory>
<Directory @DOCS@/merge/or/off>
    AuthMerging Off
    Require ip 127.0.0.3
</Directory>
<Files secret.txt>
    Require ip 127.0.0.3
</Files>
<Location /loc>
    Require ip 127.0.0.2
</Location>
<Location /server-status>
    SetHandler server-status
    Require ip 127.0.0.2
</Location>
<LocationMatch ^/locm>
    AuthMerging And
    <RequireAll>
        Require all granted
        Require not ip 127.0.0.3
    </RequireAll>
</LocationMatch>
SetEnvIf User-Agent ^letmein let_in
<Directory @DOCS@/env>
    Require env other let_in
</Directory>
<Directory @DOCS@/compat/env>
    Order deny,allow
    Deny from all
    Allow from env=let_in
</Directory>
<Directory @DOCS@/compat/notenv>
    SetEnvIf User-Agent ^blocked shut_out
    Deny from env=shut_out
</Directory>
<Directory @DOCS@/limit>
    <Limit POST DELETE>
        Require ip 127.0.0.2
    </Limit>
</Directory>
<Directory @DOCS@/limitexcept>
    <LimitExcept GET>
        <RequireAll>
            Require all granted
            Require not ip 127.0.0.3
        </RequireAll>
    </LimitExcept>
</Directory>
<Directory @DOCS@/compat/limit>
    <Limit POST>
        Order allow,deny
        Allow from 127.0.0.1
    </Limit>
</Directory>
<Directory @DOCS@/compat>
    Order deny,allow
    Deny from all
    Allow from 127.0.0.2
</Directory>
<Directory @DOCS@/compat/allowdeny>
    Order Allow,Deny
    Allow from 127.0.0.0/8
    Deny from 127.0.0.2
</Directory>
<Directory @DOCS@/compat/mutual>
    Order mutual-failure
    Allow from 127.0.0.1 127.0.0.2 env=nothing
    Deny from 127.0.0.2
</Directory>
<Directory @DOCS@/compat/host>
    Order allow,deny
    Allow from localhost
</Directory>
<Directory @DOCS@/compat/withrequire>
    Deny from 127.0.0.2
    Require ip 127.0.0.1 127.0.0.2
</Directory>
<Directory @DOCS@/compat/any>
    Order allow,deny
    Allow from 127.0.0.1
    Satisfy Any
    Require ip 127.0.0.2
</Directory>
`

// TestAuthz: apache2 and ours answer each client address alike under Require, its
// sections and merges, and mod_access_compat, and log the same refusals (AH01630,
// AH01797, AH01753) for the same clients and files.
func TestAuthz(t *testing.T) {
	dirs := []string{"open", "ip", "nets", "notip", "nested", "local", "host", "domain", "fdns", "method",
		"merge", "merge/sub", "merge/and", "merge/or", "merge/or/off", "merge/inherit", "loc", "locm",
		"compat", "compat/allowdeny", "compat/mutual", "compat/host", "compat/withrequire", "compat/any",
		"limit", "limitexcept", "compat/limit", "env", "compat/env", "compat/notenv"}
	docs := map[string]string{"open/secret.txt": "secret\n"}
	for _, d := range dirs {
		docs[d+"/a.txt"] = d + "\n"
	}
	p := startPair(t, 1, authzConf, docs)
	var reqs []diffRequest
	for _, from := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"} {
		for _, d := range dirs {
			reqs = append(reqs, diffRequest{From: from, Raw: get("/"+d+"/a.txt", "main.test")})
		}
		reqs = append(reqs,
			diffRequest{From: from, Raw: get("/open/secret.txt", "main.test")},
			diffRequest{From: from, Raw: get("/open/missing.txt", "main.test")},
			diffRequest{From: from, Raw: get("/server-status?auto", "main.test"), NoBody: true},
			diffRequest{From: from, Raw: request("GET", "/env/a.txt", "main.test", "", "User-Agent: letmein/1")},
			diffRequest{From: from, Raw: request("GET", "/compat/env/a.txt", "main.test", "", "User-Agent: letmein/1")},
			diffRequest{From: from, Raw: request("GET", "/compat/notenv/a.txt", "main.test", "", "User-Agent: blocked/1")},
			diffRequest{From: from, Raw: request("POST", "/method/a.txt", "main.test", "")},
			diffRequest{From: from, Raw: request("OPTIONS", "/method/a.txt", "main.test", "")},
			diffRequest{From: from, Raw: request("POST", "/nested/a.txt", "main.test", "")},
			diffRequest{From: from, Raw: request("DELETE", "/merge/and/a.txt", "main.test", "")},
			diffRequest{From: from, Raw: request("POST", "/limit/a.txt", "main.test", "")},
			diffRequest{From: from, Raw: request("PUT", "/limit/a.txt", "main.test", "")},
			diffRequest{From: from, Raw: request("DELETE", "/limitexcept/a.txt", "main.test", "")},
			diffRequest{From: from, Raw: request("POST", "/compat/limit/a.txt", "main.test", "")},
		)
	}
	p.check(reqs)
	// HEAD is GET for Require method (apache2's method number).
	for _, from := range []string{"127.0.0.1", "127.0.0.2"} {
		for _, path := range []string{"/method/a.txt", "/merge/and/a.txt"} {
			req := request("HEAD", path, "main.test", "")
			want, got := statusFrom(t, p.apache, from, req), statusFrom(t, p.ours, from, req)
			if got != want {
				t.Errorf("%s %q: apache %q, ours %q", from, req, want, got)
			}
		}
	}
	p.checkAccessLines()
}

// statusFrom is the status line of s's answer to req from the address from.
func statusFrom(t *testing.T, s *diffServer, from, req string) string {
	t.Helper()
	raw, _ := s.exchangeFrom(t, from, "127.0.0.1", 0, req, 10*time.Second)
	return statusLine(raw.String())
}

// checkAccessLines stops both servers and reports where their error logs'
// access lines (authzLogLines) differ.
func (p *diffPair) checkAccessLines() {
	t := p.t
	t.Helper()
	must(t, p.apache.stop())
	must(t, p.ours.stop())
	want, got := authzLogLines(t, p.apache), authzLogLines(t, p.ours)
	if !slices.Equal(got, want) {
		t.Errorf("error_log access lines:\napache:\n  %s\nours:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	} else {
		t.Logf("error_log access lines, both:\n  %s", strings.Join(want, "\n  "))
	}
}

// accessLine is an error log line of mod_authz_core, mod_authz_host or
// mod_access_compat: module and level, client address, message.
var accessLine = regexp.MustCompile(`\[((?:authz_core|authz_host|access_compat):\w+)\] .*\[client ([0-9a-f.:]+?):\d+\] (AH\d+: .*)$`)

// authzLogLines are s's access lines (module:level, client, message), in order.
func authzLogLines(t *testing.T, s *diffServer) []string {
	t.Helper()
	return errorLogLines(t, s, accessLine)
}

// errorLogLines are the lines of s's error log that re matches, each as
// its submatches joined by spaces, the documents' directory written
// @DOCS@, in order.
func errorLogLines(t *testing.T, s *diffServer, re *regexp.Regexp) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.root, "logs", "error_log"))
	must(t, err)
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if m := re.FindStringSubmatch(l); m != nil {
			out = append(out, strings.ReplaceAll(strings.Join(m[1:], " "), s.docs, "@DOCS@"))
		}
	}
	return out
}

// authzDebugConf: lines and sections whose results mod_authz_core logs at debug
// (AH01626 for each line and section it evaluates, AH01625 for one <Limit> leaves
// out, AH01628 without any).
const authzDebugConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LogLevel debug
<Directory @DOCS@/nested>
    Require ip 10.0.0.0/8
    <RequireAll>
        Require local
        <RequireNone>
            Require ip 127.0.0.3
            Require method POST
        </RequireNone>
        <RequireAny>
            Require ip 127.0.0.2
            Require method GET
        </RequireAny>
    </RequireAll>
</Directory>
<Directory @DOCS@/merged>
    Require ip 127.0.0.1
</Directory>
<Directory @DOCS@/merged/or>
    AuthMerging Or
    Require host localhost
</Directory>
<Directory @DOCS@/limit>
    <Limit POST>
        Require ip 127.0.0.2
    </Limit>
    Require ip 127.0.0.1
</Directory>
`

// TestAuthzDebugLog: at LogLevel debug, ours logs mod_authz_core's and
// mod_authz_host's lines as apache2 does, in the same order.
func TestAuthzDebugLog(t *testing.T) {
	docs := map[string]string{"nested/a.txt": "n\n", "merged/or/a.txt": "m\n", "none/a.txt": "x\n", "limit/a.txt": "l\n"}
	p := startPair(t, 1, authzDebugConf, docs)
	var reqs []diffRequest
	for _, from := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"} {
		for _, path := range []string{"/nested/a.txt", "/merged/or/a.txt", "/none/a.txt", "/limit/a.txt"} {
			reqs = append(reqs, diffRequest{From: from, Raw: get(path, "main.test")})
		}
	}
	p.check(reqs)
	p.checkAccessLines()
}

// authzIPv6Conf: the ip, local and Allow forms of IPv6 addresses, for a client on
// ::1.
const authzIPv6Conf = `ServerName main.test
Listen [::1]:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@/v6>
    Require ip ::1/128
</Directory>
<Directory @DOCS@/v4>
    Require ip 127.0.0.1 fe80::/10
</Directory>
<Directory @DOCS@/local>
    Require local
</Directory>
<Directory @DOCS@/compat>
    Order allow,deny
    Allow from 0:0:0:0:0:0:0:1
</Directory>
`

// TestAuthzIPv6: apache2 and ours agree on a client at ::1.
func TestAuthzIPv6(t *testing.T) {
	if ln, err := net.Listen("tcp6", "[::1]:0"); err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	} else {
		ln.Close()
	}
	dirs := []string{"v6", "v4", "local", "compat"}
	docs := map[string]string{}
	var reqs []diffRequest
	for _, d := range dirs {
		docs[d+"/a.txt"] = d + "\n"
		reqs = append(reqs, diffRequest{IP: "::1", Raw: get("/"+d+"/a.txt", "main.test")})
	}
	p := startPair(t, 1, authzIPv6Conf, docs)
	p.check(reqs)
	must(t, p.apache.stop())
	must(t, p.ours.stop())
	want, got := authzLogLines(t, p.apache), authzLogLines(t, p.ours)
	if !slices.Equal(got, want) || len(want) != 1 {
		t.Errorf("error_log access lines:\napache:\n  %s\nours:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
	}
}

// limitMethodsConf names methods apache2 does not know in <Limit> and
// <LimitExcept>, which register them each with its own number: a method no
// <Limit> named is M_INVALID, outside every <Limit> and inside every
// <LimitExcept>; methods are case-sensitive. A .htaccess file cannot
// register a method.
const limitMethodsConf = `LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
    Options +ExecCGI
    AddHandler cgi-script .cgi
    AllowOverride All
    Require all granted
</Directory>
<Directory @DOCS@/except>
    <LimitExcept GET FOO>
        Require all denied
    </LimitExcept>
</Directory>
<Directory @DOCS@/limit>
    <Limit FOO>
        Require all denied
    </Limit>
</Directory>
<Directory @DOCS@/compat>
    <LimitExcept GET FOO>
        Order deny,allow
        Deny from all
    </LimitExcept>
</Directory>
<Directory @DOCS@/compatlimit>
    <Limit FOO>
        Order deny,allow
        Deny from all
    </Limit>
</Directory>
`

// TestLimitMethods: apache2 and ours let the same methods through <Limit> and
// <LimitExcept> sections naming methods of their own, in httpd.conf and in
// .htaccess files.
func TestLimitMethods(t *testing.T) {
	const script = "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"ran $REQUEST_METHOD\"\n"
	dirs := []string{"except", "limit", "compat", "compatlimit", "ht", "htlimit", "htbad"}
	docs := map[string]string{
		"ht/.htaccess":      "<LimitExcept GET FOO>\nRequire all denied\n</LimitExcept>\n",
		"htlimit/.htaccess": "<Limit FOO>\nRequire all denied\n</Limit>\n",
		"htbad/.htaccess":   "<Limit GET BAZ>\nRequire all denied\n</Limit>\n",
	}
	for _, d := range dirs {
		docs[d+"/m.cgi"] = script
	}
	p := startPair(t, 1, limitMethodsConf, docs)
	for _, d := range dirs {
		must(t, os.Chmod(filepath.Join(p.apache.docs, d, "m.cgi"), 0o755))
	}
	var reqs []diffRequest
	for _, d := range dirs {
		for _, m := range []string{"GET", "FOO", "BAR", "get", "foo", "POST"} {
			reqs = append(reqs, diffRequest{Raw: request(m, "/"+d+"/m.cgi", "main.test", "")})
		}
	}
	p.check(reqs)
}
