package e2e_test

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/proctree"
)

// deniedLine matches the AH01630 line of a denied request for docs+path and
// captures the pid in it.
func deniedLine(docs, path string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d\.\d{6} \d{4}\] \[authz_core:error\] \[pid (\d+)\] \[client 127\.0\.0\.1:\d+\] ` +
		`AH01630: client denied by server configuration: ` + regexp.QuoteMeta(docs+path) + `$`)
}

// mpmPlugin is the host's child that runs the MPM plugin (the host may have
// piped loggers as children too).
func mpmPlugin(t *testing.T, host int) int {
	t.Helper()
	var plugin int
	eventually(5*time.Second, func() bool {
		for _, pid := range children(host) {
			if exe, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe"); strings.Contains(filepath.Base(exe), "mod_mpm_") {
				plugin = pid
				return true
			}
		}
		return false
	})
	if plugin == 0 {
		t.Fatalf("no MPM plugin among the host's children %v", children(host))
	}
	return plugin
}

// denySite is a site for mpmName with /deny/x.txt denied, LogLevel warn and extra.
func denySite(t *testing.T, mpmName, module, extra string) (root, docs string) {
	t.Helper()
	root = newSite(t, mpmName, module, "<Location /deny>\n    Require all denied\n</Location>\nLogLevel warn\n"+extra)
	must(t, os.MkdirAll(filepath.Join(root, "htdocs/deny"), 0o755))
	for _, f := range []string{"x", "y", "z"} {
		write(t, filepath.Join(root, "htdocs/deny", f+".txt"), f+"\n")
	}
	docs, err := filepath.EvalSymlinks(filepath.Join(root, "htdocs"))
	must(t, err)
	return root, docs
}

// denied asks for path, which must be refused.
func (in *instance) denied(path string) {
	in.t.Helper()
	if resp := in.raw("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(resp, "HTTP/1.1 403 ") {
		in.t.Fatalf("GET %s: %.40q, want 403", path, resp)
	}
}

// stopHost stops the host (SIGSTOP) until the returned func continues it (also
// at the end of the test): a line that reaches a log meanwhile was not written,
// or relayed from a plugin's stderr, by the host. The MPM serves on.
func stopHost(t *testing.T, in *instance) (cont func()) {
	t.Helper()
	pid := in.cmd.Process.Pid
	must(t, syscall.Kill(pid, syscall.SIGSTOP))
	cont = func() { _ = syscall.Kill(pid, syscall.SIGCONT) }
	t.Cleanup(cont)
	return cont
}

// TestChildWritesErrorLog: a request's error line is written by the MPM child
// that served the request, as Apache's children write theirs: it reaches the
// error log while the host is stopped (no relay of a logger line through the
// host), the pid in it is one of the plugin's children (not the plugin, not the
// host), and that child holds the error log open, the descriptor the host
// opened and handed over. Under every MPM.
func TestChildWritesErrorLog(t *testing.T) {
	for _, m := range []struct{ name, module string }{{"prefork", "mpm_prefork_module"}, {"worker", "mpm_worker_module"}, {"event", "mpm_event_module"}} {
		t.Run(m.name, func(t *testing.T) {
			root, docs := denySite(t, m.name, m.module, "")
			in := start(t, root)
			plugin := mpmPlugin(t, in.cmd.Process.Pid)
			cont := stopHost(t, in)
			in.denied("/deny/x.txt")
			line := deniedLine(docs, "/deny/x.txt")
			var match []string
			if !eventually(10*time.Second, func() bool { match = line.FindStringSubmatch(in.srv.ErrorLog()); return match != nil }) {
				t.Fatalf("no AH01630 line while the host is stopped:\n%s", in.srv.ErrorLog())
			}
			cont()
			pid, _ := strconv.Atoi(match[1])
			if kids := children(plugin); !slices.Contains(kids, pid) {
				t.Fatalf("the line's pid %d is not a child of the plugin %d (children %v, host %d)", pid, plugin, kids, in.cmd.Process.Pid)
			}
			errorLog := filepath.Join(root, "logs/error_log")
			if !slices.Contains(slices.Collect(maps.Values(proctree.FDs(pid))), errorLog) {
				t.Errorf("child %d does not hold %s open: %v", pid, errorLog, proctree.FDs(pid))
			}
		})
	}
}

// TestChildWritesPipedErrorLog: with the main ErrorLog a piped logger, a
// child's request lines reach the logger through the pipe the host started it
// on: the child holds that pipe (the logger's stdin) and its lines, under its
// pid, are what the logger writes, while the host is stopped.
func TestChildWritesPipedErrorLog(t *testing.T) {
	root, docs := denySite(t, "event", "mpm_event_module", "")
	piped := filepath.Join(root, "logs/piped_log")
	conf := filepath.Join(root, "httpd.conf")
	b, err := os.ReadFile(conf)
	must(t, err)
	write(t, conf, strings.Replace(string(b), "ErrorLog logs/error_log\n", `ErrorLog "|$exec cat >> `+piped+`"`+"\n", 1))
	in := start(t, root)
	read := func() string { b, _ := os.ReadFile(piped); return string(b) }
	host := in.cmd.Process.Pid
	plugin := mpmPlugin(t, host)
	cont := stopHost(t, in)
	in.denied("/deny/y.txt")
	line := deniedLine(docs, "/deny/y.txt")
	var match []string
	if !eventually(10*time.Second, func() bool { match = line.FindStringSubmatch(read()); return match != nil }) {
		t.Fatalf("no AH01630 line from the piped logger while the host is stopped:\n%s", read())
	}
	cont()
	pid, _ := strconv.Atoi(match[1])
	if !slices.Contains(children(plugin), pid) {
		t.Fatalf("the line's pid %d is not a child of the plugin %d (%v)", pid, plugin, children(plugin))
	}
	var logger int
	for _, p := range children(host) {
		if p != plugin {
			logger = p
		}
	}
	stdin := proctree.FDs(logger)[0]
	if logger == 0 || !strings.HasPrefix(stdin, "pipe:") {
		t.Fatalf("no piped logger among the host's children %v (stdin %q)", children(host), stdin)
	}
	if !slices.Contains(slices.Collect(maps.Values(proctree.FDs(pid))), stdin) {
		t.Errorf("child %d does not hold the logger's pipe %s: %v", pid, stdin, proctree.FDs(pid))
	}
	if strings.Contains(in.srv.ErrorLog(), "AH01630") {
		t.Errorf("the line went to logs/error_log too:\n%s", in.srv.ErrorLog())
	}
}

// TestErrorLogRotation: "mv error_log error_log.1" and SIGUSR1: the new
// generation's children write their requests' lines to the new error_log
// (the host opened it again and handed them the new descriptor), while the
// line written before the rotation stays in error_log.1.
func TestErrorLogRotation(t *testing.T) {
	root, docs := denySite(t, "event", "mpm_event_module", "")
	in := start(t, root)
	in.denied("/deny/x.txt")
	errorLog := filepath.Join(root, "logs/error_log")
	read := func(path string) string { b, _ := os.ReadFile(path); return string(b) }
	before := deniedLine(docs, "/deny/x.txt")
	if !eventually(10*time.Second, func() bool { return before.MatchString(read(errorLog)) }) {
		t.Fatalf("no AH01630 line before the rotation:\n%s", read(errorLog))
	}
	oldPlugin := mpmPlugin(t, in.cmd.Process.Pid)
	must(t, os.Rename(errorLog, errorLog+".1"))
	in.signal(syscall.SIGUSR1)
	if !eventually(20*time.Second, func() bool { return strings.Contains(read(errorLog), "serving; retiring") }) {
		t.Fatalf("no restart: error_log %q\nerror_log.1:\n%s", read(errorLog), read(errorLog+".1"))
	}
	// An old child may still take a connection while it retires (its line
	// goes to error_log.1, as Apache's old children's do): ask until a new
	// one answers.
	after := deniedLine(docs, "/deny/z.txt")
	var match []string
	if !eventually(20*time.Second, func() bool {
		in.denied("/deny/z.txt")
		match = after.FindStringSubmatch(read(errorLog))
		return match != nil
	}) {
		t.Fatalf("after the rotation no line in the new error_log:\n%s\nerror_log.1:\n%s", read(errorLog), read(errorLog+".1"))
	}
	pid, _ := strconv.Atoi(match[1])
	if p := ppid(pid); p == oldPlugin || p == in.cmd.Process.Pid {
		t.Errorf("the new line's pid %d has parent %d: not a child of the new generation", pid, p)
	}
	if !before.MatchString(read(errorLog+".1")) || before.MatchString(read(errorLog)) {
		t.Errorf("the line before the rotation should be in error_log.1 only")
	}
}
