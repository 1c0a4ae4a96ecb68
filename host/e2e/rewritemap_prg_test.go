package e2e_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
	"github.com/httpd-mpm/httpd-mpm/internal/testserver"
)

// mapProgram is a RewriteMap program: it says on stderr (the error log)
// who started it, where and with what arguments, then answers a line per
// key: "die" ends it, "partial" too after it writes "partial" without a
// newline, "env" counts its variables but PWD, "empty" is an empty line, "null"/"Null" say NULL,
// "who" its user, "args" its arguments, "pwd" its directory, "hang" a late
// "late" (3 s), others "v-KEY".
const mapProgram = `#!/bin/sh
echo "map program started as $(id -un) in $(pwd) with $# args: $*" >&2
while read -r k; do
  case "$k" in
    die) exit 0;;
    partial) printf partial; exit 0;;
    env) env | grep -v '^PWD=' | wc -l;;
    empty) echo "";;
    null) echo NULL;;
    Null) echo Null;;
    who) id -un;;
    args) echo "$#:$1:$2";;
    pwd) pwd;;
    hang) sleep 3; echo late;;
    *) echo "v-$k";;
  esac
done
`

// countProgram answers a key with the number of keys it has read: one
// program for all the children, as apache2's.
const countProgram = `#!/bin/sh
n=0
while read -r k; do
  n=$((n+1))
  echo "$n-$k"
done
`

// rewriteMapPrgConf: prg maps in the main server (with arguments, shared
// with a virtual host that inherits them), a program that dies, one run as
// another user (as root), a line another of its name replaces (its
// program is not started), and a virtual host whose RewriteEngine is off:
// its program is not started, its map has no value (in a .htaccess file).
const rewriteMapPrgConf = `ServerName main.test
Listen 127.0.0.1:@P0@
Listen 127.0.0.1:@P1@
DocumentRoot @DOCS@
<Directory @DOCS@>
    Require all granted
    AllowOverride FileInfo
</Directory>
RewriteEngine On
RewriteMap p "prg:/bin/sh @DOCS@/../maps/prog.sh a1 'two words'"
RewriteMap count "prg:/bin/sh @DOCS@/../maps/prog.sh replaced"
RewriteMap count "prg:/bin/sh @DOCS@/../maps/count.sh"
RewriteMap dying "prg:/bin/sh @DOCS@/../maps/prog.sh"
RewriteMap last "prg:/bin/sh @DOCS@/../maps/prog.sh"
RewriteMap unesc int:unescape
%s
RewriteRule ^/p/(.*) /x/${p:$1|DEF} [R,L]
RewriteRule ^/count/(.*) /x/${count:$1} [R,L]
RewriteRule ^/dying/(.*) /x/${dying:$1|DEF} [R,L]
RewriteRule ^/last/(.*) /x/${last:$1|DEF} [R,L]
RewriteCond %%{QUERY_STRING} (.+)
RewriteRule ^/unesc$ /x/${p:${unesc:%%1}|DEF} [R,L]
RewriteRule ^/who$ /x/${who:who|DEF} [R,L]
RewriteCond ${p:%%{HTTP:X-Key}} =v-yes
RewriteRule ^/cond$ /page.html [L]
<VirtualHost *:@P1@>
    ServerName on.test
    RewriteEngine On
    RewriteOptions Inherit
    RewriteRule ^/v/(.*) /x/${count:$1}/${p:$1|DEF} [R,L]
</VirtualHost>
<VirtualHost *:@P1@>
    ServerName off.test
    RewriteEngine Off
    RewriteMap offm "prg:/bin/sh @DOCS@/../maps/prog.sh"
</VirtualHost>
`

func prgMapDocs() map[string]string {
	return map[string]string{
		"page.html":        "<p>page</p>\n",
		"offdir/.htaccess": "RewriteEngine On\nRewriteRule ^(.*)$ /x/${offm:$1|notstarted} [R,L]\n",
		"offdir/f":         "f\n",
		"../maps/prog.sh":  mapProgram,
		"../maps/count.sh": countProgram,
	}
}

func prgMapConf() string {
	who := "RewriteMap who prg:/bin/cat" // not root: the program's own user
	if os.Geteuid() == 0 {
		who = `RewriteMap who "prg:/bin/sh @DOCS@/../maps/prog.sh" nobody:nogroup`
	}
	return fmt.Sprintf(rewriteMapPrgConf, who)
}

