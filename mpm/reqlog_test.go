package mpm

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// TestRequestErrors: a static handler's error becomes one hclog line at the Apache
// level with the fields the host renders; the message and the referer escaped as
// apache2 2.4.71 escapes them, seen in its error log:
//
//	request /private/%c3%a9%5c%09t  ->  ...: /tmp/apx/www/private/\xc3\xa9\\\tt
//	request /private/%22q%0aq       ->  ...: /tmp/apx/www/private/"q\nq
//	Referer: http://ex.com/back\slash"q         ->  , referer: http://ex.com/back\\slash"q
//	two Referer fields a and b                  ->  , referer: a, b
//	an empty Referer                            ->  (no referer)
//	from ::1                                    ->  [client ::1:48816]
func TestRequestErrors(t *testing.T) {
	var out bytes.Buffer
	log := hclog.New(&hclog.LoggerOptions{Name: "mpm_event", Output: &out, JSONFormat: true, Level: hclog.Info})
	logError, level := requestErrors(&Config{LogLevel: "info", Log: log}, 0)
	if logError == nil || level != static.LevelInfo {
		t.Fatalf("at LogLevel info: hook %v, level %d", logError != nil, level)
	}
	r := &http.Request{URL: &url.URL{Path: "/x"}, RemoteAddr: "[::1]:48816",
		Header: http.Header{"Referer": {`http://ex.com/back\slash"q`, "b"}}}
	logError(r, static.LevelError, "core", syscall.EACCES, "AH00132: file permissions deny server access: /w/\xc3\xa9\\\tt\"q\nq")
	r.Header["Referer"] = []string{""}
	r.RemoteAddr = "127.0.0.1:54321"
	logError(r, static.LevelInfo, "core", nil, "AH00128: File does not exist: /w/missing")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines %q", lines)
	}
	want := []map[string]any{{
		"@level": "error", "@message": `AH00132: file permissions deny server access: /w/\xc3\xa9\\\tt"q\nq`,
		wire.ModuleField: "core", wire.ClientField: "::1:48816", wire.ErrnoField: 13.0,
		wire.RefererField: `http://ex.com/back\\slash"q, b`,
	}, {
		"@level": "info", "@message": "AH00128: File does not exist: /w/missing",
		wire.ModuleField: "core", wire.ClientField: "127.0.0.1:54321",
	}}
	for i, l := range lines {
		var got map[string]any
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatal(err)
		}
		delete(got, "@timestamp")
		delete(got, "@module")
		if len(got) != len(want[i]) {
			t.Errorf("line %d: %v, want %v", i, got, want[i])
		}
		for k, v := range want[i] {
			if got[k] != v {
				t.Errorf("line %d: %s = %#v, want %#v", i, k, got[k], v)
			}
		}
	}
}

// TestRequestErrorsLevel: the handlers build the lines the LogLevel wants, no more;
// below error, none.
func TestRequestErrorsLevel(t *testing.T) {
	log := hclog.NewNullLogger()
	for _, c := range []struct {
		logLevel string
		want     static.Level
	}{{"", static.LevelWarn}, {"warn", static.LevelWarn}, {"error", static.LevelError}, {"INFO", static.LevelInfo},
		{"info ssl:warn", static.LevelInfo}, {"debug", 7}, {"trace3", 10}, {"crit", 0}, {"emerg", 0}} {
		hook, level := requestErrors(&Config{LogLevel: c.logLevel, Log: log}, 0)
		if level != c.want || (hook == nil) != (c.want == 0) {
			t.Errorf("LogLevel %q: level %d, hook %v; want %d", c.logLevel, level, hook != nil, c.want)
		}
	}
	if hook, _ := requestErrors(&Config{LogLevel: "info"}, 0); hook != nil {
		t.Error("a hook without a logger")
	}
}

