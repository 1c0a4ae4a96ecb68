package accesslog

import (
	"bytes"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/env"
)

var start = time.Date(2026, 11, 21, 22, 34, 10, 706194000, time.UTC)

func entry(method, target, proto string, hdr http.Header) *Entry {
	u, _ := url.ParseRequestURI(target)
	r := &http.Request{Method: method, URL: u, Proto: proto, Header: hdr, Host: "localhost:18080", RequestURI: target}
	return &Entry{
		Request: r, Line: []byte(method + " " + target + " " + proto), Status: 200, BodyBytes: 13,
		Start: start, End: start.Add(312 * time.Microsecond),
		RemoteAddr: "127.0.0.1:40786", LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 18080},
		Header:     http.Header{"Content-Type": {"text/plain"}},
		ServerName: "localhost", Requests: 1, KeepAlive: true, BytesIn: 80, BytesOut: 250,
	}
}

func format(t *testing.T, f string, e *Entry) string {
	t.Helper()
	p, err := Parse(f)
	if err != nil {
		t.Fatalf("Parse(%q): %v", f, err)
	}
	return string(p.Append(nil, e))
}

// The expected lines were written by apache2 2.4.71 for the same requests (sent with
// curl and raw sockets), with the time and the ports put in.
func TestCombinedLikeApache(t *testing.T) {
	clf := start.Local().Format("[02/Jan/2006:15:04:05 -0700]")
	e := entry("GET", `/hello.txt?a=1&b="2"`, "HTTP/1.1", http.Header{"Referer": {`http://ref/"q"`}, "User-Agent": {`UA "quoted" \back`}})
	want := `127.0.0.1 - - ` + clf + ` "GET /hello.txt?a=1&b=\"2\" HTTP/1.1" 200 13 "http://ref/\"q\"" "UA \"quoted\" \\back"`
	if got := format(t, Nicknames["combined"], e); got != want {
		t.Errorf("combined:\n got %s\nwant %s", got, want)
	}
	e = entry("GET", "/", "HTTP/1.0", http.Header{"User-Agent": {"a\tb\x7f\xff"}})
	e.Line = []byte("GET /h\x01\x7f\xc3\xa9 HTTP/1.0")
	e.Status, e.BodyBytes = 400, 266
	want = `127.0.0.1 - - ` + clf + ` "GET /h\x01\x7f\xc3\xa9 HTTP/1.0" 400 266 "-" "a\tb\x7f\xff"`
	if got := format(t, Nicknames["combined"], e); got != want {
		t.Errorf("escaped:\n got %s\nwant %s", got, want)
	}
	e = entry("HEAD", "/hello.txt", "HTTP/1.0", http.Header{})
	e.BodyBytes = 0
	want = `127.0.0.1 - - ` + clf + ` "HEAD /hello.txt HTTP/1.0" 200 -`
	if got := format(t, Nicknames["common"], e); got != want {
		t.Errorf("common HEAD:\n got %s\nwant %s", got, want)
	}
}