// TestRewriteMapProgram compares prg maps' answers with apache2's, each
// running the same programs, and the programs' stderr lines in the error
// logs; then a graceful restart starts the programs again in both.
func TestRewriteMapProgram(t *testing.T) {
	docs := prgMapDocs()
	p := startPair(t, 2, prgMapConf(), docs)
	reqs := []diffRequest{
		{Raw: get("/p/a", "main.test")},
		{Raw: get("/p/empty", "main.test")}, // an empty value, not the default
		{Raw: get("/p/null", "main.test")},  // NULL: the default
		{Raw: get("/p/Null", "main.test")},
		{Raw: get("/p/a%0Ab", "main.test")}, // a newline: no value, the program not asked
		{Raw: get("/p/args", "main.test")},
		{Raw: get("/p/pwd", "main.test")},
		{Raw: get("/p/sp%20ace", "main.test")},
		{Raw: get("/count/a", "main.test")},
		{Raw: get("/count/b", "main.test")},
		{Raw: get("/v/c", "on.test"), Port: 1}, // the main server's programs
		{Raw: get("/count/d", "main.test")},
		{Raw: get("/offdir/f", "off.test"), Port: 1},
		{Raw: request("GET", "/cond", "main.test", "", "X-Key: yes"), Want: "page"},
		{Raw: request("GET", "/cond", "main.test", "", "X-Key: no")},
		{Raw: get("/dying/a", "main.test")},
		{Raw: get("/dying/die", "main.test")}, // it ends: an empty value
		{Raw: get("/dying/b", "main.test")},
		{Raw: get("/last/partial", "main.test"), Want: "/x/partial"}, // its last words without newline
		{Raw: get("/last/b", "main.test")},
		{Raw: get("/p/env", "main.test"), Want: "/x/0"},            // no environment
		{Raw: get("/unesc?a%00b", "main.test"), Want: "/x/v-a"},    // up to the NUL
		{Raw: get("/unesc?a%00%0Ab", "main.test"), Want: "/x/v-a"}, // its newline after is not seen
	}
	if os.Geteuid() == 0 {
		reqs = append(reqs, diffRequest{Raw: get("/who", "main.test"), Want: "/x/nobody"})
	}
	p.check(reqs)
	for _, s := range []*diffServer{p.apache, p.ours} {
		b, err := os.ReadFile(filepath.Join(s.root, "logs", "error_log"))
		must(t, err)
		log := string(b)
		me := "root"
		if os.Geteuid() != 0 {
			me = currentUser(t)
		}
		usrBin, err := filepath.EvalSymlinks("/bin") // /usr/bin where /bin links to it
		for _, want := range []string{
			"map program started as " + me + " in " + usrBin + " with 2 args: a1 two words\n", // the program's directory
			"map program started as " + me + " in " + usrBin + " with 0 args: \n",
		} {
			if !strings.Contains(log, want) {
				t.Errorf("%s: error_log lacks the program's line %q:\n%s", s.name, want, log)
			}
		}
		want := 3 // p, dying and last; who's too as root; not the replaced count's nor off.test's
		if os.Geteuid() == 0 {
			want++
		}
		if n := strings.Count(log, "map program started"); n != want || strings.Contains(log, "args: replaced") {
			t.Errorf("%s: %d map programs started, want %d (p, dying, last, who as root; not the replaced count's nor off.test's)", s.name, n, want)
		}
	}

	// A graceful restart starts the programs again (count from 1).
	p.reload(prgMapConf()+"# again\n", func(s *diffServer) bool {
		a := s.ask(t, "127.0.0.1", 0, get("/dying/z", "main.test"))
		return len(a) == 1 && strings.HasSuffix(a[0].Location, "/x/v-z")
	})
	p.check([]diffRequest{
		{Raw: get("/count/a", "main.test")},
		{Raw: get("/p/a", "main.test")},
	})
}

func currentUser(t *testing.T) string {
	out, err := exec.Command("id", "-un").Output()
	must(t, err)
	return strings.TrimSpace(string(out))
}

// prgSite is a site on MPM m whose /f/KEY serves the file a map program
// names (a 404 without a value).
func prgSite(t *testing.T, m struct{ Name, Module string }, program, extra string) *instance {
	root := newSite(t, m.Name, m.Module, "RewriteEngine On\nRewriteMap m prg:maps/prog.sh\n"+
		"RewriteRule ^/f/(.*) /${m:$1|missing} [L]\n"+extra)
	must(t, os.MkdirAll(filepath.Join(root, "maps"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "maps/prog.sh"), []byte(program), 0o755))
	return start(t, root)
}

// programs are the running processes whose command line holds s.
func programs(t *testing.T, s string) []string {
	out, _ := exec.Command("pgrep", "-f", s).Output()
	return strings.Fields(string(out))
}

