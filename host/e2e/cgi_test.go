package e2e_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/fcgi"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cgiScripts are the scripts of the CGI tests, written executable (but
// noexec.cgi) below the shared documents.
var cgiScripts = map[string]string{
	// The environment, less what must differ (the client's port, the
	// software), and the arguments.
	"bin/env.cgi": "#!/bin/sh\necho 'Content-Type: text/plain'\necho\nenv | grep -v '^REMOTE_PORT=\\|^SERVER_SOFTWARE=' | sort\necho \"ARGS: $*\"\n",
	"bin/echo.cgi": "#!/bin/sh\necho 'Content-Type: text/plain; Charset=UTF-8'\necho 'X-A: 1'\necho 'X-A: 2'\n" +
		"echo 'Set-Cookie: a=1'\necho 'Set-Cookie: b=2'\necho\ncat\n",
	"bin/status.cgi":  "#!/bin/sh\necho 'Status: 404 Not Here'\necho 'Content-Type: text/html'\necho\necho 'no such thing'\n",
	"bin/redir.cgi":   "#!/bin/sh\ncat >/dev/null\necho 'Location: /hello.txt'\necho\n",
	"bin/abs.cgi":     "#!/bin/sh\necho 'Location: http://example.com/x'\necho 'X-B: b'\necho 'ETag: \"e1\"'\necho\necho 'body ignored'\n",
	"bin/redirh.cgi":  "#!/bin/sh\necho 'Location: /hello.txt'\necho 'X-Kept: yes'\necho 'ETag: \"e1\"'\necho\n",
	"bin/nph-raw.cgi": "#!/bin/sh\nprintf 'HTTP/1.0 299 Raw\\r\\nContent-Type: text/x-raw\\r\\n\\r\\nraw body\\n'\n",
	"bin/stderr.cgi":  "#!/bin/sh\necho 'to the log' >&2\necho 'Content-Type: text/plain'\necho\necho out\necho 'second line' >&2\n",
	"bin/bad.cgi":     "#!/bin/sh\necho 'this is not a header'\necho\n",
	"bin/empty.cgi":   "#!/bin/sh\nexit 0\n",
	"bin/noexec.cgi":  "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho ran\n",
	// The descriptors the script has, as ls sees them (and its own 3).
	"bin/fds.cgi":    "#!/bin/sh\necho 'Content-Type: text/plain'\necho\nexec ls /proc/self/fd\n",
	"docs/run.cgi":   "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"run $SCRIPT_NAME $PATH_INFO\"\n",
	"exec/run.cgi":   "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"exec $SCRIPT_NAME $PATH_INFO $CONTEXT_PREFIX\"\n",
	"exec/page.txt":  "a page\n",
	"sh/anything":    "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"sethandler $FROMSETENV $HTTP_AUTHORIZATION\"\n",
	"pass/auth.cgi":  "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"auth $HTTP_AUTHORIZATION\"\n",
	"docs/hello.txt": "hello\n",
	// .htaccess files that take the handler away: the scripts are files.
	"exec/noh/run.cgi":   "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho ran\n",
	"exec/noh/.htaccess": "RemoveHandler .cgi\n",
	"sh/none/anything":   "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho ran\n",
	"sh/none/.htaccess":  "SetHandler none\n",
}

// cgiConf maps /cgi-bin/ as Debian's serve-cgi-bin.conf does, runs *.cgi
// by AddHandler (without ExecCGI in docs/, with it in exec/), every file of
// /sh/ by SetHandler, and passes Authorization in pass/.
const cgiConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@/docs
Alias /exec/ @DOCS@/exec/
Alias /sh/ @DOCS@/sh/
Alias /pass/ @DOCS@/pass/
<IfModule mod_alias.c>
	<IfModule mod_cgid.c>
		Define ENABLE_CGI_BIN
	</IfModule>
	<IfModule mod_cgi.c>
		Define ENABLE_CGI_BIN
	</IfModule>
	<IfDefine ENABLE_CGI_BIN>
		ScriptAlias /cgi-bin/ @DOCS@/bin/
		<Directory "@DOCS@/bin">
			AllowOverride None
			Options +ExecCGI -MultiViews +SymLinksIfOwnerMatch
			Require all granted
		</Directory>
	</IfDefine>
</IfModule>
SetEnv FROMSETENV yes
<Directory @DOCS@>
	AddHandler cgi-script .cgi