// TestRequestErrorsVhost: a virtual host's request errors carry its number
// (wire.VhostField), by which the host picks its ErrorLog; the main server's
// carry none.
func TestRequestErrorsVhost(t *testing.T) {
	for _, vhost := range []int{0, 2} {
		var out bytes.Buffer
		log := hclog.New(&hclog.LoggerOptions{Name: "mpm_event", Output: &out, JSONFormat: true})
		logError, _ := requestErrors(&Config{LogLevel: "warn", Log: log}, vhost)
		logError(&http.Request{URL: &url.URL{Path: "/deny"}, RemoteAddr: "127.0.0.1:5555"}, static.LevelError, "authz_core", nil, "AH01630: client denied by server configuration: /w/deny")
		var got map[string]any
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("vhost %d: %v in %q", vhost, err, out.String())
		}
		v, ok := got[wire.VhostField]
		if vhost == 0 && ok || vhost > 0 && v != float64(vhost) {
			t.Errorf("vhost %d: %s = %v (present %v)", vhost, wire.VhostField, v, ok)
		}
	}
}

// TestRequestErrorsBounded: a request with an 8 KB Referer and a long path of bytes
// that escaping makes four times longer (and JSON longer still) gives one line
// under PIPE_BUF (4096 bytes, one atomic write to the children's shared stderr
// pipe), valid JSON, its message and referer cut at the end of an escape.
func TestRequestErrorsBounded(t *testing.T) {
	for _, unit := range []string{"a", "\x01", "\\", "<", "\"\xff&"} {
		var out bytes.Buffer
		log := hclog.New(&hclog.LoggerOptions{Name: "mpm_event.child", Output: &out, JSONFormat: true, Level: hclog.Info})
		logError, _ := requestErrors(&Config{LogLevel: "info", Log: log}, 7)
		referer := strings.Repeat(unit, 8192/len(unit))
		r := &http.Request{URL: &url.URL{Path: "/x"}, RemoteAddr: "[2001:db8::1234:5678:9abc]:65535",
			Header: http.Header{"Referer": {referer}}}
		msg := "AH00128: File does not exist: /srv/www/" + strings.Repeat(unit, 8192/len(unit))
		logError(r, static.LevelError, "core", syscall.EACCES, msg)
		line := out.String()
		if len(line) >= 4096 || strings.Count(line, "\n") != 1 {
			t.Errorf("unit %q: a line of %d bytes (%d newlines), want one under 4096", unit, len(line), strings.Count(line, "\n"))
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("unit %q: %v: %s", unit, err, line)
		}
		gotRef, _ := got[wire.RefererField].(string)
		gotMsg, _ := got["@message"].(string)
		if len(gotRef) < 250 || !wholeEscapes(referer, gotRef) {
			t.Errorf("unit %q: referer of %d bytes %.60q..., not the escape of a prefix of the Referer", unit, len(gotRef), gotRef)
		}
		if len(gotMsg) < 350 || !wholeEscapes(msg, gotMsg) {
			t.Errorf("unit %q: message of %d bytes %.60q..., not the escape of a prefix of the message", unit, len(gotMsg), gotMsg)
		}
	}
}

// wholeEscapes says whether got is the escape of a prefix of s (not cut inside
// an escape).
func wholeEscapes(s, got string) bool {
	var b strings.Builder
	for i := 0; i <= len(s) && b.Len() <= len(got); i++ {
		if b.String() == got {
			return true
		}
		if i < len(s) {
			b.WriteString(escapeLogItem(s[i:i+1], 1<<20))
		}
	}
	return false
}