// TestRewriteMapProgramGracefulLoad: ab's requests, each looking a key up,
// all succeed through two graceful restarts; each restart starts the
// program again and the old one ends once its generation has; with every
// MPM.
func TestRewriteMapProgramGracefulLoad(t *testing.T) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) { prgGracefulLoad(t, m) })
	}
}

func prgGracefulLoad(t *testing.T, m struct{ Name, Module string }) {
	in := prgSite(t, m, "#!/bin/sh\nwhile read -r k; do echo hello.txt; done\n", "")
	if _, body := in.get("/f/x"); body != "hello, world\n" {
		t.Fatalf("/f/x: %q, want hello.txt's", body)
	}
	prog := filepath.Join(in.root, "maps/prog.sh")
	ab := exec.Command("ab", "-t", "3", "-n", "1000000", "-c", "6", in.url("/f/k"))
	var out strings.Builder
	ab.Stdout, ab.Stderr = &out, &out
	must(t, ab.Start())
	done := make(chan error, 1)
	go func() { done <- ab.Wait() }()
	for range 2 {
		time.Sleep(700 * time.Millisecond)
		in.signal(syscall.SIGUSR1)
	}
	if err := <-done; err != nil {
		t.Fatalf("ab: %v\n%s", err, out.String())
	}
	if i := strings.Index(out.String(), "Complete requests:"); i >= 0 {
		t.Log(strings.SplitN(out.String()[i:], "\n", 2)[0])
	}
	// A lookup without the program's answer serves "missing": a 404.
	if !strings.Contains(out.String(), "Failed requests:        0") || strings.Contains(out.String(), "Non-2xx") ||
		strings.Contains(out.String(), "Complete requests:      0") {
		t.Errorf("ab:\n%s", out.String())
	}
	if strings.Count(in.srv.ErrorLog(), "serving; retiring") != 2 {
		t.Errorf("the graceful restarts did not happen under load:\n%s", in.srv.ErrorLog())
	}
	if !eventually(20*time.Second, func() bool { return len(programs(t, prog)) == 1 }) {
		t.Errorf("map programs running after two graceful restarts: %v, want the last generation's only", programs(t, prog))
	}
	if n := strings.Count(in.srv.ErrorLog(), "AH00654"); n > 0 {
		t.Errorf("error_log:\n%s", in.srv.ErrorLog())
	}
	if _, body := in.get("/f/y"); body != "hello, world\n" {
		t.Errorf("/f/y after the restarts: %q", body)
	}
	in.signal(syscall.SIGTERM)
	in.wait()
	if !eventually(10*time.Second, func() bool { return len(programs(t, prog)) == 0 }) {
		t.Errorf("map programs running after the server stopped: %v", programs(t, prog))
	}
}

// TestRewriteMapProgramLate: a program that has not answered within the
// server's Timeout gives no value (the default), and so do the next
// lookups without asking it, until its late answer has come (dropped);
// then it answers again. apache2 waits without end.
func TestRewriteMapProgramLate(t *testing.T) {
	in := prgSite(t, testbin.MPMs[0], mapProgram, "Timeout 1\nRewriteRule ^/k/(.*) /x/${m:$1|DEF} [R,L]\n")
	loc := func(path string) string {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(in.url(path))
		must(t, err)
		resp.Body.Close()
		u, _ := resp.Location()
		if u == nil {
			return ""
		}
		return u.Path
	}
	if got := loc("/k/a"); got != "/x/v-a" {
		t.Fatalf("/k/a: %q", got)
	}
	if got := loc("/k/hang"); got != "/x/DEF" {
		t.Errorf("/k/hang: %q, want the default", got)
	}
	if !in.errorLogHas(`did not answer key "hang" within 1s`, 5*time.Second) {
		t.Errorf("error_log:\n%s", in.srv.ErrorLog())
	}
	// The late answer comes 3 s after the key; meanwhile no value, after
	// it the program's.
	if !eventually(20*time.Second, func() bool { return loc("/k/b") == "/x/v-b" }) {
		t.Errorf("/k/b never answered after the late answer")
	}
	if got := loc("/k/c"); got != "/x/v-c" {
		t.Errorf("/k/c: %q", got)
	}
}