</Directory>
<Directory @DOCS@/exec>
	Options +ExecCGI
</Directory>
<Directory @DOCS@/sh>
	Options ExecCGI
	SetHandler cgi-script
</Directory>
<Directory @DOCS@/pass>
	Options ExecCGI
	CGIPassAuth On
</Directory>
<Directory @DOCS@/exec/noh>
	AllowOverride FileInfo
</Directory>
<Directory @DOCS@/sh/none>
	AllowOverride FileInfo
</Directory>
`

// TestCGI runs the scripts under each MPM beside apache2 with the same
// module (mod_cgi under prefork, mod_cgid under worker and event, as
// Debian's a2enmod cgi picks) and compares the answers and the error log's
// lines of the CGI modules.
func TestCGI(t *testing.T) {
	for _, m := range []struct{ mpm, module string }{{"prefork", "cgi"}, {"worker", "cgid"}, {"event", "cgid"}} {
		t.Run(m.mpm, func(t *testing.T) {
			load := "LoadModule " + m.module + "_module " + apacheModuleDir + "/mod_" + m.module + ".so\n"
			p := startPairMPM(t, m.mpm, 1, load+cgiConf, cgiScripts)
			docs := p.apache.docs
			for name := range cgiScripts {
				if name != "bin/noexec.cgi" && !strings.HasSuffix(name, ".txt") {
					must(t, os.Chmod(filepath.Join(docs, name), 0o755))
				}
			}
			get := func(path string, fields ...string) diffRequest {
				return diffRequest{Raw: "GET " + path + " HTTP/1.1\r\nHost: main.test:@P0@\r\n" + strings.Join(fields, "") + "Connection: close\r\n\r\n"}
			}
			p.check([]diffRequest{
				get("/cgi-bin/env.cgi/extra/a%20b?a=b", "X-Custom: one\r\n", "X-Custom: two\r\n", "Authorization: Basic eDp5\r\n", "Proxy: evil\r\n", "X_Under: no\r\n"),
				get("/cgi-bin/env.cgi?word+two%21+a%26b"),
				{Raw: "HEAD /cgi-bin/env.cgi HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"},
				{Raw: "POST /cgi-bin/echo.cgi HTTP/1.1\r\nHost: main.test\r\nContent-Type: text/x-test\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello world", Want: "hello world"},
				{Raw: "POST /cgi-bin/echo.cgi HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nchunk\r\n6\r\ned in\n\r\n0\r\n\r\n", Want: "chunked in"},
				get("/cgi-bin/status.cgi"),
				get("/cgi-bin/redir.cgi"),
				{Raw: "POST /cgi-bin/redir.cgi HTTP/1.1\r\nHost: main.test\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi", Want: "hello"},
				get("/cgi-bin/abs.cgi"),
				get("/cgi-bin/nph-raw.cgi"),
				get("/cgi-bin/stderr.cgi"),
				get("/cgi-bin/bad.cgi"),
				get("/cgi-bin/empty.cgi"),
				get("/cgi-bin/noexec.cgi"),
				get("/cgi-bin/missing.cgi"),
				get("/cgi-bin/"),
				get("/cgi-bin"),
				get("/run.cgi"),
				get("/run.cgi/more"),
				get("/hello.txt"),
				get("/exec/run.cgi/x/y"),
				get("/exec/page.txt"),
				get("/sh/anything", "Authorization: Basic eDp5\r\n"),
				get("/pass/auth.cgi", "Authorization: Basic eDp5\r\n"),
				get("/exec/noh/run.cgi"),
				get("/sh/none/anything"),
			})
			// A local redirect keeps the script's fields but ETag (apache2's
			// err_headers_out), and serves the file with its own ETag.
			for _, s := range []*diffServer{p.apache, p.ours} {
				raw, _ := s.exchange(t, "127.0.0.1", 0, get("/cgi-bin/redirh.cgi").Raw, 10*time.Second)
				if text := raw.String(); !strings.Contains(text, "\r\nX-Kept: yes\r\n") || strings.Contains(text, `"e1"`) || !strings.HasSuffix(text, "\r\n\r\nhello\n") {
					t.Errorf("%s: a redirect with the script's fields: %q", s.name, text)
				}
			}
			// A Status line's own reason phrase is sent.
			for _, s := range []*diffServer{p.apache, p.ours} {
				raw, _ := s.exchange(t, "127.0.0.1", 0, get("/cgi-bin/status.cgi").Raw, 10*time.Second)
				if got := statusLine(raw.String()); got != "HTTP/1.1 404 Not Here" {
					t.Errorf("%s: status.cgi's status line %q", s.name, got)
				}
			}
			// Only the standard descriptors reach a script (apache2's have more).
			if got := p.ours.ask(t, "127.0.0.1", 0, get("/cgi-bin/fds.cgi").Raw).bodies(); got != "0\n1\n2\n3\n" {
				t.Errorf("a script's descriptors, as ls lists them: %q, want 0 1 2 and ls's own 3", got)
			}
			must(t, p.apache.stop())
			must(t, p.ours.stop())
			want, got := cgiLogLines(t, p.apache), cgiLogLines(t, p.ours)
			if !slices.Equal(got, want) {
				t.Errorf("error_log CGI lines:\napache:\n  %s\nours:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
			} else {
				t.Logf("error_log CGI lines, both:\n  %s", strings.Join(want, "\n  "))
			}
		})
	}
}

// cgiLine is an error log line of mod_cgi or mod_cgid: module and level, the
// system error, the client, the message.
var cgiLine = regexp.MustCompile(`^\[[^]]*\] \[(cgid?:\w+)\] \[pid [^]]*\] (\(\d+\)[^:]*: )?(\[client [0-9.]+:\d+\] )?(.*)$`)

// cgiLogLines are s's CGI lines, and the lines a script wrote itself
// (mod_cgid's scripts write to the error log), sorted.
func cgiLogLines(t *testing.T, s *diffServer) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.root, "logs", "error_log"))
	must(t, err)
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.ReplaceAll(l, s.docs, "@DOCS@")
		switch m := cgiLine.FindStringSubmatch(l); {
		case m != nil:
			client := ""
			if m[3] != "" {
				client = "[client] "
			}
			out = append(out, m[1]+" "+m[2]+client+m[4])
		case l != "" && !strings.HasPrefix(l, "["):
			out = append(out, "raw: "+l)
		}
	}
	slices.Sort(out)
	return out
}

// cgiBin writes scripts (name: body) into root's cgi/, executable, and
// adds to its httpd.conf mod_cgid, extra, and /cgi-bin/ mapped to cgi/.
func cgiBin(t *testing.T, root string, scripts map[string]string, extra string) {
	t.Helper()
	must(t, os.Mkdir(filepath.Join(root, "cgi"), 0o755))
	for name, body := range scripts {
		must(t, os.WriteFile(filepath.Join(root, "cgi", name), []byte(body), 0o755))
	}
	conf, err := os.OpenFile(filepath.Join(root, "httpd.conf"), os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	fmt.Fprintf(conf, "LoadModule cgid_module modules/mod_cgid.so\n%sScriptAlias /cgi-bin/ %s/cgi/\n<Directory %s/cgi>\nRequire all granted\n</Directory>\n", extra, root, root)
	must(t, conf.Close())
}

// TestCGIKills: a script silent for longer than Timeout is a 504 and is
// killed, one whose client goes away is killed, and one whose background
// child keeps its output open is killed with that child (its process group)
// once the output has been silent for Timeout; every one is reaped.
func TestCGIKills(t *testing.T) {
	root := newSite(t, "event", "mpm_event_module", "")
	pids := filepath.Join(root, "pids")
	must(t, os.Mkdir(pids, 0o777))
	must(t, os.Chmod(pids, 0o777))
	scripts := map[string]string{
		"slow.cgi":   "#!/bin/sh\necho $$ > " + pids + "/slow\nexec sleep 30\n",
		"stream.cgi": "#!/bin/sh\necho $$ > " + pids + "/stream\necho 'Content-Type: text/plain'\necho\nwhile :; do echo line; sleep 0.05; done\n",
		"bg.cgi":     "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho body\nsleep 30 &\necho $! > " + pids + "/bg\n",
		"stall.cgi":  "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho begun\nexec sleep 30\n",
	}
	cgiBin(t, root, scripts, "Timeout 2\n")
	in := start(t, root)
	pidOf := func(name string) int {
		var pid int
		if !eventually(5*time.Second, func() bool {
			b, err := os.ReadFile(filepath.Join(pids, name))
			pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
			return err == nil
		}) {
			t.Fatalf("%s wrote no pid", name)
		}
		return pid
	}
	gone := func(name string, pid int) {
		t.Helper()
		if !eventually(10*time.Second, func() bool { return ppid(pid) == -1 }) {
			t.Errorf("%s (pid %d) still there (parent %d, alive %v)", name, pid, ppid(pid), alive(pid))
		}
	}

	if got := statusLine(in.raw("GET /cgi-bin/slow.cgi HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")); got != "HTTP/1.1 504 Gateway Timeout" {
		t.Errorf("a script silent past Timeout: %q, want 504", got)
	}
	gone("slow.cgi", pidOf("slow"))
	if !strings.Contains(in.srv.ErrorLog(), "Script timed out before returning headers: slow.cgi") {
		t.Errorf("no timeout line in the error log:\n%s", in.srv.ErrorLog())
	}

	c, err := net.Dial("tcp", in.addr)
	must(t, err)
	fmt.Fprintf(c, "GET /cgi-bin/stream.cgi HTTP/1.1\r\nHost: x\r\n\r\n")
	buf := make([]byte, 512)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := c.Read(buf); err != nil || !strings.Contains(string(buf[:n]), "200 OK") {
		t.Fatalf("stream.cgi: %q, %v", buf[:n], err)
	}
	pid := pidOf("stream")
	c.Close()
	gone("stream.cgi", pid)

	body := in.raw("GET /cgi-bin/bg.cgi HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.HasSuffix(body, "body\n") && !strings.Contains(body, "\r\n\r\n5\r\nbody\n") {
		t.Errorf("bg.cgi: %q", body)
	}
	gone("bg.cgi's background child", pidOf("bg"))

	// A script silent past Timeout in its body: the answer is cut short
	// (no last chunk), as apache2 aborts the connection.
	body = in.raw("GET /cgi-bin/stall.cgi HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.Contains(body, "begun\n") || strings.HasSuffix(body, "\r\n0\r\n\r\n") {
		t.Errorf("stall.cgi, timed out in its body, ends cleanly or lacks its start: %q", body)
	}
}

// cgiTopConf runs *.cgi by an AddHandler outside every section, in the main
// server and in a virtual host of its own, and by a SetHandler in the
// virtual host; the virtual host's RemoveHandler stops .old running.
const cgiTopConf = `ServerName main.test
Listen 127.0.0.1:@P0@
LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
DocumentRoot @DOCS@/top
AddHandler cgi-script .cgi .old
<Directory @DOCS@>
	Options +ExecCGI