func TestDirectives(t *testing.T) {
	e := entry("GET", `/hello.txt?a=1&b="2"`, "HTTP/1.1", http.Header{"User-Agent": {"curl/7.88.1"}})
	cases := []struct{ format, want string }{
		{"%a %A %B %b %D %H %k %m", "127.0.0.1 127.0.0.1 13 13 312 HTTP/1.1 0 GET"},
		{"%p %{remote}p %{local}p", "80 40786 18080"}, // %p: ServerName's port, else 80
		{"%q|%U|%s|%>s|%<s", `?a=1&b=\"2\"|/hello.txt|200|200|200`},
		{"%v %V %X", "localhost localhost +"},
		{"%{Content-Type}o %{X-None}o %{user-agent}i", "text/plain - curl/7.88.1"},
		{"%400,501{User-agent}i %!200{User-agent}i %200{User-agent}i", "- - curl/7.88.1"},
		{"[%{msec}t] [%{usec_frac}t] [%{msec_frac}t] [%{sec}t]", "[1795300450706] [706194] [706] [1795300450]"},
		{"%{ms}T %{us}T %T", "0 312 0"},
		{"%l %u %L %f %{x}e %{x}n %{x}C %R %^FB %{x}^ti", "- - - - - - - - - -"},
		{"%I %O %S", "80 250 330"},
		{`100%% "%r"\t\n`, "100% \"GET /hello.txt?a=1&b=\\\"2\\\" HTTP/1.1\"\t\n"},
		{"%{%Y-%m-%d %H:%M:%S %a %b %j}t", start.Local().Format("2006-01-02 15:04:05 Mon Jan ") + start.Local().Format("002")},
		{"%{end:%s}t", "1795300450"},
	}
	for _, c := range cases {
		if got := format(t, c.format, e); got != c.want {
			t.Errorf("%q:\n got %q\nwant %q", c.format, got, c.want)
		}
	}
	// %u: the user the credentials name, "" quoted, escaped as other fields.
	for _, u := range []struct {
		name string
		set  bool
		want string
	}{{"", false, "-"}, {"", true, `""`}, {"alice", true, "alice"}, {"a \"b\"\t", true, `a \"b\"\t`}} {
		e.User, e.UserSet = u.name, u.set
		if got := format(t, "%u", e); got != u.want {
			t.Errorf("%%u for %q (set %v) = %q, want %q", u.name, u.set, got, u.want)
		}
	}
	e.User, e.UserSet = "", false
	// After an internal redirect (a local ErrorDocument for a 404 that a
	// script answers with 200), %s and %<s are the first request's status,
	// %>s the last one's; a condition tests the last one's.
	e.Status, e.OrigStatus = 200, 404
	if got := format(t, "%s %<s %>s %200s %!200>s %404s", e); got != "404 404 200 404 - -" {
		t.Errorf("redirected %%s = %q", got)
	}
	e.Status, e.OrigStatus = 200, 0
	// %m is the last request's method (a local ErrorDocument's GET), %<m
	// the first one's; %U the first one's URL-path, %>U the last one's; %q
	// the last one's query, %<q the first one's.
	e.Request.Method = "POST"
	e.Last = &http.Request{Method: "GET", URL: &url.URL{Path: "/e.html"}}
	if got := format(t, "%m %>m %<m %U %<U %>U [%q] [%>q] %<q", e); got != `GET GET POST /hello.txt /hello.txt /e.html [] [] ?a=1&b=\"2\"` {
		t.Errorf("redirected %%m %%U %%q = %q", got)
	}
	e.Request.Method, e.Last = "GET", nil
	e.KeepAlive, e.Requests = false, 3
	if got := format(t, "%X %k", e); got != "- 2" {
		t.Errorf("%%X %%k = %q", got)
	}
	// %V is the Host as apache2 normalises it; %v and %p read a ServerName's
	// host and port past its scheme.
	e.Request.Host, e.ServerName = "[::1]:8080", "https://www.example.com:8443"
	if got := format(t, "%V %v %p", e); got != "::1 www.example.com 8443" {
		t.Errorf("%%V %%v %%p = %q", got)
	}
	// Without a port, %p is the default port of the ServerName's scheme
	// (ap_default_port), as apache2 2.4.71 logs it.
	for name, want := range map[string]string{"https://secure.example": "secure.example 443",
		"HTTPS://secure.example": "secure.example 443", "http://plain.example": "plain.example 80",
		"plain.example": "plain.example 80"} {
		e.ServerName = name
		if got := format(t, "%v %p", e); got != want {
			t.Errorf("ServerName %s: %%v %%p = %q, want %q", name, got, want)
		}
	}
	e.Request.Host = "A.Example.:80"
	if got := format(t, "%V", e); got != "a.example" {
		t.Errorf("%%V = %q", got)
	}
	// UseCanonicalName On: %V is the ServerName's host, as %v.
	e.ServerName, e.CanonicalName = "plain.example", true
	if got := format(t, "%V", e); got != "plain.example" {
		t.Errorf("UseCanonicalName On: %%V = %q", got)
	}
	// A refused target's host, as sent, where the request has no Host
	// (apache2's r->hostname); not under UseCanonicalName On.
	e.Request.Host, e.Hostname = "", "ABCD::G"
	if got := format(t, "%V", e); got != "plain.example" {
		t.Errorf("UseCanonicalName On, refused host: %%V = %q", got)
	}
	e.CanonicalName = false
	if got := format(t, "%V", e); got != "ABCD::G" {
		t.Errorf("refused host: %%V = %q", got)
	}
	e.Hostname = ""
	if got := format(t, "%V", e); got != "plain.example" {
		t.Errorf("no host: %%V = %q", got)
	}
	e.RemoteAddr = "[::1]:5555"
	e.LocalAddr = &net.TCPAddr{IP: net.IPv6loopback, Port: 80}
	if got := format(t, "%h %A %{remote}p", e); got != "::1 ::1 5555" {
		t.Errorf("IPv6: %q", got)
	}
}

// The messages are apache2 2.4.71's (apache2 -t).
func TestParseErrors(t *testing.T) {
	for f, msg := range map[string]string{
		"%h %Z":   "Unrecognized LogFormat directive %Z",
		"%{foo":   "Ran off end of LogFormat parsing args to some directive",
		"%h %{x}": "Ran off end of LogFormat parsing args to some directive",
		"%":       "Ran off end of LogFormat parsing args to some directive",
		"%h %j":   "Unrecognized LogFormat directive %j",
		"%^tx":    "Unrecognized LogFormat directive %^tx",
	} {
		if _, err := Parse(f); err == nil || err.Error() != msg {
			t.Errorf("Parse(%q) = %v, want %q", f, err, msg)
		}
	}
	for _, f := range []string{"", "plain", "%h %>s %<s %400,501{User-agent}i %!200,304U %{%d/%b}t %{ms}T %{Referer}i %%"} {
		if _, err := Parse(f); err != nil {
			t.Errorf("Parse(%q): %v", f, err)
		}
	}
}