// TestRequestErrorsWritten: with the error logs handed over, the process
// writes each line itself, in apache2's format under its own pid, to the log
// of the server whose request it was, at that server's LogLevel: b has its
// own ErrorLog and LogLevel info, c neither (the main server's log and warn).
// Each line is one write: a pipe's reader gets it whole, under PIPE_BUF, even
// for an 8 KB Referer and path.
func TestRequestErrorsWritten(t *testing.T) {
	mainR, mainW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	bR, bW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []*os.File{mainR, mainW, bR, bW} {
		defer f.Close()
	}
	cfg := &Config{LogLevel: "warn", Core: Core{
		ErrorLog:     ErrorLog{Target: "|main", File: mainW},
		VirtualHosts: []VirtualHost{{LogLevel: "info", ErrorLog: ErrorLog{Target: "b", File: bW}}, {}},
	}}
	r := &http.Request{URL: &url.URL{Path: "/x"}, RemoteAddr: "[::1]:48816", Header: http.Header{"Referer": {`http://ex.com/a\b`}}}
	stamp := regexp.MustCompile(`^\[\w{3} \w{3} \d\d \d\d:\d\d:\d\d\.\d{6} \d{4}\] `)
	read := func(f *os.File) string {
		t.Helper()
		buf := make([]byte, 1<<16)
		n, err := f.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		line := string(buf[:n])
		if !stamp.MatchString(line) {
			t.Errorf("no timestamp: %q", line)
		}
		return stamp.ReplaceAllString(line, "")
	}
	pid := strconv.Itoa(os.Getpid())
	for _, c := range []struct {
		vhost int
		level static.Level
		r     *os.File
	}{{0, static.LevelWarn, mainR}, {1, static.LevelInfo, bR}, {2, static.LevelWarn, mainR}} {
		logError, level := requestErrors(cfg, c.vhost)
		if logError == nil || level != c.level {
			t.Fatalf("vhost %d: hook %v, level %d; want %d", c.vhost, logError != nil, level, c.level)
		}
		logError(r, static.LevelError, "core", syscall.EACCES, "AH00132: file permissions deny server access: /w/\xc3\xa9")
		want := "[core:error] [pid " + pid + `] (13)Permission denied: [client ::1:48816] AH00132: file permissions deny server access: /w/\xc3\xa9, referer: http://ex.com/a\\b` + "\n"
		if got := read(c.r); got != want {
			t.Errorf("vhost %d:\ngot  %q\nwant %q", c.vhost, got, want)
		}
	}
	logError, _ := requestErrors(cfg, 1)
	logError(&http.Request{URL: &url.URL{Path: "/x"}, RemoteAddr: "127.0.0.1:1", Header: http.Header{"Referer": {strings.Repeat("\x01", 8192)}}},
		static.LevelInfo, "core", nil, "AH00128: File does not exist: /w/"+strings.Repeat("\\", 8192))
	if got := read(bR); len(got) >= 4096-34 || strings.Count(got, "\n") != 1 || !strings.HasPrefix(got, "[core:info] [pid "+pid+"] [client 127.0.0.1:1] AH00128: ") {
		t.Errorf("a long line: %d bytes, %d newlines: %.80q", len(got), strings.Count(got, "\n"), got)
	}
}

// TestRequestErrorsModuleLevels: the LogFunc writes a module's lines up to
// its own level, else the server's, and up to what the request's sections
// set over them (http1.SetLogConfig); a server whose LogLevel wants no
// error still logs when a section's level does.
func TestRequestErrorsModuleLevels(t *testing.T) {
	var out bytes.Buffer
	log := hclog.New(&hclog.LoggerOptions{Name: "mpm_event", Output: &out, JSONFormat: true, Level: hclog.Info})
	logError, level := requestErrors(&Config{LogLevel: "warn authz_core:crit core:info", Log: log}, 0)
	if logError == nil || level != static.LevelInfo {
		t.Fatalf("hook %v, level %d", logError != nil, level)
	}
	r := &http.Request{URL: &url.URL{Path: "/x"}, RemoteAddr: "127.0.0.1:1"}
	logError(r, static.LevelInfo, "core", nil, "core info")
	logError(r, static.LevelError, "authz_core", nil, "authz error")
	logError(r, static.LevelInfo, "autoindex", nil, "autoindex info")
	logError(r, static.LevelError, "autoindex", nil, "autoindex error")
	var msgs []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, e["@message"].(string))
	}
	if got := strings.Join(msgs, "; "); got != "core info; autoindex error" {
		t.Errorf("written: %s", got)
	}
	if hook, _ := requestErrors(&Config{LogLevel: "crit", Log: log}, 0); hook != nil {
		t.Error("a hook at LogLevel crit")
	}
	if hook, level := requestErrorsUpTo(&Config{LogLevel: "crit", Log: log}, 0, int(static.LevelInfo)); hook == nil || level != static.LevelInfo {
		t.Errorf("with a section at info: hook %v, level %d", hook != nil, level)
	}
}