</Directory>
<VirtualHost *:@P0@>
	ServerName main.test
	DocumentRoot @DOCS@/top
</VirtualHost>
<VirtualHost *:@P0@>
	ServerName vhost.test
	DocumentRoot @DOCS@/vh
	AddHandler cgi-script .pl
	RemoveHandler .old
</VirtualHost>
<VirtualHost *:@P0@>
	ServerName sh.test
	DocumentRoot @DOCS@/sh
	SetHandler cgi-script
</VirtualHost>
<VirtualHost *:@P0@>
	ServerName rw.test
	DocumentRoot @DOCS@/top
	RewriteEngine On
	RewriteRule ^/other$ /url.cgi
</VirtualHost>
`

// TestCGITopLevelHandler: a script named by a top-level or virtual host's
// AddHandler or SetHandler runs; its source is never sent.
func TestCGITopLevelHandler(t *testing.T) {
	script := "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"ran $SCRIPT_NAME\"\n"
	docs := map[string]string{"top/run.cgi": script, "top/run.old": script, "top/dir.cgi/index.html": "the index\n", "top/.cgi": script, "vh/run.cgi": script, "vh/run.pl": script, "vh/run.old": script, "sh/any": script,
		"top/url.cgi": "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"url $SCRIPT_URL uri $SCRIPT_URI\"\n"}
	p := startPairMPM(t, "event", 1, cgiTopConf, docs)
	for name := range docs {
		if !strings.HasSuffix(name, ".html") {
			must(t, os.Chmod(filepath.Join(p.apache.docs, name), 0o755))
		}
	}
	get := func(host, path string) diffRequest {
		return diffRequest{Raw: "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"}
	}
	ran := func(r diffRequest, path string) diffRequest { r.Want = "ran " + path; return r }
	p.check([]diffRequest{
		ran(get("main.test", "/run.cgi"), "/run.cgi"),
		ran(get("main.test", "/run.old"), "/run.old"),
		ran(get("vhost.test", "/run.cgi"), "/run.cgi"),
		ran(get("vhost.test", "/run.pl"), "/run.pl"),
		get("vhost.test", "/run.old"),
		ran(get("sh.test", "/any"), "/any"),
		// mod_rewrite's SCRIPT_URL and SCRIPT_URI: the URL-path before the rules.
		get("rw.test:@P0@", "/other"),
		get("main.test", "/url.cgi"),
		// mod_mime gives no directory a handler (its index is served), and
		// a leading dot is part of the base name: ".cgi" has no extension.
		get("main.test", "/dir.cgi/"),
		get("main.test", "/.cgi"),
	})
}

// cgiHtaccessConf loads mod_cgid and lets .htaccess files name handlers;
// nothing else in the configuration mentions CGI.
const cgiHtaccessConf = `ServerName main.test
Listen 127.0.0.1:@P0@
LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
DocumentRoot @DOCS@
<Directory @DOCS@>
	Options +ExecCGI
	AllowOverride FileInfo
