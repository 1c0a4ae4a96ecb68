package e2e_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestVhostErrorLog: a <VirtualHost> with its own ErrorLog gets the errors of the
// requests it serves, the main error log those of the main server and of a virtual
// host without one, and a graceful restart opens the file again. apache2 2.4.71
// (event) with the same sections wrote, in logs/b_error_log:
//
//	[Sun Nov 22 18:13:44.603886 2026] [authz_core:error] [pid 16020:tid 16051] [client 127.0.0.1:35798] AH01630: client denied by server configuration: /tmp/vhap/htdocs/deny
//
// and the same line for a.test in logs/error_log, beside its AH00489 and AH00094;
// after "mv b_error_log b_error_log.1" and SIGUSR1 the next b.test line went to a
// new b_error_log; with "mv error_log error_log.1" too, AH00493 (SIGUSR1
// received) was the last line of error_log.1 and the new generation's AH00489
// the first of a new error_log. Ours name no thread: "[pid N]".
func TestVhostErrorLog(t *testing.T) {
	const sections = `
<Location /deny>
    Require all denied
</Location>
<VirtualHost *>
    ServerName a.test
</VirtualHost>
<VirtualHost *>
    ServerName b.test
    ErrorLog logs/b_error_log
</VirtualHost>
`
	root := newSite(t, "event", "mpm_event_module", sections+"LogLevel warn\n")
	for _, f := range []string{"a", "b", "other", "again"} { // the message names the file
		must(t, os.MkdirAll(filepath.Join(root, "htdocs/deny"), 0o755))
		write(t, filepath.Join(root, "htdocs/deny", f+".txt"), f+"\n")
	}
	in := start(t, root)
	docs, err := filepath.EvalSymlinks(filepath.Join(root, "htdocs"))
	must(t, err)
	bLog := filepath.Join(root, "logs/b_error_log")
	read := func(path string) string {
		b, _ := os.ReadFile(path)
		return string(b)
	}
	line := func(path string) *regexp.Regexp {
		return regexp.MustCompile(`(?m)^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d\.\d{6} \d{4}\] \[authz_core:error\] \[pid \d+\] \[client 127\.0\.0\.1:\d+\] ` +
			`AH01630: client denied by server configuration: ` + regexp.QuoteMeta(docs+path) + `$`)
	}
	deny := func(host, path string) {
		t.Helper()
		resp := in.raw("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
		if !strings.HasPrefix(resp, "HTTP/1.1 403 ") {
			t.Fatalf("%s %s: %.40q, want 403", host, path, resp)
		}
	}
	if _, err := os.Stat(bLog); err != nil {
		t.Fatalf("b.test's ErrorLog not created at start: %v", err)
	}
	if !holds(in.cmd.Process.Pid, bLog) {
		t.Fatalf("httpd does not hold %s open", bLog)
	}
	deny("b.test", "/deny/b.txt")
	deny("a.test", "/deny/a.txt")
	deny("other.test", "/deny/other.txt") // the first vhost of *: a.test
	bLine, aLine, otherLine := line("/deny/b.txt"), line("/deny/a.txt"), line("/deny/other.txt")
	if !eventually(10*time.Second, func() bool { return bLine.MatchString(read(bLog)) && otherLine.MatchString(in.srv.ErrorLog()) }) {
		t.Fatalf("b_error_log:\n%s\nerror_log:\n%s", read(bLog), in.srv.ErrorLog())
	}
	main, b := in.srv.ErrorLog(), read(bLog)
	if !aLine.MatchString(main) || bLine.MatchString(main) {
		t.Errorf("main error log: a.test's line %v (want true), b.test's %v (want false):\n%s", aLine.MatchString(main), bLine.MatchString(main), main)
	}
	if n := strings.Count(b, "\n"); n != 1 || !strings.Contains(main, "AH00489") || strings.Contains(b, "AH00489") {
		t.Errorf("b_error_log has %d lines (want its one request's), or the process lines are not in the main log only:\n%s", n, b)
	}

	// Both logs rotated away, then a graceful restart: the next lines go to
	// new files, the main server's own (AH00489 of the new generation) too.
	mainLog := filepath.Join(root, "logs/error_log")
	must(t, os.Rename(bLog, bLog+".1"))
	must(t, os.Rename(mainLog, mainLog+".1"))
	in.signal(syscall.SIGUSR1)
	if !eventually(20*time.Second, func() bool { return strings.Contains(in.srv.ErrorLog(), "serving; retiring") }) {
		t.Fatalf("no restart: error_log %q\nerror_log.1:\n%s", in.srv.ErrorLog(), read(mainLog+".1"))
	}
	if old := read(mainLog + ".1"); !strings.Contains(old, "AH00493: SIGUSR1 received") || strings.Contains(old, "serving; retiring") {
		t.Errorf("the rotated main log should end with the restart's signal:\n%s", old)
	}
	if !eventually(10*time.Second, func() bool { return strings.Contains(in.srv.ErrorLog(), "AH00489") }) {
		t.Errorf("no AH00489 in the new main log:\n%s", in.srv.ErrorLog())
	}
	// An old child may still take a connection while it retires (its line
	// goes to the old file, as Apache's old children's do): ask until the
	// new generation answers.
	again := line("/deny/again.txt")
	if !eventually(20*time.Second, func() bool {
		deny("b.test", "/deny/again.txt")
		return again.MatchString(read(bLog))
	}) {
		t.Fatalf("after SIGUSR1 no line in a new b_error_log (%q); b_error_log.1:\n%s", read(bLog), read(bLog+".1"))
	}
	if strings.Contains(in.srv.ErrorLog(), "/deny/again.txt") {
		t.Errorf("b.test's line in the main error log after the restart:\n%s", in.srv.ErrorLog())
	}
	// The retired generation's files are closed once its plugin has ended.
	if !eventually(20*time.Second, func() bool { return !holds(in.cmd.Process.Pid, bLog+".1") }) {
		t.Errorf("httpd still holds b_error_log.1 open after the old generation retired")
	}
	if !eventually(20*time.Second, func() bool { return !holds(in.cmd.Process.Pid, mainLog+".1") }) {
		t.Errorf("httpd still holds error_log.1 open after the old generation retired")
	}
	if !holds(in.cmd.Process.Pid, mainLog) {
		t.Errorf("httpd does not hold the new error_log open")
	}

	// A restart to a config whose vhost ErrorLog cannot be opened keeps the
	// running generation and its files (apache2 would exit).
	conf := filepath.Join(root, "httpd.conf")
	old, err := os.ReadFile(conf)
	must(t, err)
	write(t, conf, strings.Replace(string(old), "ErrorLog logs/b_error_log", "ErrorLog nodir/b_error_log", 1))
	in.signal(syscall.SIGUSR1)
	if !eventually(20*time.Second, func() bool { return strings.Contains(in.srv.ErrorLog(), "configuration not reloaded") }) {
		t.Fatalf("no refused restart:\n%s", in.srv.ErrorLog())
	}
	if main := in.srv.ErrorLog(); !strings.Contains(main, "AH02291: Cannot access directory '"+root+"/nodir/' for error log of vhost defined at "+conf+":") {
		t.Errorf("no AH02291 in the main log:\n%s", main)
	}
	last := line("/deny/last.txt")
	write(t, filepath.Join(root, "htdocs/deny/last.txt"), "last\n")
	deny("b.test", "/deny/last.txt")
	if !eventually(10*time.Second, func() bool { return last.MatchString(read(bLog)) }) {
		t.Errorf("after a refused restart b.test's line is not in b_error_log (%q)", read(bLog))
	}
}

// holds says whether process pid has path open.
func holds(pid int, path string) bool {
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, fd := range fds {
		if l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); err == nil && l == path {
			return true
		}
	}
	return false
}