// TestRewriteMapProgramCannotStart: a program that cannot be executed, or
// whose user does not exist (as root), stops the start, as apache2's
// AH00654, logged under rewrite, before the MPM serves.
func TestRewriteMapProgramCannotStart(t *testing.T) {
	cases := []struct{ line, mode string }{{"RewriteMap m prg:maps/prog.sh", "0644"}}
	if os.Geteuid() == 0 {
		cases = append(cases, struct{ line, mode string }{"RewriteMap m prg:maps/prog.sh nosuchuser:nogroup", "0755"})
	}
	for _, c := range cases {
		root := newSite(t, "event", "mpm_event_module", "RewriteEngine On\n"+c.line+"\n")
		must(t, os.MkdirAll(filepath.Join(root, "maps"), 0o755))
		mode := os.FileMode(0o644)
		if c.mode == "0755" {
			mode = 0o755
		}
		must(t, os.WriteFile(filepath.Join(root, "maps/prog.sh"), []byte("#!/bin/sh\ncat\n"), mode))
		httpd, _ := build(t)
		out, err := exec.Command(httpd, "-d", root, "-f", filepath.Join(root, "httpd.conf"), "-D", "FOREGROUND").CombinedOutput()
		if err == nil || !strings.Contains(string(out), "AH00654: mod_rewrite: could not start RewriteMap program "+filepath.Join(root, "maps/prog.sh")) {
			t.Errorf("%s (%s): httpd -D FOREGROUND: %v\n%s", c.line, c.mode, err, out)
		}
		// Logged as apache2's, before anything is served.
		log, _ := os.ReadFile(filepath.Join(root, "logs/error_log"))
		if !strings.Contains(string(log), "[rewrite:error]") || !strings.Contains(string(log), "AH00654") || strings.Contains(string(log), "resuming normal operations") {
			t.Errorf("%s (%s): error_log:\n%s", c.line, c.mode, log)
		}
	}
}

// cgiHolder is a CGI script that opens 100 connections to the socket its
// query string names, asks a key on each and keeps them all until it has
// done, as review47's hold.py: it says how many were answered, closed
// without an answer or could not connect.
const cgiHolder = `#!/usr/bin/perl
use strict;
use IO::Socket::UNIX;
$SIG{PIPE} = 'IGNORE';
my ($answered, $closed, $failed) = (0, 0, 0);
my @held;
for (1 .. 100) {
  my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ENV{QUERY_STRING});
  if (!$s) { $failed++; next; }
  $s->autoflush(1);
  print $s "k\n";
  my $line = <$s>;
  if (defined $line) { $answered++; } else { $closed++; }
  push @held, $s;
}
print "Content-Type: text/plain\n\nanswered=$answered closed=$closed failed=$failed\n";
`

// TestRewriteMapProgramStranger: a CGI script runs as the children's User,
// whom a prg map's socket admits, but is not a child of the MPM process:
// each of its connections is closed at once (logged once), so it cannot
// hold the connections the children need (review47), and the children's
// lookups keep their answers.
func TestRewriteMapProgramStranger(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the CGI script runs as User nobody")
	}
	if _, err := os.Stat("/usr/bin/perl"); err != nil {
		t.Skip("needs /usr/bin/perl")
	}
	tmp, err := os.MkdirTemp("/tmp", "prgcgi-") // the server's TMPDIR: its sockets' directory in it
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(tmp) })
	must(t, os.Chmod(tmp, 0o755))
	root := newSite(t, "event", "mpm_event_module", "User nobody\nGroup #65534\nRewriteEngine On\nRewriteMap m prg:maps/prog.sh\n"+
		"RewriteRule ^/f/(.*) /x/${m:$1|DEF} [R,L]\n")
	must(t, os.MkdirAll(filepath.Join(root, "maps"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "maps/prog.sh"), []byte(mapProgram), 0o755))
	cgiBin(t, root, map[string]string{"hold.cgi": cgiHolder}, "")
	reachableByNobody(t, root)
	httpd, _ := build(t)
	cmd := testserver.Command(httpd, root)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	in := startCmd(t, root, cmd)

	socks, _ := filepath.Glob(filepath.Join(tmp, "httpd-rewritemap-*", "0"))
	if len(socks) != 1 {
		t.Fatalf("sockets in the server's TMPDIR: %q, want one", socks)
	}
	resp, body := in.get("/cgi-bin/hold.cgi?" + socks[0])
	if resp.StatusCode != 200 || body != "answered=0 closed=100 failed=0\n" {
		t.Errorf("the CGI script: %d %q, want its 100 connections closed unanswered", resp.StatusCode, body)
	}
	for _, key := range []string{"a", "b", "c"} {
		if resp, _ := in.get("/f/" + key); resp.Header.Get("Location") != "/x/v-"+key && !strings.HasSuffix(resp.Header.Get("Location"), "/x/v-"+key) {
			t.Errorf("/f/%s: %d %q, want the program's value", key, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	log := in.srv.ErrorLog()
	if n := strings.Count(log, "closed a connection from pid"); n != 1 || !strings.Contains(log, "(uid 65534): not the MPM process") {
		t.Errorf("%d refusals logged, want 1 of uid 65534:\n%s", n, log)
	}
}
