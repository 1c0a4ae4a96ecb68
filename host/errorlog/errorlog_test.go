package errorlog

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/errline"
)

func TestPrintfFormat(t *testing.T) {
	var b bytes.Buffer
	l := New(&b, Info)
	l.now = func() time.Time { return time.Date(2026, 11, 21, 21, 13, 53, 123456000, time.UTC) }
	l.pid = 42
	l.Printf("core", Notice, "AH00094: Command line: '%s'", "httpd")
	l.Printf("core", Debug, "not shown")
	want := "[Sat Nov 21 21:13:53.123456 2026] [core:notice] [pid 42] AH00094: Command line: 'httpd'\n"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
}

func TestPluginWriter(t *testing.T) {
	var b bytes.Buffer
	l := New(&b, Info)
	w := l.PluginWriter(7, nil)
	// Split across writes the way go-plugin delivers it (line, then "\n").
	w.Write([]byte(`{"@level":"info","@message":"AH00489: configured","@module":"mpm_event","@timestamp":"2026-11-21T21:13:53.000001Z","pid":99,"apache_notice":true}`))
	w.Write([]byte("\n"))
	w.Write([]byte(`{"@level":"debug","@message":"hidden","@module":"mpm_event"}` + "\n"))
	w.Write([]byte(`{"@level":"warn","@message":"slot","@module":"mpm_event.child","slot":3}` + "\npanic: boom\n"))
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("lines: %q", lines)
	}
	checks := []string{
		`^\[\w{3} \w{3} \d\d \d\d:\d\d:\d\d\.\d{6} \d{4}\] \[mpm_event:notice\] \[pid 99\] AH00489: configured$`,
		`\[mpm_event:warn\] \[pid 7\] slot \(slot=3\)$`,
		`\[mpm:error\] \[pid 7\] panic: boom$`,
	}
	for i, re := range checks {
		if !regexp.MustCompile(re).MatchString(lines[i]) {
			t.Errorf("line %d %q does not match %s", i, lines[i], re)
		}
	}
}

// TestPluginWriterLongLine: a plugin writing without a newline is logged in
// pieces of errline.MaxLine bytes, however large one Write is: the writer
// never holds more.
func TestPluginWriterLongLine(t *testing.T) {
	var b bytes.Buffer
	l := New(&b, Info)
	w := l.PluginWriter(7, nil)
	w.Write(bytes.Repeat([]byte("x"), 3*errline.MaxLine+10))
	w.Write([]byte("y\n"))
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4", len(lines))
	}
	for i, line := range lines {
		want := strings.Repeat("x", errline.MaxLine)
		if i == 3 {
			want = "xxxxxxxxxxy"
		}
		if !strings.HasSuffix(line, "] [mpm:error] [pid 7] "+want) {
			t.Errorf("line %d: %d bytes, ends %q", i, len(line), line[max(len(line)-20, 0):])
		}
	}
}

// TestNoticesWhateverTheLevel: as Apache's log.c, notices are written at
// any LogLevel (the host's own and an MPM's marked by mpm.Notice); an
// MPM's plain info line is Apache's info level, dropped at warn.
func TestNoticesWhateverTheLevel(t *testing.T) {
	var b bytes.Buffer
	l := New(&b, Warn)
	l.Printf("core", Notice, "AH00094: Command line: 'httpd'")
	l.Printf("core", Info, "host info")
	w := l.PluginWriter(7, nil)
	w.Write([]byte(`{"@level":"info","@message":"AH00489: resuming","@module":"mpm_event","apache_notice":true}` + "\n"))
	w.Write([]byte(`{"@level":"info","@message":"AH00162: server seems busy","@module":"mpm_event"}` + "\n"))
	got := b.String()
	for _, want := range []string{"[core:notice] [pid ", "AH00094: Command line: 'httpd'\n", "[mpm_event:notice] [pid 7] AH00489: resuming\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("at LogLevel warn the log lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"host info", "server seems busy", "apache_notice"} {
		if strings.Contains(got, not) {
			t.Errorf("at LogLevel warn the log has %q:\n%s", not, got)
		}
	}
	b.Reset()
	l.SetLevel(Info)
	w.Write([]byte(`{"@level":"info","@message":"AH00162: server seems busy","@module":"mpm_event"}` + "\n"))
	if !strings.Contains(b.String(), "[mpm_event:info] [pid 7] AH00162: server seems busy") {
		t.Errorf("at LogLevel info an MPM's info line is %q", b.String())
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]Level{"emerg": Emerg, "WARN": Warn, "debug": Debug, "trace1": Trace1, "trace8": Trace1 + 7} {
		if got, ok := ParseLevel(in); !ok || got != want {
			t.Errorf("%q: %v %v", in, got, ok)
		}
		if got, _ := ParseLevel(in); !strings.EqualFold(got.String(), in) {
			t.Errorf("%q round trip: %s", in, got)
		}
	}
	if _, ok := ParseLevel("loud"); ok {
		t.Error("loud parsed")
	}
}

