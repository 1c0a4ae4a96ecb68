package e2e_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// exprConf: ap_expr where apache2 uses it: <If>/<ElseIf>/<Else> on the Host,
// the query, the method and the client's address, at the server level, in a
// <Directory> and in a virtual host (merged after every section, the fields
// read in Vary); Require expr; Header's expr=; SetEnvIfExpr feeding a
// CustomLog env= and a CustomLog expr=; Redirect inside <If> to a string
// expression.
const exprConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LogFormat "%v %>s %m %U%q" plain
CustomLog logs/env_log plain env=logme
CustomLog logs/expr_log plain "expr=%{REQUEST_STATUS} -ge 400 || %{QUERY_STRING} =~ /^x/"
SetEnvIfExpr "%{QUERY_STRING} =~ /log/ && %{REQUEST_METHOD} == 'GET'" logme
Header always set X-Always-Expr yes "expr=%{REQUEST_URI} =~ m#^/sub/#"
Header set X-UA bot "expr=%{HTTP_USER_AGENT} =~ /bot/i"
<If "%{HTTP_HOST} == 'a.test'">
    Header set X-Host a
</If>
<ElseIf "%{HTTP_HOST} =~ /^b\./">
    Header set X-Host b
</ElseIf>
<Else>
    Header set X-Host other
</Else>
<If "%{REQUEST_METHOD} -in {'HEAD', 'POST'}">
    Header set X-Method head-or-post
</If>
<If "%{REMOTE_ADDR} -ipmatch '127.0.0.0/8' && !(-R '10.0.0.0/8')">
    Header always set X-Local yes
</If>
<Directory @DOCS@>
    Require all granted
    <If "%{QUERY_STRING} =~ /(deny)/ && $1 == 'deny'">
        Require all denied
    </If>
    <If "-f %{REQUEST_FILENAME}">
        Header set X-File yes
    </If>
</Directory>
<If "%{HTTP_HOST} == 'old.test'">
    Redirect permanent "http://new.test%{REQUEST_URI}"
</If>
<Directory @DOCS@/moved>
    <If "%{QUERY_STRING} == 'go'">
        Redirect "/a.txt"
    </If>
    <ElseIf "%{QUERY_STRING} == 'gone'">
        Redirect gone
    </ElseIf>
</Directory>
<Directory @DOCS@/sub>
    Require expr "%{QUERY_STRING} != 'forbidden' && %{REQUEST_URI} !~ /secret/"
    Header set X-Sub "%{X_NAME}e"
    SetEnvIfExpr "tolower(%{QUERY_STRING}) == 'name'" X_NAME=named
</Directory>
<Files "*.html">
    <If "req('X-Mode') == 'html'">
        Header set X-Html yes
    </If>
</Files>
<VirtualHost 127.0.0.1:@P0@>
    ServerName v.test
    DocumentRoot @DOCS@
    <If "%{SERVER_NAME} == 'v.test'">
        Header set X-Vhost v
    </If>
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName main.test
    DocumentRoot @DOCS@