</Directory>
`

// TestCGIHandlerFromHtaccess: a script whose handler only a .htaccess file's
// AddHandler names runs (a .cgi elsewhere is a plain file).
func TestCGIHandlerFromHtaccess(t *testing.T) {
	script := "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"ran $SCRIPT_NAME\"\n"
	docs := map[string]string{"ht/.htaccess": "AddHandler cgi-script .cgi\n", "ht/run.cgi": script, "plain/run.cgi": script}
	p := startPairMPM(t, "event", 1, cgiHtaccessConf, docs)
	for _, name := range []string{"ht/run.cgi", "plain/run.cgi"} {
		must(t, os.Chmod(filepath.Join(p.apache.docs, name), 0o755))
	}
	get := func(path string) diffRequest {
		return diffRequest{Raw: "GET " + path + " HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"}
	}
	ran := get("/ht/run.cgi")
	ran.Want = "ran /ht/run.cgi"
	p.check([]diffRequest{ran, get("/plain/run.cgi")})
}

// TestCGIDirectoryIndexFixups: a directory's index (DirectoryIndex
// index.cgi, a script's, or index.html, a file's) gets the fixups apache2's
// mod_dir fast redirect leaves: mod_headers' fixup runs after mod_dir's
// (dir_module loaded first), once, under the index's settings, its <Files>
// lines included (HTTP_X_RH is "s, f": not "s, s", the directory's and the
// index's, nor "s", the directory's alone); the index's subrequest adds the
// variables the request lacks (BAR), the request's own entries following
// its (FOO stays "dir", for the script as for %{FOO}e). The same for a
// FallbackResource URL and a DirectoryIndex URL (after one not found, whose
// fixups leave nothing). The access log compares the fields, the variables
// and the Header line's answer.
func TestCGIDirectoryIndexFixups(t *testing.T) {
	p := startCGIPair(t, `RequestHeader append X-RH s
