package e2e_test

import (
	"bufio"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// headersConf: mod_headers and mod_expires at every level apache2 merges
// them: the server (onsuccess and always, a %-format, RequestHeader for the
// access log), a <Directory> (Header unset ETag, append Cache-Control over
// mod_expires' max-age, always unset of a field the handler set, which
// apache2's err_headers_out never sees), a nested <Directory> with
// ExpiresActive Off, a <Files> with setifempty and edit*, a <Location>
// with merge, a denied <Directory> for a 403, a Redirect, an ErrorDocument
// text and one served from a local URL (a handler's answer with the error's
// status: onsuccess fields, no Expires), and a virtual host with its own Header lines over the main
// server's.
const headersConf = `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
LogFormat "%v %>s %m X-Foo=%{X-Foo}i Proxy=%{Proxy}i X-Dir=%{X-Dir}i" hdr
CustomLog logs/hdr_log hdr
Header always set X-Frame-Options DENY
Header set X-Success yes
Header always append X-Order server
Header append X-Order server-ok
Header always set X-Fmt "a\tb %% %{HOME}e"
RequestHeader set X-Foo bar
RequestHeader unset Proxy
ExpiresActive On
ExpiresByType text/html "access plus 1 hour"
ExpiresByType image/* A600
ExpiresDefault "now plus 2 minutes"
Redirect /old /a.txt
ErrorDocument 410 "Gone for good
Redirect gone /gone
<Directory @DOCS@>
    Require all granted
    Options Indexes
    Header unset ETag
    Header append Cache-Control public
    Header always unset Last-Modified
    Header always append X-Order dir
    RequestHeader append X-Dir docs
</Directory>
<Directory @DOCS@/quiet>
    ExpiresActive Off
    Header set Cache-Control no-store
</Directory>
<Directory @DOCS@/private>
    Require all denied
    Header always set X-Private yes
</Directory>
<Files "*.txt">
    Header setifempty X-Files txt
    Header setifempty X-Success never
    Header edit* X-Order "server" "S"
</Files>
<Location /errdoc>
    ErrorDocument 404 /page.html
</Location>
<Location /loc>
    Header merge X-Order server-ok
    Header merge X-Order loc
    Header echo ^X-Echo
</Location>
<VirtualHost 127.0.0.1:@P0@>
    ServerName v.test
    DocumentRoot @DOCS@
    Header always set X-Frame-Options SAMEORIGIN
    Header append X-Order vhost
    ExpiresByType text/plain A30
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName main.test
    DocumentRoot @DOCS@
</VirtualHost>
`

// headerFieldsSkipped are the response fields the test leaves out: the time, the
// software, the framing, what differs by design (TRACE in Allow,
// Content-Range on a 416) and the validators' values.
var headerFieldsSkipped = []string{"Date", "Server", "Content-Length", "Connection", "Keep-Alive", "Allow", "Content-Range", "Last-Modified", "Etag", "Expires"}

// headerAnswer is a response as the test compares it: the status and every
// field but the skipped ones, sorted, with whether Last-Modified and ETag
// are there, and Expires as its distance from Date.
func (s *diffServer) headerAnswer(t *testing.T, req string) string {
	t.Helper()
	raw, _ := s.exchange(t, "127.0.0.1", 0, req, 10*time.Second)
	resp, err := http.ReadResponse(bufio.NewReader(raw), nil)
	if err != nil {
		return "unparseable: " + raw.String()
	}
	resp.Body.Close()
	lines := fieldLines(resp.Header, headerFieldsSkipped)
	out := fmt.Sprintf("%d Last-Modified=%t ETag=%t", resp.StatusCode, resp.Header.Get("Last-Modified") != "", resp.Header.Get("Etag") != "")
	if e := resp.Header.Get("Expires"); e != "" {
		exp, err1 := http.ParseTime(e)
		date, err2 := http.ParseTime(resp.Header.Get("Date"))
		if err1 != nil || err2 != nil {
			out += " Expires=" + e
		} else {
			// One second of slack (the engine's Date is the time of the
			// answer, apache2's the time of the request): the test's
			// codes are multiples of ten seconds.
			d := exp.Sub(date) / time.Second
			if d > 0 && d%10 != 0 {
				d = (d + 1) / 10 * 10
			}
			out += fmt.Sprintf(" Expires=Date+%ds", d)
		}
	}
	return out + "\n  " + strings.Join(lines, "\n  ")
}

// fieldLines are h's fields but the skipped ones, "Name: value" each,
// sorted.
func fieldLines(h http.Header, skipped []string) []string {
	var lines []string
	for k, vs := range h {
		if slices.Contains(skipped, k) {
			continue
		}
		for _, v := range vs {
			lines = append(lines, k+": "+v)
		}
	}
	slices.Sort(lines)
	return lines
}

// compareEach sends each request to apache2, then to ours, and reports
// every answer, as answer renders it, that differs.
func (p *diffPair) compareEach(reqs []string, answer func(s *diffServer, t *testing.T, req string) string) {
	t := p.t
	t.Helper()
	for _, req := range reqs {
		want := answer(p.apache, t, req)
		got := answer(p.ours, t, req)
		if got != want {
			t.Errorf("%q:\n apache: %s\n ours:   %s", req, want, got)
		} else {
			t.Logf("%q: both %s", req, want)
		}
	}
}

// TestHeadersAndExpires: Header, RequestHeader and Expires* as apache2
// applies them: onsuccess fields on the handler's answers only (200, 206,
// 304) and
// always fields on every answer, error pages (404, 403, 410, a Redirect's
// 302, mod_dir's 301) and the engine's own 400 included; Expires and
// max-age for statuses below 400; the merge order server, virtual host,
// <Directory>, <Files>, <Location>; and the access log's view of the
// request fields RequestHeader changed.
func TestHeadersAndExpires(t *testing.T) {
	docs := map[string]string{
		"a.txt":          "a\n",
		"page.html":      "<p>page</p>\n",
		"img.png":        "png\n",
		"data.bin":       "bin\n",
		"quiet/q.txt":    "q\n",
		"private/p.txt":  "p\n",
		"loc/l.txt":      "l\n",
		"dir/index.html": "<p>dir</p>\n",
	}
	p := startPair(t, 1, headersConf, docs)
	reqs := []string{
		get("/a.txt", "main.test"),
		get("/page.html", "main.test"),
		get("/img.png", "main.test"),
		get("/data.bin", "main.test"),
		get("/quiet/q.txt", "main.test"),
		get("/loc/l.txt", "main.test"),
		"GET /loc/l.txt HTTP/1.1\r\nHost: main.test\r\nX-Echo-Me: 1\r\nConnection: close\r\n\r\n",
		get("/dir/", "main.test"),
		get("/dir", "main.test"),
		get("/missing", "main.test"),
		get("/errdoc/missing", "main.test"),
		get("/private/p.txt", "main.test"),
		get("/old", "main.test"),
		get("/gone", "main.test"),
		"GET /page.html HTTP/1.1\r\nHost: main.test\r\nIf-None-Match: *\r\nConnection: close\r\n\r\n",
		"GET /page.html HTTP/1.1\r\nHost: main.test\r\nRange: bytes=0-1\r\nConnection: close\r\n\r\n",
		"HEAD /a.txt HTTP/1.1\r\nHost: main.test\r\nProxy: x\r\nConnection: close\r\n\r\n",
		"DELETE /a.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nHost: main.test\r\nBad header\r\n\r\n",
		get("/a.txt", "v.test"),
		get("/loc/l.txt", "v.test"),
		get("/missing", "v.test"),
	}
	p.compareEach(reqs, (*diffServer).headerAnswer)
	p.checkLogs("hdr_log")
}