</VirtualHost>
`

// TestExpr compares each answer and the logs with apache2's.
func TestExpr(t *testing.T) {
	docs := map[string]string{
		"a.txt":          "a\n",
		"page.html":      "<p>page</p>\n",
		"sub/s.txt":      "s\n",
		"sub/secret.txt": "secret\n",
		"moved/m.txt":    "m\n",
	}
	p := startPair(t, 1, exprConf, docs)
	reqs := []string{
		get("/a.txt", "a.test"),
		get("/a.txt", "b.example"),
		get("/a.txt", "main.test"),
		get("/a.txt?deny", "main.test"),
		get("/a.txt?log", "main.test"),
		get("/a.txt?xyz", "main.test"),
		get("/missing", "main.test"),
		get("/missing?log", "main.test"),
		"HEAD /a.txt HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n",
		"POST /a.txt?log HTTP/1.1\r\nHost: main.test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nHost: main.test\r\nUser-Agent: GoogleBot\r\nConnection: close\r\n\r\n",
		get("/sub/s.txt", "main.test"),
		get("/sub/s.txt?forbidden", "main.test"),
		get("/sub/s.txt?NAME", "main.test"),
		get("/sub/secret.txt", "main.test"),
		get("/page.html", "main.test"),
		"GET /page.html HTTP/1.1\r\nHost: main.test\r\nX-Mode: html\r\nConnection: close\r\n\r\n",
		get("/a.txt", "v.test"),
		get("/a.txt?deny", "v.test"),
		get("/a.txt", "old.test"),
		get("/missing?q=1", "old.test"),
		get("/moved/m.txt?go", "main.test"),
		get("/moved/m.txt?gone", "main.test"),
		get("/moved/m.txt", "main.test"),
	}
	p.compareEach(reqs, (*diffServer).headerAnswer)
	p.checkLogs("env_log", "expr_log")
}

// TestExprConfigErrors: the configuration errors of expressions and of the
// <If> sections, each at its line in apache2's words (apache2 -t).
func TestExprConfigErrors(t *testing.T) {
	apache := apacheBin(t)
	httpd, modules := build(t)
	for _, snippet := range []string{
		"<If \"%{HTTP_HOST} == \">\n</If>\n",
		"<If \"%{NO_SUCH_VAR} == 1\">\n</If>\n",
		"<If \"abc == 1\">\n</If>\n",
		"<If \"-R %{HTTP_HOST}\">\n</If>\n",
		"<If \"true\">\nListen 9999\n</If>\n",
		"<Directory /tmp>\n<If \"true\">\n</If>\n<Else>\n</Else>\n<ElseIf \"true\">\n</ElseIf>\n</Directory>\n",
		"<Location /x>\nRequire expr \"1 ==\"\n</Location>\n",
		"Header set X-A 1 \"expr=%{HTTP_HOST} & 1\"\n",
		"SetEnvIfExpr \"md5('a') == \" x\n",
		"SetEnvIfExpr \"true\"\n",
		"CustomLog logs/x_log common \"expr=foo('a')\"\n",
		"<If \"true\">\nRedirect \"/x/%{NOPE}\"\n</If>\n",
		"ErrorDocument 404 \"bad %{REQUEST_URI\"\n",
		"<Location /x>\nErrorDocument 500 /x%{foo:bar}\n</Location>\n",
		"ErrorDocument 403 %{NOPE}\n",
		"<If \"" + strings.Repeat("(", 10000) + "true" + strings.Repeat(")", 10000) + "\">\n</If>\n",
	} {
		want, got := syntaxBoth(t, apache, httpd, modules, "", snippet)
		if !strings.Contains(want, "AH00526") || got != want {
			t.Errorf("%q:\n apache: %s ours:   %s", snippet, want, got)
		} else {
			t.Logf("%q: both %s", snippet, want)
		}
	}
}

// syntaxBoth is what apache2 -t and ours say of a configuration: the
// servers' heads, modulesBody, ServerName main.test, a Listen line and
// DocumentRoot, then snippet; the file is named CONF in both.
func syntaxBoth(t *testing.T, apache, httpd, modules, modulesBody, snippet string) (want, got string) {
	t.Helper()
	base := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(base, "run"), 0o755))
	must(t, os.MkdirAll(filepath.Join(base, "logs"), 0o755))
	ahead, ohead := sameLength(fmt.Sprintf(apacheHead, base), fmt.Sprintf(oursHead, modules))
	body := modulesBody + "ServerName main.test\nListen 127.0.0.1:1\nDocumentRoot " + base + "\n" + snippet
	write(t, filepath.Join(base, "apache.conf"), ahead+body)
	write(t, filepath.Join(base, "ours.conf"), ohead+body)
	syntax := func(argv ...string) string {
		out, _ := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		return strings.ReplaceAll(string(out), base+"/", "")
	}
	want = syntax(apache, "-t", "-d", base, "-f", filepath.Join(base, "apache.conf"))
	got = syntax(httpd, "-t", "-d", base, "-f", filepath.Join(base, "ours.conf"))
	return strings.ReplaceAll(want, "apache.conf", "CONF"), strings.ReplaceAll(got, "ours.conf", "CONF")
}

// TestExprChains: long || and && chains and runs of ! evaluate as in
// apache2 (one recursion level for a whole right-hand chain), in <If>,
// Require expr, SetEnvIfExpr and Header expr=; a left-hand nesting deeper
// than 20 levels fails evaluation in both.
func TestExprChains(t *testing.T) {
	or := strings.Repeat("%{QUERY_STRING} == 'no' || ", 25) + "%{REMOTE_ADDR} == '127.0.0.1'"
	and := strings.Repeat("-n %{QUERY_STRING} && ", 25) + "true"
	nots := strings.Repeat("!", 25) + "false"
	deep := strings.Repeat("(", 22) + "true" + strings.Repeat(" && true)", 22)
	conf := `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