// TestRefusedRestartKeepsMainLog: a graceful restart to a config with another
// main ErrorLog that then fails (a vhost's piped logger cannot start, after the
// new main log was opened) keeps the running generation and its main log: the
// refusal and the requests' errors after it are in the old file, none in the
// new config's.
func TestRefusedRestartKeepsMainLog(t *testing.T) {
	root := newSite(t, "event", "mpm_event_module", "<Location /deny>\n    Require all denied\n</Location>\nLogLevel warn\n")
	must(t, os.MkdirAll(filepath.Join(root, "htdocs/deny"), 0o755))
	write(t, filepath.Join(root, "htdocs/deny/x.txt"), "x\n")
	in := start(t, root)
	conf := filepath.Join(root, "httpd.conf")
	old, err := os.ReadFile(conf)
	must(t, err)
	if !strings.Contains(string(old), "ErrorLog logs/error_log\n") {
		t.Fatalf("the site's config has no main ErrorLog to change:\n%s", old)
	}
	next := strings.Replace(string(old), "ErrorLog logs/error_log\n", "ErrorLog logs/next_log\n", 1) +
		"<VirtualHost *>\n    ServerName b.test\n    ErrorLog \"|/nonexistent/logger\"\n</VirtualHost>\n"
	write(t, conf, next)
	in.signal(syscall.SIGUSR1)
	nextLog := filepath.Join(root, "logs/next_log")
	read := func(path string) string {
		b, _ := os.ReadFile(path)
		return string(b)
	}
	if !eventually(20*time.Second, func() bool {
		return strings.Contains(in.srv.ErrorLog(), "configuration not reloaded") || strings.Contains(read(nextLog), "configuration not reloaded")
	}) {
		t.Fatalf("no refused restart:\nerror_log:\n%s\nnext_log:\n%s", in.srv.ErrorLog(), read(nextLog))
	}
	resp := in.raw("GET /deny/x.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(resp, "HTTP/1.1 403 ") {
		t.Fatalf("GET /deny/x.txt: %.40q, want 403", resp)
	}
	if !eventually(10*time.Second, func() bool { return strings.Contains(in.srv.ErrorLog(), "/deny/x.txt") }) {
		t.Errorf("the request's error is not in the old main log:\n%s\nnext_log:\n%s", in.srv.ErrorLog(), read(nextLog))
	}
	main := in.srv.ErrorLog()
	for _, want := range []string{"AH00089: Couldn't start ErrorLog process '/nonexistent/logger'.", "configuration not reloaded"} {
		if !strings.Contains(main, want) {
			t.Errorf("the old main log lacks %q:\n%s", want, main)
		}
	}
	if n := read(nextLog); strings.Contains(n, "not reloaded") || strings.Contains(n, "/deny/x.txt") {
		t.Errorf("the refused config's main log has lines:\n%s", n)
	}
}

