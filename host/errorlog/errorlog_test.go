package errorlog

import (
	"bytes"
	"regexp"
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
	w.Write([]byte(`{"@level":"info","@message":"AH00489: configured","@module":"mpm_event","@timestamp":"2026-11-21T21:13:53.000001Z","pid":99}`))
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

func TestOpenRefusesPipesAndSyslog(t *testing.T) {
	for _, target := range []string{"|/usr/bin/rotatelogs x 86400", "syslog:local7"} {
		if _, err := Open(target, Warn); err == nil || !strings.Contains(err.Error(), "not supported yet") {
			t.Errorf("Open(%q) = %v", target, err)
		}
	}
	l, err := Open(t.TempDir()+"/error_log", Warn)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
}