// lockedBuffer counts the Write calls: each must be one whole line.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	if !bytes.HasSuffix(p, []byte("\n")) || bytes.Count(p, []byte("\n")) != 1 {
		return 0, nil
	}
	return l.b.Write(p)
}

func TestLogWritesWholeLines(t *testing.T) {
	f, _ := Parse(Nicknames["combined"])
	var w lockedBuffer
	l := &Log{W: &w, Format: f}
	long := strings.Repeat("x", 100<<10) // a line longer than the pooled buffers
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				ua := "ua"
				if j == 50 {
					ua = long
				}
				l.Write(entry("GET", "/", "HTTP/1.1", http.Header{"User-Agent": {ua}}))
			}
		}()
	}
	wg.Wait()
	if w.writes != 800 || strings.Count(w.b.String(), "\n") != 800 {
		t.Fatalf("%d writes, %d lines; want 800 of each", w.writes, strings.Count(w.b.String(), "\n"))
	}
}

func BenchmarkCombined(b *testing.B) {
	f, _ := Parse(Nicknames["combined"])
	l := &Log{W: discard{}, Format: f}
	e := entry("GET", "/index.html", "HTTP/1.1", http.Header{
		"Referer": {"http://www.example.com/start.html"}, "User-Agent": {"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}})
	b.ReportAllocs()
	for b.Loop() {
		l.Write(e)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestOrigNotes: %{NAME}n and %>{NAME}n log the final request's notes,
// %<{NAME}n the original request's (apache2's want_orig), the final's when
// there are none of the original's.
func TestOrigNotes(t *testing.T) {
	e := entry("GET", "/", "HTTP/1.1", nil)
	e.Notes, e.OrigNotes = &env.Vars{}, &env.Vars{}
	e.Notes.Set("a", "final")
	e.OrigNotes.Set("A", "orig")
	if got, want := format(t, "%{a}n %>{a}n %<{a}n %<{b}n", e), "final final orig -"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	e.OrigNotes = nil
	if got, want := format(t, "%<{a}n", e), "final"; got != want {
		t.Errorf("without the original's: got %q, want %q", got, want)
	}
}

// TestOrigEnvBytes: %<{VAR}e reads the first request's variables, %<b and
// %<B its body bytes (none after a successful redirect, the error's page
// when its document failed); without '<' the last request's.
func TestOrigEnvBytes(t *testing.T) {
	e := entry("GET", "/", "HTTP/1.1", nil)
	e.Env, e.OrigEnv = &env.Vars{}, &env.Vars{}
	e.Env.Set("V", "final")
	e.OrigEnv.Set("V", "orig")
	e.BodyBytes = 12
	if got, want := format(t, "%{V}e %>{V}e %<{V}e %b %<b %B %<B", e), "final final orig 12 12 12 12"; got != want {
		t.Errorf("not redirected: got %q, want %q", got, want)
	}
	e.Redirected = true
	if got, want := format(t, "%<{V}e %b %<b %B %<B", e), "orig 12 - 12 0"; got != want {
		t.Errorf("redirected: got %q, want %q", got, want)
	}
	e.BodyBytes, e.OrigBodyBytes = 0, 355
	if got, want := format(t, "%b %<b %>b", e), "- 355 -"; got != want {
		t.Errorf("document failed: got %q, want %q", got, want)
	}
}

// TestCookie: %{NAME}C as apache2's log_cookie reads the Cookie field.
func TestCookie(t *testing.T) {
	for _, c := range []struct {
		lines []string
		name  string
		want  string
		ok    bool
	}{
		{[]string{"a=1; b=2"}, "b", "2", true},
		{[]string{" SID = x y ;other=3"}, "sid", "x y", true},
		{[]string{"a=; b"}, "a", "", false},
		{[]string{"=a=1"}, "a", "1", true},
		{[]string{"k=v=w"}, "k", "v=w", true},
		{[]string{"a=1", "b=2"}, "a", "1, b=2", true},
		{[]string{"a=1", "b=2"}, "b", "", false},
		{[]string{"a=1; B=2;c=;d; e = 5 ;"}, "e", "5 ", true}, // a ';' last: the blanks stay
		{[]string{"e = 5 ;;"}, "e", "5", true},
		{[]string{"e = 5 "}, "e", "5", true},
		{nil, "a", "", false},
	} {
		if v, ok := cookie(c.lines, c.name); v != c.want || ok != c.ok {
			t.Errorf("cookie(%q, %q) = %q, %v; want %q, %v", c.lines, c.name, v, ok, c.want, c.ok)
		}
	}
}