func TestOpenRefusesSyslog(t *testing.T) {
	if _, err := Open("syslog:local7", Warn); err == nil || !strings.Contains(err.Error(), "not supported yet") {
		t.Errorf("Open(syslog:local7) = %v", err)
	}
	l, err := Open(t.TempDir()+"/error_log", Warn)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
}

// TestOpenPiped: a piped ErrorLog gets whole lines and ends with the Log; a command
// that cannot start is Apache's AH00089.
func TestOpenPiped(t *testing.T) {
	out := filepath.Join(t.TempDir(), "piped")
	l, err := Open("|$cat > "+out, Warn)
	if err != nil {
		t.Fatal(err)
	}
	l.Printf("core", Error, "one %d", 1)
	l.Printf("core", Debug, "not at warn")
	l.Close()
	var b []byte
	for i := 0; i < 100; i++ { // the logger writes once it read EOF; bounded wait
		if b, _ = os.ReadFile(out); strings.Contains(string(b), "\n") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.HasSuffix(string(b), "] [core:error] [pid "+strconv.Itoa(os.Getpid())+"] one 1\n") || strings.Count(string(b), "\n") != 1 {
		t.Errorf("piped error log: %q", b)
	}
	_, err = Open("|/nonexistent/logger -x", Warn)
	if err == nil || err.Error() != "(2)No such file or directory: AH00089: Couldn't start ErrorLog process '/nonexistent/logger -x'." {
		t.Errorf("Open of a missing logger: %v", err)
	}
}

// TestRequestLines: an MPM's line about a request (the fields of wire.ModuleField
// and the others) is written as apache2 2.4.71 writes the same errors, e.g.
//
//	[Sun Nov 22 17:43:37.670620 2026] [authz_core:error] [pid 16972:tid 17001] [client 127.0.0.1:55254] AH01630: client denied by server configuration: /tmp/apx/www/private/x.txt
//	[Sun Nov 22 17:43:39.739122 2026] [core:error] [pid 16972:tid 17043] (13)Permission denied: [client 127.0.0.1:55386] AH00132: file permissions deny server access: /tmp/apx/www/perm.txt
//	[Sun Nov 22 17:44:04.994440 2026] [core:info] [pid 22088:tid 22113] [client 127.0.0.1:34474] AH00128: File does not exist: /tmp/apx/www/missing2, referer: http://ex.com/a"b c
//
// but for the thread id, which ours do not name; info lines only from LogLevel info.
func TestRequestLines(t *testing.T) {
	lines := []string{
		`{"@level":"error","@message":"AH01630: client denied by server configuration: /srv/www/private/x.txt","@module":"mpm_event","@timestamp":"2026-11-22T17:43:37.670620Z","pid":16972,"apache_module":"authz_core","apache_client":"127.0.0.1:55254"}`,
		`{"@level":"error","@message":"AH00132: file permissions deny server access: /srv/www/perm.txt","@module":"mpm_event","@timestamp":"2026-11-22T17:43:39.739122Z","pid":16972,"apache_module":"core","apache_client":"::1:55386","apache_errno":13}`,
		`{"@level":"info","@message":"AH00128: File does not exist: /srv/www/missing2","@module":"mpm_event","@timestamp":"2026-11-22T17:44:04.994440Z","pid":22088,"apache_module":"core","apache_client":"127.0.0.1:34474","apache_referer":"http://ex.com/a\"b c\\\\d"}`,
	}
	at := func(ts string) string { // the time as the host writes it, in its zone
		tm, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			t.Fatal(err)
		}
		return "[" + tm.Local().Format("Mon Jan 02 15:04:05.000000 2006") + "]"
	}
	want := []string{
		at("2026-11-22T17:43:37.670620Z") + " [authz_core:error] [pid 16972] [client 127.0.0.1:55254] AH01630: client denied by server configuration: /srv/www/private/x.txt",
		at("2026-11-22T17:43:39.739122Z") + " [core:error] [pid 16972] (13)Permission denied: [client ::1:55386] AH00132: file permissions deny server access: /srv/www/perm.txt",
		at("2026-11-22T17:44:04.994440Z") + ` [core:info] [pid 22088] [client 127.0.0.1:34474] AH00128: File does not exist: /srv/www/missing2, referer: http://ex.com/a"b c\\d`,
	}
	for _, level := range []Level{Warn, Info} {
		var b bytes.Buffer
		w := New(&b, level).PluginWriter(7, nil)
		for _, l := range lines {
			w.Write([]byte(l + "\n"))
		}
		exp := want
		if level == Warn {
			exp = want[:2]
		}
		if got := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(exp, "\n") {
			t.Errorf("LogLevel %v:\ngot  %q\nwant %q", level, got, exp)
		}
	}
}