// TestVhostNameErrorLogged: a virtual host without ServerName on an address
// without a reverse DNS name is Apache's AH00549 error, which it logs to the main
// error log at every start and restart (ap_fini_vhost_config) as -S prints it.
func TestVhostNameErrorLogged(t *testing.T) {
	// 192.0.2.1 (TEST-NET-1) has no name here; the section only names it.
	root := newSite(t, "event", "mpm_event_module", "<VirtualHost 192.0.2.1>\n    DocumentRoot htdocs\n</VirtualHost>\n")
	in := start(t, root)
	msg := regexp.MustCompile(`(?m)^\[[^]]+\] \[core:error\] \[pid \d+\] .*AH00549: Failed to resolve server name for 192\.0\.2\.1 \(check DNS\) -- or specify an explicit ServerName$`)
	if !eventually(10*time.Second, func() bool { return len(msg.FindAllString(in.srv.ErrorLog(), -1)) == 1 }) {
		t.Fatalf("no AH00549 at start in the error log:\n%s", in.srv.ErrorLog())
	}
	in.signal(syscall.SIGUSR1)
	if !eventually(20*time.Second, func() bool { return len(msg.FindAllString(in.srv.ErrorLog(), -1)) == 2 }) {
		t.Errorf("no second AH00549 after a graceful restart:\n%s", in.srv.ErrorLog())
	}
}

// vhostLogLevelConf: the main server at LogLevel warn; b.test and c.test at
// info (c.test with its own ErrorLog), d.test at error with its own ErrorLog,
// a.test without LogLevel (the main server's).
const vhostLogLevelConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@/main
<Directory @DOCS@>
    Require all granted
</Directory>
<Location /deny>
    Require all denied
</Location>
LogLevel warn
<VirtualHost 127.0.0.1:@P0@>
    ServerName a.test
    DocumentRoot @DOCS@/a
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName b.test
    DocumentRoot @DOCS@/b
    LogLevel info
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName c.test
    DocumentRoot @DOCS@/c
    LogLevel info
    ErrorLog logs/c_error_log
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName d.test
    DocumentRoot @DOCS@/d
    LogLevel error
    ErrorLog logs/d_error_log
</VirtualHost>
`

// TestVhostLogLevel: a <VirtualHost>'s LogLevel applies to the errors of its
// requests, as apache2's ap_log_rerror uses the request's server's level (a
// virtual host without one has the main server's): a missing file is
// AH00128 (an info line) in b.test's and c.test's logs and in no other, a
// denied path AH01630 (an error) in every server's; each line in the file
// of the server that answered. Both servers' request lines compared, time,
// pid (apache2 adds the thread) and client port left out.
func TestVhostLogLevel(t *testing.T) {
	docs := vhostDocs("main", "a", "b", "c", "d")
	for _, v := range []string{"main", "a", "b", "c", "d"} {
		docs[v+"/deny/x.txt"] = "x\n"
	}
	p := startPair(t, 1, vhostLogLevelConf, docs)
	var reqs []diffRequest
	for _, host := range []string{"a.test", "b.test", "c.test", "d.test"} {
		reqs = append(reqs, diffRequest{Raw: get("/missing", host), Want: "Not Found"},
			diffRequest{Raw: get("/deny/x.txt", host), Want: "Forbidden"})
	}
	p.check(reqs)
	must(t, p.apache.stop())
	must(t, p.ours.stop())
	volatile := regexp.MustCompile(`^\[[^]]+\] (\[[^]]+\]) \[pid \d+(:tid \d+)?\] \[client 127\.0\.0\.1:\d+\] `)
	requestLines := func(s *diffServer, name string) []string {
		var out []string
		for _, l := range s.logLines(t, name) {
			if m := volatile.FindStringSubmatch(l); m != nil {
				out = append(out, m[1]+" "+l[len(m[0]):])
			}
		}
		return out
	}
	for _, log := range []string{"error_log", "c_error_log", "d_error_log"} {
		want, got := requestLines(p.apache, log), requestLines(p.ours, log)
		if len(want) == 0 {
			t.Errorf("logs/%s: apache wrote no request lines", log)
		}
		if !slices.Equal(got, want) {
			t.Errorf("logs/%s, request lines (sorted):\napache:\n  %s\nours:\n  %s", log, strings.Join(want, "\n  "), strings.Join(got, "\n  "))
		} else {
			t.Logf("logs/%s, both:\n  %s", log, strings.Join(want, "\n  "))
		}
	}
}