DirectoryIndex index.cgi
<Files index.cgi>
	RequestHeader append X-RH f
	SetEnv FOO files
</Files>
<Directory @DOCS@/st>
	DirectoryIndex index.html
	SetEnv FOO dir
	RequestHeader append X-RH d
</Directory>
<Files index.html>
	SetEnv BAR files
	SetEnv FOO files2
	RequestHeader append X-RH fi
</Files>
<Directory @DOCS@/fb>
	FallbackResource /cgi/index.cgi
	SetEnv FOO fbdir
	RequestHeader append X-RH fb
</Directory>
<Directory @DOCS@/du>
	DirectoryIndex /missing.html /cgi/index.cgi
	SetEnv BAR du
	RequestHeader append X-RH du
</Directory>
Header always set X-E "%{FOO}e %{BAR}e"
LogFormat "%U rh=%{X-RH}i foo=%{FOO}e bar=%{BAR}e x=%{X-E}o" fixups
CustomLog logs/fixups_log fixups
`, "\tSetEnv FOO dir\n", "cgi/index.cgi", "echo \"ran $SCRIPT_NAME rh $HTTP_X_RH foo $FOO\"")
	for _, d := range []string{"st", "fb", "du"} {
		must(t, os.MkdirAll(filepath.Join(p.apache.docs, d), 0o755))
	}
	must(t, os.WriteFile(filepath.Join(p.apache.docs, "st/index.html"), []byte("static index\n"), 0o644))
	p.check([]diffRequest{
		{Raw: get("/cgi/", "main.test"), Want: "ran /cgi/index.cgi rh s, f foo dir\n"},
		{Raw: get("/cgi/index.cgi", "main.test"), Want: "ran /cgi/index.cgi rh s, f foo files\n"},
		{Raw: get("/st/", "main.test"), Want: "static index\n"},
		{Raw: get("/st/index.html", "main.test"), Want: "static index\n"},
		{Raw: get("/fb/missing", "main.test"), Want: "ran /cgi/index.cgi rh s, f foo fbdir\n"},
		{Raw: get("/du/", "main.test"), Want: "ran /cgi/index.cgi rh s, f foo files\n"},
	})
	p.checkLogs("fixups_log")
}

// TestCGISetEnvAfterSetEnvIf: SetEnv of a variable SetEnvIf set first
// (mod_env's fixup overlays the table): a lookup (%{SE}e in Header and
// CustomLog) finds SetEnvIf's value, a script's environment and a
// redirect's REDIRECT_SE SetEnv's, as apache2's; once a CGI script or a
// FastCGI backend ran, the lookups find SetEnv's too (mod_cgi and
// mod_proxy_fcgi build the environment in the request's table, which
// ap_add_common_vars compresses, the last entry winning), and the
// variables the gateway added (ProxyFCGISetEnvIf's NEWV). The access log
// compares the lookups and the Header line's answer.
func TestCGISetEnvAfterSetEnvIf(t *testing.T) {
	backend, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	t.Cleanup(func() { backend.Close() })
	go fcgi.Serve(backend, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "fcgi SE=%s\n", fcgi.ProcessEnv(r)["SE"])
	}))
	p := startCGIPair(t, `LoadModule proxy_module `+apacheModuleDir+`/mod_proxy.so