SetEnvIfExpr "` + and + `" CHAIN=and
Header set X-Chain "%{CHAIN}e"
Header set X-Or yes "expr=` + or + `"
Header set X-Nots yes "expr=` + nots + `"
Header set X-Deep yes "expr=` + deep + `"
<Directory @DOCS@>
    Require all granted
</Directory>
<Directory @DOCS@/if>
    <If "` + or + `">
        Require all denied
    </If>
</Directory>
<Directory @DOCS@/req>
    Require expr "` + or + `"
</Directory>
<Directory @DOCS@/deep>
    <If "` + deep + `">
        Require all denied
    </If>
</Directory>
`
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n", "if/a.txt": "a\n", "req/a.txt": "a\n", "deep/a.txt": "a\n"})
	p.compareEach([]string{
		get("/a.txt", "main.test"),
		get("/a.txt?q", "main.test"),
		get("/if/a.txt", "main.test"),
		get("/req/a.txt", "main.test"),
		get("/deep/a.txt", "main.test"),
	}, (*diffServer).headerAnswer)
}

// TestExprHtaccessTooLong: a .htaccess Require expr with 2,000,000 nested
// parentheses is a line too long for apache2's .htaccess reader (8192
// bytes): a 500 with "Line too long" in the error log, from a child that
// lives on to answer the next requests. One of 4,000 levels fits and
// evaluates.
func TestExprHtaccessTooLong(t *testing.T) {
	conf := `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
<Directory @DOCS@>
    Require all granted
    AllowOverride All
</Directory>
`
	deep := func(n int) string {
		return "Require expr " + strings.Repeat("(", n) + "true" + strings.Repeat(")", n) + "\n"
	}
	p := startPair(t, 1, conf, map[string]string{
		"a.txt": "a\n", "long/a.txt": "a\n", "long/.htaccess": deep(2000000),
		"fits/a.txt": "a\n", "fits/.htaccess": deep(4000),
	})
	for _, s := range []*diffServer{p.apache, p.ours} {
		for _, c := range []struct {
			path string
			want int
		}{{"/long/a.txt", 500}, {"/fits/a.txt", 200}, {"/a.txt", 200}} {
			resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", s.ports[0], c.path))
			if err != nil {
				t.Fatalf("%s %s: %v", s.name, c.path, err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("%s %s: %s; want %d", s.name, c.path, resp.Status, c.want)
			}
		}
	}
	p.checkLogs()
	for _, s := range []*diffServer{p.apache, p.ours} {
		b, err := os.ReadFile(filepath.Join(s.root, "logs", "error_log"))
		must(t, err)
		want := "long/.htaccess: Error reading " + s.docs + "/long/.htaccess at line 1: Line too long\n"
		if !strings.Contains(string(b), want) {
			t.Errorf("%s error_log: no %q", s.name, want)
		}
	}
}