// TestVhostRouting: a request's line marked with its virtual host's number goes
// to that virtual host's ErrorLog, formatted as the main log's; lines of the main
// server, of a virtual host without its own log (nil), with a number out of range
// or not a whole number, and the MPM's own lines go to the main log.
func TestVhostRouting(t *testing.T) {
	var mainBuf, bBuf bytes.Buffer
	main := New(&mainBuf, Warn)
	b := New(&bBuf, Warn)
	w := main.PluginWriter(7, []*Log{nil, b})
	line := func(client, vhost string) string {
		return `{"@level":"error","@message":"AH01630: client denied by server configuration: /w/deny","@module":"mpm_event","@timestamp":"2026-11-22T18:13:44.603886Z","pid":16020,"apache_module":"authz_core","apache_client":"` + client + `"` + vhost + "}\n"
	}
	w.Write([]byte(line("127.0.0.1:1", `,"apache_vhost":2`)))
	w.Write([]byte(line("127.0.0.1:2", "")))
	w.Write([]byte(line("127.0.0.1:3", `,"apache_vhost":1`)))
	w.Write([]byte(line("127.0.0.1:4", `,"apache_vhost":3`)))
	w.Write([]byte(line("127.0.0.1:5", `,"apache_vhost":1.5`)))
	w.Write([]byte(`{"@level":"info","@message":"AH00489: resuming","@module":"mpm_event","apache_notice":true}` + "\n"))
	tm, _ := time.Parse(time.RFC3339Nano, "2026-11-22T18:13:44.603886Z")
	at := "[" + tm.Local().Format("Mon Jan 02 15:04:05.000000 2006") + "]"
	if want := at + " [authz_core:error] [pid 16020] [client 127.0.0.1:1] AH01630: client denied by server configuration: /w/deny\n"; bBuf.String() != want {
		t.Errorf("vhost log:\ngot  %q\nwant %q", bBuf.String(), want)
	}
	got := mainBuf.String()
	for _, want := range []string{"[client 127.0.0.1:2]", "[client 127.0.0.1:3]", "[client 127.0.0.1:4]", "[client 127.0.0.1:5]", "AH00489: resuming"} {
		if !strings.Contains(got, want) {
			t.Errorf("main log lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "127.0.0.1:1]") || strings.Contains(got, "apache_vhost") {
		t.Errorf("main log:\n%s", got)
	}
}

// TestSwap: after Swap the log, and the writers holding it, write to the new
// target at its level, and the old file is closed.
func TestSwap(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(filepath.Join(dir, "old"), Warn)
	must(t, err)
	w := l.PluginWriter(7, nil)
	next, err := Open(filepath.Join(dir, "new"), Info)
	must(t, err)
	old := l.c.(*shared).c.(*os.File)
	l.Printf("core", Error, "before")
	must(t, l.Swap(next))
	l.Printf("core", Info, "after")
	w.Write([]byte(`{"@level":"error","@message":"plugin after","@module":"mpm_event"}` + "\n"))
	must(t, l.Close())
	oldText, _ := os.ReadFile(filepath.Join(dir, "old"))
	newText, _ := os.ReadFile(filepath.Join(dir, "new"))
	if !strings.Contains(string(oldText), "before") || strings.Contains(string(oldText), "after") ||
		!strings.Contains(string(newText), "[core:info] [pid ") || !strings.Contains(string(newText), "plugin after") {
		t.Errorf("old:\n%s\nnew:\n%s", oldText, newText)
	}
	if _, err := old.Stat(); err == nil {
		t.Error("the old file is still open")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestCloseWhileSwap: Close and Swap may run at once (a generation's log closed
// while a restart swaps the host's); the race detector checks it, and the file
// Swap put in place is closed once.
func TestCloseWhileSwap(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(filepath.Join(dir, "a"), Warn)
	must(t, err)
	next, err := Open(filepath.Join(dir, "b"), Warn)
	must(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = l.Swap(next)
	}()
	_ = l.Close()
	<-done
	_ = l.Close()
	if err := l.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
}

// TestRef: a Ref writes to its Log's target, which stays open until both are
// closed, whatever the Log is swapped to meanwhile.
func TestRef(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(filepath.Join(dir, "old"), Warn)
	must(t, err)
	f := l.c.(*shared).c.(*os.File)
	gen := l.Ref()
	next, err := Open(filepath.Join(dir, "new"), Warn)
	must(t, err)
	must(t, l.Swap(next))
	gen.Printf("core", Error, "late line of the old generation")
	l.Printf("core", Error, "host line")
	if _, err := f.Stat(); err != nil {
		t.Fatalf("the old target closed while a Ref holds it: %v", err)
	}
	must(t, gen.Close())
	if _, err := f.Stat(); err == nil {
		t.Error("the old target is open after its last Ref closed")
	}
	must(t, l.Close())
	oldText, _ := os.ReadFile(filepath.Join(dir, "old"))
	newText, _ := os.ReadFile(filepath.Join(dir, "new"))
	if !strings.Contains(string(oldText), "late line") || strings.Contains(string(oldText), "host line") || !strings.Contains(string(newText), "host line") {
		t.Errorf("old:\n%s\nnew:\n%s", oldText, newText)
	}
}

// TestModuleLevels: a module with a level of its own (LogLevel warn
// mpm_event:debug core:error) has its lines written up to that level, the
// others up to the log's, for the host's lines and a plugin's alike; a
// Ref and a Swap keep them.
func TestModuleLevels(t *testing.T) {
	var b bytes.Buffer
	l := New(&b, Warn).SetModules(map[string]int{"mpm_event": int(Debug), "core": int(Error)})
	l.Printf("core", Warn, "core warn")
	l.Printf("core", Error, "core error")
	l.Printf("so", Warn, "so warn")
	l.Printf("so", Info, "so info")
	w := l.Ref().PluginWriter(7, nil)
	w.Write([]byte(`{"@level":"debug","@message":"event debug","@module":"mpm_event.child"}` + "\n"))
	w.Write([]byte(`{"@level":"trace","@message":"event trace","@module":"mpm_event"}` + "\n"))
	w.Write([]byte(`{"@level":"warn","@message":"request warn","@module":"mpm_event","apache_module":"core"}` + "\n"))
	var next bytes.Buffer
	nl := New(&next, Warn).SetModules(map[string]int{"core": int(Info)})
	if err := l.Swap(nl); err != nil {
		t.Fatal(err)
	}
	l.Printf("core", Info, "core info")
	got := regexp.MustCompile(`(?m)^.*\] (\S+ \S+)$`).ReplaceAllString(strings.TrimSpace(b.String()+next.String()), "$1")
	want := "core error\nso warn\nevent debug\ncore info"
	if got != want {
		t.Errorf("lines:\n%s\nwant:\n%s", got, want)
	}
}