LoadModule proxy_fcgi_module `+apacheModuleDir+`/mod_proxy_fcgi.so
SetEnvIf Request_URI . SE=early
SetEnv SE late
Header always set X-SE "%{SE}e"
LogFormat "%U se=%{SE}e new=%{NEWV}e x=%{X-SE}o" se
CustomLog logs/se_log se
<Files x.php>
	SetHandler "proxy:fcgi://`+backend.Addr().String()+`"
	ProxyFCGISetEnvIf "true" NEWV n
</Files>
`, "\tRewriteEngine On\n\tRewriteRule ^go$ /cgi/env.cgi [L]\n", "cgi/env.cgi", "echo \"SE=$SE REDIRECT_SE=$REDIRECT_SE\"")
	for name, text := range map[string]string{"x.php": "<?php ?>\n", "s.txt": "static\n"} {
		must(t, os.WriteFile(filepath.Join(p.apache.docs, name), []byte(text), 0o644))
	}
	p.check([]diffRequest{
		{Raw: get("/cgi/env.cgi", "main.test"), Want: "SE=late REDIRECT_SE=\n"},
		{Raw: get("/cgi/go", "main.test"), Want: "SE=late REDIRECT_SE=late\n"},
		{Raw: get("/x.php", "main.test"), Want: "fcgi SE=late\n"},
		{Raw: get("/s.txt", "main.test"), Want: "static\n"},
	})
	p.checkLogs("se_log")
}

// startCGIPair starts apache2 and ours (event) on a main server with the
// lines server, a <Directory @DOCS@/cgi> running *.cgi scripts with the
// lines dir too, and the executable script name (below the documents) whose
// text/plain answer the shell line body prints.
func startCGIPair(t *testing.T, server, dir, name, body string) *diffPair {
	t.Helper()
	conf := `ServerName main.test
Listen 127.0.0.1:@P0@
LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
DocumentRoot @DOCS@
` + server + `<Directory @DOCS@/cgi>
	Options +ExecCGI
	AddHandler cgi-script .cgi
