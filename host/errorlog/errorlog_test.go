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
	w := l.PluginWriter(7)
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

// TestNoticesWhateverTheLevel: as Apache's log.c, notices are written at
// any LogLevel (the host's own and an MPM's marked by mpm.Notice); an
// MPM's plain info line is Apache's info level, dropped at warn.
func TestNoticesWhateverTheLevel(t *testing.T) {
	var b bytes.Buffer
	l := New(&b, Warn)
	l.Printf("core", Notice, "AH00094: Command line: 'httpd'")
	l.Printf("core", Info, "host info")
	w := l.PluginWriter(7)
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