` + dir + `</Directory>
`
	script := "#!/bin/sh\necho 'Content-Type: text/plain'\necho\n" + body + "\n"
	p := startPairMPM(t, "event", 1, conf, map[string]string{name: script})
	must(t, os.Chmod(filepath.Join(p.apache.docs, name), 0o755))
	return p
}

// TestCGIFallbackPostBody: a POST (or a PUT, DELETE, PATCH) to a URL that
// FallbackResource or DirectoryIndex hands to a script reaches the script
// with its body, as apache2's mod_dir redirects before any handler (ours
// discarded the body first: a front controller's forms lost their fields,
// php-fpm's answer a 400; and refused other methods with a 405). Where
// the fallback or the index is a static file, its answer reads the body
// (the default handler's ap_discard_request_body) whatever the method, a
// large one and one the client sends after "100 Continue" too, and the
// next request on the kept-alive connection is answered (review41).
func TestCGIFallbackPostBody(t *testing.T) {
	p := startCGIPair(t, "KeepAlive On\n<Directory @DOCS@/static>\n\tFallbackResource /static/index.html\n\tDirectoryIndex index.html\n</Directory>\n",
		"\tFallbackResource /cgi/cat.cgi\n\tDirectoryIndex cat.cgi\n", "cgi/cat.cgi",
		"echo \"len=$CONTENT_LENGTH body=$(head -c \"$CONTENT_LENGTH\")\"")
	must(t, os.MkdirAll(filepath.Join(p.apache.docs, "static"), 0o755)) // both servers' documents
	must(t, os.WriteFile(filepath.Join(p.apache.docs, "static/index.html"), []byte("<p>index</p>\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(p.apache.docs, "static/next.txt"), []byte("the next one\n"), 0o644))
	post := func(path, body string) string {
		return "POST " + path + " HTTP/1.1\r\nHost: main.test\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
			"Content-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n" + body
	}
	reqs := []diffRequest{
		{Raw: post("/cgi/zz", "abc=1"), Want: "len=5 body=abc=1\n"},
		{Raw: post("/cgi/", "abc=22"), Want: "len=6 body=abc=22\n"},
		{Raw: post("/cgi/cat.cgi", "abc=333"), Want: "len=7 body=abc=333\n"},
		// Whatever the method: mod_dir's fixups come before the default
		// handler's refusal (REST front controllers' PUT and DELETE).
		{Raw: "PUT" + strings.TrimPrefix(post("/cgi/zz", "abc=1"), "POST"), Want: "len=5 body=abc=1\n"},
		{Raw: "DELETE" + strings.TrimPrefix(post("/cgi/", "abc=1"), "POST"), Want: "len=5 body=abc=1\n"},
		{Raw: "PATCH /cgi/nothing/x HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"},
	}
	// Kept alive: each request with a body, then a GET on the connection.
	next := "GET /static/next.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"
	keep := func(method, path, body string, more ...string) diffRequest {
		raw := method + strings.TrimPrefix(post(path, body), "POST")
		raw = strings.Replace(raw, "Connection: close\r\n", strings.Join(more, ""), 1)
		return diffRequest{Raw: raw + next, Want: "the next one\n", Connection: true}
	}
	const expect = "Expect: 100-continue\r\n"
	reqs = append(reqs, keep("POST", "/cgi/zz", "abc=1"), keep("PUT", "/cgi/", "abc=1", expect))
	for _, path := range []string{"/static/zz", "/static/"} {
		for _, method := range []string{"POST", "GET", "PUT", "DELETE", "OPTIONS"} {
			reqs = append(reqs, keep(method, path, "abc=1"))
		}
		reqs = append(reqs, keep("POST", path, "abc=1", expect), keep("PUT", path, "abc=1", expect))
	}
	p.check(reqs)
	// A body beyond what the engine drains after a handler (256 KiB),
	// compared by its answers' framing: the static answer reads it whole.
	large := strings.Repeat("a", 300<<10)
	for _, path := range []string{"/static/zz", "/static/"} {
		for _, method := range []string{"POST", "GET", "PUT"} {
			p.compareFraming(method+" "+path+" with 300 KiB", []string{keep(method, path, large).Raw}, sortAllow)
		}
	}
}

// TestCGIOptions: an OPTIONS request reaches the script it names (mod_cgi
// runs it whatever the method) and the one mod_dir hands it to
// (FallbackResource, DirectoryIndex), with its query; a missing script is
// mod_cgi's 404. The default handler answers the rest: a static file's
// type, a directory's httpd/unix-directory (ours ran no script and sent
// no type for a directory).
func TestCGIOptions(t *testing.T) {
	p := startCGIPair(t, "<Directory @DOCS@/st>\n\tFallbackResource /st/i.html\n</Directory>\n<Directory @DOCS@/ns>\n\tDirectorySlash Off\n</Directory>\n",
		"\tFallbackResource /cgi/cat.cgi\n\tDirectoryIndex cat.cgi\n", "cgi/cat.cgi", "echo \"ran $REQUEST_METHOD $REQUEST_URI\"")
	d := p.apache.docs // ours serves the same
	must(t, os.MkdirAll(filepath.Join(d, "st/d"), 0o755))
	must(t, os.MkdirAll(filepath.Join(d, "ns/d"), 0o755))
	write(t, filepath.Join(d, "st/i.html"), "x")
	write(t, filepath.Join(d, "st/d/index.html"), "x")
	o := func(path, want string) diffRequest {
		return diffRequest{Raw: request("OPTIONS", path, "main.test", ""), Want: want}
	}
	p.check([]diffRequest{
		o("/cgi/zz", "ran OPTIONS /cgi/zz\n"), o("/cgi/zz?a=b", "ran OPTIONS /cgi/zz?a=b\n"), o("/cgi/zz/x", "ran OPTIONS /cgi/zz/x\n"),
		o("/cgi/", "ran OPTIONS /cgi/\n"), o("/cgi/?a=b", "ran OPTIONS /cgi/?a=b\n"),
		o("/cgi/cat.cgi", "ran OPTIONS /cgi/cat.cgi\n"), o("/cgi/cat.cgi/pi", "ran OPTIONS /cgi/cat.cgi/pi\n"),
		o("/cgi/no.cgi", "Not Found"), o("/cgi", "Moved"), o("/nothing", ""),
		o("/st/zz", ""), o("/st/", ""), o("/st/d/", ""), o("/", ""), o("/ns/", ""), o("/ns/d", ""), o("/ns/d/", ""),
	})
}

// TestCGIAddedFields: a script's HTTP_* variables are r->headers_in's
// entries in its order, those RequestHeader added after the client's; a
// value add gives a field the client sent, or one added before, is an
// entry of its own: apache2's environment then has the name twice (ours
// had one variable, the values joined). With a variable set before
// (SetEnv), ap_add_common_vars sets the entries over it, the last one
// winning at the first one's place. The script prints its environment as
// exec received it.
func TestCGIAddedFields(t *testing.T) {
	p := startCGIPair(t, requestHeaderLines, "\t<Files s.cgi>\n\t\tSetEnv SE 1\n\t</Files>\n", "cgi/e.cgi",
		"tr '\\000' '\\n' </proc/$$/environ | grep -E '^(HTTP_|SE=)'")
	must(t, os.Symlink("e.cgi", filepath.Join(p.apache.docs, "cgi/s.cgi")))
	p.check([]diffRequest{
		{Raw: "GET /cgi/e.cgi" + requestHeaderRequest, Want: "HTTP_X_CLIENT_ADD=1\nHTTP_X_CLIENT_APP=1, f\n"},
		{Raw: "GET /cgi/s.cgi" + requestHeaderRequest, Want: "HTTP_X_CLIENT_ADD=e\nHTTP_X_CLIENT_APP=1, f\n"},
	})
}

// TestCGIAddedRepeated: RequestHeader's append, merge and edit change a
// field the client sent on two lines as one entry, as apache2 merges them
// when it reads the request (ours appended to the first line, merged a
// value the second line had, edited each line), and a script sees it so.
func TestCGIAddedRepeated(t *testing.T) {
	p := startCGIPair(t, "RequestHeader append X-Rep a\nRequestHeader merge X-Mrg 2\nRequestHeader edit x-ed \"^1, 2$\" 12\n"+
		"RequestHeader add X-New a\nRequestHeader add x-new b\nRequestHeader edit X-NEW ^b$ B\n", "", "cgi/e.cgi",
		"tr '\\000' '\\n' </proc/$$/environ | grep -E '^HTTP_X'")
	p.check([]diffRequest{
		{Raw: "GET /cgi/e.cgi HTTP/1.1\r\nHost: main.test\r\nX-Rep: 1\r\nx-mrg: 1\r\nX-Ed: 1\r\nx-rep: 2\r\nX-MRG: 2\r\nx-ed: 2\r\nConnection: close\r\n\r\n",
			Want: "HTTP_X_REP=1, 2, a\n"},
	})
}
