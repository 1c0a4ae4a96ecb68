package http1

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// parse runs the request-head parser alone on raw with the default limits.
func parse(raw string) (*http.Request, reqInfo, *protoError) {
	s := &Server{}
	s.init()
	var p parser
	req := &http.Request{URL: new(url.URL)}
	br := bufio.NewReaderSize(strings.NewReader(raw), readBufSize)
	info, perr := p.readRequest(nil, br, &s.cfg.host.limits, req, nil)
	return req, info, perr
}

// checkRefused runs what answerProtoError does to raw, a refused request,
// for the access log (refusedLine, refused): the line it leaves is single
// words apart and no longer, a target has its URL.
func checkRefused(t *testing.T, raw string) {
	s := &Server{}
	s.init()
	var p parser
	req := &http.Request{URL: new(url.URL)}
	br := bufio.NewReaderSize(strings.NewReader(raw), readBufSize)
	_, perr := p.readRequest(nil, br, &s.cfg.host.limits, req, nil)
	if perr == errURITooLong || perr == errLineLF {
		// Left as read (answerProtoError): the first LimitRequestLine+1
		// bytes (lineLimit), or the line with its LF, as apache2's %r shows it.
		line := string(p.head[p.line.start:p.line.end])
		if !strings.Contains(raw, line) || perr == errURITooLong && len(line) != s.cfg.host.limits.lineLimit ||
			perr == errLineLF && !strings.HasSuffix(line, "\n") {
			t.Fatalf("unparsed line %q", line)
		}
		return
	}
	before := p.line.end - p.line.start
	p.refusedLine()
	// The target as the refused line has it, before any password's mask.
	words := strings.SplitN(string(p.head[p.line.start:p.line.end]), " ", 3)
	p.refusedHead(req, perr)
	line := string(p.head[p.line.start:p.line.end])
	masked := strings.Contains(line, ":XXXXXXXX@")
	if !masked && p.line.end-p.line.start > before || strings.Contains(line, "  ") || strings.Count(line, " ") > 2 {
		t.Fatalf("line %q", line)
	}
	if req.RequestURI != "" && req.URL == nil {
		t.Fatalf("target %q without URL", req.RequestURI)
	}
	// A password in an absolute target (apr_uri_parse's: the user
	// information up to the authority's last '@' has a ':') never shows
	// in %r or %U, unless the rest of the line repeats it.
	if len(words) < 2 {
		return
	}
	scheme, auth, rest, ok := splitAuthority([]byte(words[1]))
	at := strings.LastIndexByte(string(auth), '@')
	if !ok || at < 0 || !strings.Contains(string(auth[:at]), ":") {
		return
	}
	secret := string(scheme) + "://" + string(auth[:at+1])
	if strings.Contains(string(rest), secret) || strings.Contains(words[0], secret) {
		return
	}
	if strings.Contains(line, secret) && secret != string(scheme)+"://"+string(auth[:strings.IndexByte(string(auth), ':')])+":XXXXXXXX@" ||
		strings.Contains(req.URL.Path, secret) || strings.Contains(req.URL.RawPath, secret) {
		t.Fatalf("password in the log: line %q, path %q", line, req.URL.Path)
	}
}

// TestMaskPassword checks the access log's request line (%r), version
// (%H) and path (%U, "/" when empty) of a refused target with a
// password, as apache2 2.4.71 logs them (mod_log_config's
// log_request_line), but for %U where apr_uri_parse fails (":8x",
// "[::1"): apache2 logs the whole target there, password and all.
func TestMaskPassword(t *testing.T) {
	for _, tc := range []struct{ line, want, proto, path string }{
		{"GET http://u:p@main.test/a%zz HTTP/1.1", "GET http://u:XXXXXXXX@main.test/a%zz HTTP/1.1", "HTTP/1.1", "/a%zz"},
		{"GET http://u:p@main.test:8x/ HTTP/1.1", "GET http://u:XXXXXXXX@main.test:8x HTTP/1.1", "HTTP/1.1", "/"},
		// A port strtol reads in part: left out where that part is 0 or the scheme's.
		{"GET http://u:p@h:80x/ HTTP/1.1", "GET http://u:XXXXXXXX@h HTTP/1.1", "HTTP/1.1", "/"},
		{"GET http://u:p@h:--1/ HTTP/1.1", "GET http://u:XXXXXXXX@h HTTP/1.1", "HTTP/1.1", "/"},
		{"GET http://u:p@h:-1/y HTTP/1.1", "GET http://u:XXXXXXXX@h:-1/y HTTP/1.1", "HTTP/1.1", "/y"},
		{"GET http://u:p@h:-0/y HTTP/1.1", "GET http://u:XXXXXXXX@h/y HTTP/1.1", "HTTP/1.1", "/y"},
		{"GET http://u:p@h:000/y HTTP/1.1", "GET http://u:XXXXXXXX@h/y HTTP/1.1", "HTTP/1.1", "/y"},
		{"GET http://u:p%zz@main.test/ HTTP/1.1", "GET http://u:XXXXXXXX@main.test/ HTTP/1.1", "HTTP/1.1", "/"},
		{"GET http://u:p@main.test/#frag HTTP/1.1", "GET http://u:XXXXXXXX@main.test/#frag HTTP/1.1", "HTTP/1.1", "/"},
		{"GET http://u:p@Main.Test:080/a\"b<c>?q=1 HTTP/1.1", "GET http://u:XXXXXXXX@Main.Test/a\"b<c>?q=1 HTTP/1.1", "HTTP/1.1", "/a\"b<c>"},
		{"GET http://u:@h:/ HTTP/1.1", "GET http://u:XXXXXXXX@h/ HTTP/1.1", "HTTP/1.1", "/"},
		{"GET http://a@b:p@main.test/ HTTP/1.1", "GET http://a@b:XXXXXXXX@main.test/ HTTP/1.1", "HTTP/1.1", "/"},
		{"GET HTTPS://u:p@main.test:443/ HTTP/1.1", "GET HTTPS://u:XXXXXXXX@main.test/ HTTP/1.1", "HTTP/1.1", "/"},
		{"GET http://u:p@h:65616/y HTTP/1.1", "GET http://u:XXXXXXXX@h/y HTTP/1.1", "HTTP/1.1", "/y"},
		{"GET a+b://u:p@h:1/y HTTP/1.1", "GET a+b://u:XXXXXXXX@h:1/y HTTP/1.1", "HTTP/1.1", "/y"},
		{"GET http://u:p@[::1/x HTTP/1.1", "GET http:u:XXXXXXXX@ HTTP/1.1", "HTTP/1.1", "/x"},
		// The version settled first (lineVersion), the line as refusedLine's.
		{"GET http://u:p@main.test/", "GET http://u:XXXXXXXX@main.test/ HTTP/1.0", "HTTP/1.0", ""},
		{"GET  http://u:p@main.test/  HTTP/1.1", "GET http://u:XXXXXXXX@main.test/ HTTP/1.1", "HTTP/1.1", "/"},
		{"GET http://u:p@a b/ HTTP/1.1", "GET http://u:XXXXXXXX@a HTTP/1.0", "HTTP/1.0", ""},
		{"GET http://u:p@main.test/ http/1.1", "GET http://u:XXXXXXXX@main.test/ http/1.1", "http/1.1", "/"},
		// No password: as sent.
		{"GET http://u@main.test/ HTTP/1.1", "GET http://u@main.test/ HTTP/1.1", "HTTP/1.1", "/"},
		{"GET 1a://u:p@h/ HTTP/1.1", "GET 1a://u:p@h/ HTTP/1.1", "HTTP/1.1", "1a://u:p@h/"},
	} {
		raw := tc.line + "\r\nHost: main.test\r\n\r\n"
		s := &Server{}
		s.init()
		var p parser
		req := &http.Request{URL: new(url.URL)}
		_, perr := p.readRequest(nil, bufio.NewReader(strings.NewReader(raw)), &s.cfg.host.limits, req, nil)
		if perr == nil {
			t.Fatalf("%q accepted", tc.line)
		}
		p.refusedHead(req, perr)
		if got := string(p.head[p.line.start:p.line.end]); got != tc.want || req.Proto != tc.proto || req.URL.Path != tc.path {
			t.Errorf("%q: %%r %q %%H %q %%U %q, want %q %q %q", tc.line, got, req.Proto, req.URL.Path, tc.want, tc.proto, tc.path)
		}
		checkRefused(t, raw)
	}
}

func TestReadRequest(t *testing.T) {
	// expects checks the Expect flags: "100-continue" (cont), another (other).
	expects := func(cont, other bool) func(*testing.T, *http.Request, reqInfo) {
		return func(t *testing.T, _ *http.Request, info reqInfo) {
			if info.expectContinue != cont || info.expect != other {
				t.Errorf("info %+v", info)
			}
		}
	}
	cases := []struct {
		name   string
		raw    string
		status int // 0: parses; -1: dropped without answer
		check  func(t *testing.T, r *http.Request, info reqInfo)
	}{
		{name: "simple", raw: "GET /a/b?c=d HTTP/1.1\r\nHost: example.com\r\nUser-Agent: x\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				want := &url.URL{Path: "/a/b", RawQuery: "c=d"}
				if !reflect.DeepEqual(r.URL, want) {
					t.Errorf("URL %#v", r.URL)
				}
				if r.Method != "GET" || r.Proto != "HTTP/1.1" || r.ProtoMajor != 1 || r.ProtoMinor != 1 ||
					r.Host != "example.com" || r.RequestURI != "/a/b?c=d" || r.ContentLength != 0 || r.Close {
					t.Errorf("request %+v", r)
				}
				if r.Header.Get("User-Agent") != "x" || r.Header.Get("Host") != "example.com" {
					t.Errorf("header %v", r.Header)
				}
			}},
		{name: "canonical keys, trimmed values, duplicates in order",
			raw: "GET / HTTP/1.1\r\nhost: h\r\ncontent-TYPE:  \t text/plain \t\r\nx-a: 1\r\nX-A: 2\r\nx_b: 3\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				want := http.Header{"Host": {"h"}, "Content-Type": {"text/plain"}, "X-A": {"1", "2"}, "X_b": {"3"}}
				if !reflect.DeepEqual(r.Header, want) {
					t.Errorf("header %v, want %v", r.Header, want)
				}
			}},
		{name: "obs-fold joins with one space", raw: "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n \t b\r\n\tc\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if got := r.Header["X"]; len(got) != 1 || got[0] != "a b c" {
					t.Errorf("X = %q", got)
				}
			}},
		{name: "empty value", raw: "GET / HTTP/1.1\r\nHost: h\r\nX:\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if got, ok := r.Header["X"]; !ok || got[0] != "" {
					t.Errorf("X = %q", got)
				}
			}},
		{name: "escaped path", raw: "GET /a%20b/%7e?q=%20 HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if r.URL.Path != "/a b/~" || r.URL.RawQuery != "q=%20" {
					t.Errorf("URL %#v", r.URL)
				}
			}},
		{name: "empty query keeps ForceQuery", raw: "GET /a? HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if r.URL.String() != "/a?" {
					t.Errorf("URL %q", r.URL.String())
				}
			}},
		{name: "absolute form", raw: "GET http://Other:81/p?q HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if r.Host != "Other:81" || r.URL.Scheme != "http" || r.URL.Path != "/p" || r.URL.RawQuery != "q" {
					t.Errorf("host %q URL %#v", r.Host, r.URL)
				}
				// apache2's AH02417: the target's host replaces the field.
				if h := r.Header["Host"]; len(h) != 1 || h[0] != "other:81" {
					t.Errorf("Host field %q", h)
				}
			}},
		{name: "absolute form, an IPv6 target", raw: "GET http://[::1]:081/p HTTP/1.1\r\nhost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if h := r.Header["Host"]; len(h) != 1 || h[0] != "[::1]:081" {
					t.Errorf("Host field %q", h)
				}
			}},
		{name: "absolute form, an empty port: the scheme's", raw: "GET http://O.test:/p HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				// apache2: HTTP_HOST "o.test:", SERVER_PORT 80 (ServerPort).
				if r.Host != "O.test:" || r.URL.Path != "/p" {
					t.Errorf("host %q URL %#v", r.Host, r.URL)
				}
				if h := r.Header["Host"]; len(h) != 1 || h[0] != "o.test:" {
					t.Errorf("Host field %q", h)
				}
			}},
		{name: "absolute form, an IPv6 target with an empty port", raw: "GET http://[::1]:/p HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if h := r.Header["Host"]; r.Host != "[::1]:" || len(h) != 1 || h[0] != "[::1]:" {
					t.Errorf("host %q, Host field %q", r.Host, h)
				}
			}},
		{name: "absolute form, port 0", raw: "GET http://o:0/p HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if h := r.Header["Host"]; r.Host != "o:0" || len(h) != 1 || h[0] != "o:0" {
					t.Errorf("host %q, Host field %q", r.Host, h)
				}
			}},
		{name: "absolute form, two Host fields", raw: "GET http://o/p HTTP/1.1\r\nHost: h:\r\nHost: h:0\r\n\r\n", status: 400},
		{name: "absolute form, Host with an empty port", raw: "GET http://o/p HTTP/1.1\r\nHost: h:\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if h := r.Header["Host"]; r.Host != "o" || len(h) != 1 || h[0] != "o" {
					t.Errorf("host %q, Host field %q", r.Host, h)
				}
			}},
		{name: "absolute form, Host with port 0", raw: "GET http://o/p HTTP/1.1\r\nHost: h:0\r\n\r\n"},
		{name: "absolute form, another scheme, Host with an empty port", raw: "GET https://o/p HTTP/1.1\r\nHost: h:\r\n\r\n", status: 400},
		{name: "absolute form, two colons", raw: "GET http://o::/p HTTP/1.1\r\nHost: h\r\n\r\n", status: 400},
		{name: "absolute form, an empty host", raw: "GET http://:/p HTTP/1.1\r\nHost: h\r\n\r\n", status: 400},
		{name: "CONNECT with an empty port", raw: "CONNECT o: HTTP/1.1\r\nHost: h\r\n\r\n", status: 400},
		{name: "CONNECT without a port", raw: "CONNECT o HTTP/1.1\r\nHost: h\r\n\r\n", status: 400},
		{name: "CONNECT with a signed port", raw: "CONNECT o:-1 HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if r.Host != "o:-1" {
					t.Errorf("Host %q", r.Host)
				}
			}},
		{name: "CONNECT with a port over 65535", raw: "CONNECT o:99999 HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if r.Host != "o:99999" {
					t.Errorf("Host %q", r.Host)
				}
			}},
		{name: "absolute form without a path", raw: "GET http://o?q HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if r.Host != "o" || r.URL.Path != "" || r.URL.RawQuery != "q" {
					t.Errorf("host %q URL %#v", r.Host, r.URL)
				}
			}},
		{name: "absolute form with the path /, OPTIONS, an empty port", raw: "OPTIONS http://o:/?q HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if r.URL.Path != "/" {
					t.Errorf("URL %#v", r.URL)
				}
			}},
		{name: "absolute form without a path, OPTIONS: asterisk", raw: "OPTIONS HTTP://o HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if r.Host != "o" || r.URL.Path != "*" || r.URL.EscapedPath() != "*" {
					t.Errorf("host %q URL %#v", r.Host, r.URL)
				}
			}},
		{name: "absolute form without a path, OPTIONS, another scheme", raw: "OPTIONS https://o?q HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if r.Host != "h" || r.URL.Path != "*" || r.URL.RawQuery != "q" {
					t.Errorf("host %q URL %#v", r.Host, r.URL)
				}
			}},
		{name: "another scheme than http and https: refused after the post-read phase", raw: "GET ftp://o/p?x=1 HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, info reqInfo) {
				if !info.badScheme || r.Host != "h" || r.URL.Path != "/p" || r.URL.RawQuery != "x=1" {
					t.Errorf("info %+v host %q URL %#v", info, r.Host, r.URL)
				}
			}},
		{name: "another scheme without a host", raw: "GET FTP:/p HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, info reqInfo) {
				if !info.badScheme || r.Host != "h" || r.URL.Path != "/p" {
					t.Errorf("info %+v host %q URL %#v", info, r.Host, r.URL)
				}
			}},
		{name: "HTTPS on a plain connection: Host stays", raw: "GET HTTPS://o/p HTTP/1.0\r\n\r\n",
			check: func(t *testing.T, r *http.Request, info reqInfo) {
				if r.Host != "" || r.URL.Path != "/p" || info.badScheme {
					t.Errorf("host %q URL %#v info %+v", r.Host, r.URL, info)
				}
			}},
		{name: "a scheme without //", raw: "GET http:p HTTP/1.1\r\nHost: h\r\n\r\n", status: 400},
		{name: "a scheme without //, OPTIONS", raw: "OPTIONS http:p HTTP/1.1\r\nHost: h\r\n\r\n", status: 400},
		{name: "absolute form without Host (HTTP/1.2; 1.1 wants Host)", raw: "GET http://o/p HTTP/1.2\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if r.Host != "o" {
					t.Errorf("host %q", r.Host)
				}
				if h, ok := r.Header["Host"]; ok {
					t.Errorf("Host field %q added", h)
				}
			}},
		{name: "absolute form, another scheme: Host stays", raw: "GET https://Other./p HTTP/1.1\r\nHost: H.test\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if h := r.Header["Host"]; len(h) != 1 || h[0] != "H.test" || r.Host != "H.test" {
					t.Errorf("host %q, Host field %q", r.Host, h)
				}
			}},
		{name: "CONNECT authority form", raw: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if r.URL.Host != "example.com:443" || r.URL.Scheme != "" || r.URL.Path != "" {
					t.Errorf("URL %#v", r.URL)
				}
			}},
		{name: "asterisk form", raw: "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if r.URL.Path != "*" || r.RequestURI != "*" {
					t.Errorf("URL %#v", r.URL)
				}
			}},
		{name: "HTTP/1.0 defaults to close", raw: "GET / HTTP/1.0\r\n\r\n",
			check: func(t *testing.T, r *http.Request, info reqInfo) {
				if !r.Close || info.kaToken || r.ProtoMinor != 0 || r.Host != "" {
					t.Errorf("close %v ka %v", r.Close, info.kaToken)
				}
			}},
		{name: "HTTP/1.0 keep-alive token", raw: "GET / HTTP/1.0\r\nConnection: foo, Keep-Alive\r\n\r\n",
			check: func(t *testing.T, r *http.Request, info reqInfo) {
				if r.Close || !info.kaToken {
					t.Errorf("close %v ka %v", r.Close, info.kaToken)
				}
			}},
		{name: "HTTP/1.1 close token", raw: "GET / HTTP/1.1\r\nHost: h\r\nConnection: TE\r\nConnection: close\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if !r.Close {
					t.Error("not Close")
				}
			}},
		{name: "HTTP/1.2 is 1.x", raw: "GET / HTTP/1.2\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if r.ProtoMinor != 2 || r.Proto != "HTTP/1.2" || r.Close {
					t.Errorf("proto %q", r.Proto)
				}
			}},
		{name: "HTTP/2.0 is served as 1.1 is", raw: "GET / HTTP/2.0\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if r.ProtoMajor != 2 || r.ProtoMinor != 0 || r.Proto != "HTTP/2.0" || r.Close || !r.ProtoAtLeast(1, 1) {
					t.Errorf("proto %q %d.%d close %v", r.Proto, r.ProtoMajor, r.ProtoMinor, r.Close)
				}
			}},
		{name: "HTTP/3.0 in absolute form wants no Host (1.1 alone does)", raw: "GET http://o/p HTTP/3.0\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if r.Proto != "HTTP/3.0" || r.Host != "o" || r.Close {
					t.Errorf("proto %q host %q close %v", r.Proto, r.Host, r.Close)
				}
			}},
		{name: "content length", raw: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0042\r\n\r\n",
			check: func(t *testing.T, r *http.Request, info reqInfo) {
				if r.ContentLength != 42 || info.chunked {
					t.Errorf("cl %d", r.ContentLength)
				}
			}},
		{name: "chunked", raw: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n",
			check: func(t *testing.T, r *http.Request, info reqInfo) {
				if r.ContentLength != -1 || !info.chunked || !reflect.DeepEqual(r.TransferEncoding, []string{"chunked"}) {
					t.Errorf("cl %d te %v", r.ContentLength, r.TransferEncoding)
				}
			}},
		{name: "chunked on 1.0 closes after", raw: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
			check: func(t *testing.T, _ *http.Request, info reqInfo) {
				if !info.chunked || !info.closeAfter || info.leaveBody {
					t.Errorf("info %+v", info)
				}
			}},
		{name: "expect 100-continue", raw: "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nExpect: 100-Continue\r\n\r\n",
			check: expects(true, false)},
		{name: "unknown expectation on 1.0", raw: "PUT / HTTP/1.0\r\nExpect: foo\r\n\r\n",
			check: expects(false, true)},
		{name: "expect 100-continue on 1.0, no body", raw: "GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n",
			check: expects(true, false)},
		{name: "empty expectation is ignored", raw: "GET / HTTP/1.1\r\nHost: h\r\nExpect: \r\n\r\n",
			check: expects(false, false)},
		{name: "two expectations", raw: "GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nExpect: 100-continue\r\n\r\n",
			check: expects(false, true)},
		{name: "unknown expectation", raw: "GET / HTTP/1.1\r\nHost: h\r\nExpect: foo\r\n\r\n",
			check: expects(false, true)},
		{name: "up to 10 blank lines before the request", raw: strings.Repeat("\r\n", 10) + "GET / HTTP/1.1\r\nHost: h\r\n\r\n"},
		{name: "11 blank lines", raw: strings.Repeat("\r\n", 11) + "GET / HTTP/1.1\r\nHost: h\r\n\r\n", status: 400},
		{name: "100 fields pass", raw: "GET / HTTP/1.1\r\nHost: h\r\n" + strings.Repeat("X: y\r\n", 99) + "\r\n"},
		{name: "101 fields", raw: "GET / HTTP/1.1\r\nHost: h\r\n" + strings.Repeat("X: y\r\n", 100) + "\r\n", status: 400},
		{name: "field of 8191 bytes passes", raw: "GET / HTTP/1.1\r\nHost: h\r\nX: " + strings.Repeat("v", 8188) + "\r\n\r\n"},
		{name: "field of 8192 bytes", raw: "GET / HTTP/1.1\r\nHost: h\r\nX: " + strings.Repeat("v", 8189) + "\r\n\r\n", status: 400},
		{name: "folded field over the limit", raw: "GET / HTTP/1.1\r\nHost: h\r\nX: " + strings.Repeat("v", 5000) + "\r\n " + strings.Repeat("w", 5000) + "\r\n\r\n", status: 400},
		{name: "request line of 8192 bytes", raw: "GET /" + strings.Repeat("a", 8192-14) + " HTTP/1.1\r\nHost: h\r\n\r\n", status: 414},
		{name: "request line without end", raw: "GET /" + strings.Repeat("a", 20000), status: 414},
		{name: "fold as the first field", raw: "GET / HTTP/1.1\r\n x: y\r\nHost: h\r\n\r\n", status: 400},
		{name: "no version", raw: "GET /\r\n\r\n", status: 400},
		{name: "empty method", raw: " / HTTP/1.1\r\nHost: h\r\n\r\n", status: 400},
		{name: "bad method char", raw: "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", status: 400},
		{name: "tab separator", raw: "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", status: 400},
		{name: "trailing space", raw: "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", status: 400},
		{name: "control char in target", raw: "GET /a\x7fb HTTP/1.1\r\nHost: h\r\n\r\n", status: 400},
		{name: "bad version", raw: "GET / HTTP/1.10\r\nHost: h\r\n\r\n", status: 400},
		{name: "major version 0", raw: "GET / HTTP/0.9\r\nHost: h\r\n\r\n", status: 400},
		{name: "HTTP/2.0 without Host", raw: "GET / HTTP/2.0\r\n\r\n", status: 400},
		{name: "HTTP/2.0 preface", raw: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", status: 400},
		{name: "fragment in the target", raw: "GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n", status: 400},
		{name: "relative target", raw: "GET a/b HTTP/1.1\r\nHost: h\r\n\r\n", status: 400},
		{name: "NUL in a value", raw: "GET / HTTP/1.1\r\nHost: h\r\nX: a\x00b\r\n\r\n", status: 400},
		{name: "CR in a value", raw: "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", status: 400},
		{name: "bare LF in headers", raw: "GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n", status: 400},
		{name: "bad field name", raw: "GET / HTTP/1.1\r\nHost: h\r\nX Y: z\r\n\r\n", status: 400},
		{name: "empty field name", raw: "GET / HTTP/1.1\r\nHost: h\r\n: z\r\n\r\n", status: 400},
		{name: "missing Host", raw: "GET / HTTP/1.1\r\n\r\n", status: 400},
		{name: "empty Host", raw: "GET / HTTP/1.1\r\nHost:\r\n\r\n", status: 400},
		{name: "bad Host port", raw: "GET / HTTP/1.1\r\nHost: h:x\r\n\r\n", status: 400},
		{name: "Host with an empty port", raw: "GET / HTTP/1.1\r\nHost: h:\r\n\r\n", status: 400},
		{name: "Host port 0", raw: "GET / HTTP/1.1\r\nHost: h:00\r\n\r\n", status: 400},
		{name: "Host IPv6 port 0", raw: "GET / HTTP/1.1\r\nHost: [::0]:0\r\n\r\n", status: 400},
		{name: "Host IPv6 ending in 0", raw: "GET / HTTP/1.1\r\nHost: [::0]\r\n\r\n"},
		{name: "Host port 010", raw: "GET / HTTP/1.1\r\nHost: h:010\r\n\r\n"},
		{name: "Host port with more than 5 digits, leading zeros", raw: "GET / HTTP/1.1\r\nHost: h:000080\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if r.Host != "h:000080" || ServerPort(r) != "80" {
					t.Errorf("host %q port %q", r.Host, ServerPort(r))
				}
			}},
		{name: "target port with more than 5 digits, leading zeros", raw: "GET http://o:0000081/p HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, _ reqInfo) {
				if r.Host != "o:0000081" || ServerPort(r) != "81" {
					t.Errorf("host %q port %q", r.Host, ServerPort(r))
				}
			}},
		{name: "Host port too big", raw: "GET / HTTP/1.1\r\nHost: h:65536\r\n\r\n", status: 400},
		{name: "Host port too big, leading zeros", raw: "GET / HTTP/1.1\r\nHost: h:0065536\r\n\r\n", status: 400},
		{name: "Host port of all zeros", raw: "GET / HTTP/1.1\r\nHost: h:000000\r\n\r\n", status: 400},
		{name: "Host with userinfo", raw: "GET / HTTP/1.1\r\nHost: u@h\r\n\r\n", status: 400},
		{name: "two Content-Length", raw: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", status: 400},
		{name: "signed Content-Length", raw: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\n", status: 400},
		{name: "huge Content-Length", raw: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", status: 400},
		{name: "TE and CL: chunked, closed after, left unread", raw: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
			check: func(t *testing.T, r *http.Request, info reqInfo) {
				if !info.chunked || !info.closeAfter || !info.leaveBody || r.ContentLength != -1 || r.Header["Content-Length"] != nil {
					t.Errorf("info %+v, ContentLength %d, header %v", info, r.ContentLength, r.Header)
				}
			}},
		{name: "TE and a bad CL", raw: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: x\r\n\r\n", status: 400},
		{name: "TE gzip, chunked: chunked, kept", raw: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
			check: func(t *testing.T, r *http.Request, info reqInfo) {
				if !info.chunked || info.closeAfter || info.leaveBody || r.ContentLength != -1 || r.Header.Get("Transfer-Encoding") != "gzip, chunked" {
					t.Errorf("info %+v, ContentLength %d, header %v", info, r.ContentLength, r.Header)
				}
			}},
		{name: "TE in two fields, gzip then chunked: chunked, kept", raw: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
			check: func(t *testing.T, r *http.Request, info reqInfo) {
				if !info.chunked || info.closeAfter || r.ContentLength != -1 {
					t.Errorf("info %+v, ContentLength %d", info, r.ContentLength)
				}
			}},
		{name: "TE chunked twice: chunked, closed after", raw: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
			check: func(t *testing.T, r *http.Request, info reqInfo) {
				if !info.chunked || !info.closeAfter || info.leaveBody {
					t.Errorf("info %+v", info)
				}
			}},
		{name: "TE chunked, gzip", raw: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", status: 400},
		{name: "TE chunked then gzip in two fields", raw: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", status: 400},
		{name: "bad escape: kept as sent, for the site to refuse after the post-read phase", raw: "GET /%zz?q HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, info reqInfo) {
				if r.URL.Path != "/%zz" || r.URL.RawPath != "/%zz" || r.URL.RawQuery != "q" {
					t.Errorf("URL %#v", r.URL)
				}
			}},
		{name: "bad escape in an absolute target: its host the request's", raw: "GET http://Abs.test:81/%zz?q HTTP/1.1\r\nHost: h\r\n\r\n",
			check: func(t *testing.T, r *http.Request, info reqInfo) {
				if r.Host != "Abs.test:81" || r.URL.Path != "/%zz" || r.URL.RawPath != "/%zz" || r.URL.RawQuery != "q" {
					t.Errorf("Host %q, URL %#v", r.Host, r.URL)
				}
			}},
		{name: "bad escape in an absolute target whose host is bad", raw: "GET http://[::g]/%zz HTTP/1.1\r\nHost: h\r\n\r\n", status: 400},
		{name: "EOF before anything", raw: "", status: -1},
		{name: "EOF in the request line", raw: "GET / HT", status: -1},
		{name: "EOF in the headers", raw: "GET / HTTP/1.1\r\nHost: h\r\n", status: -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, info, perr := parse(tc.raw)
			switch {
			case tc.status == 0 && perr != nil:
				t.Fatalf("error %v (status %d)", perr, perr.status)
			case tc.status == -1 && (perr == nil || perr.status != 0):
				t.Fatalf("got %v, want a silent drop", perr)
			case tc.status > 0 && (perr == nil || perr.status != tc.status):
				t.Fatalf("got %v, want status %d", perr, tc.status)
			}
			if tc.check != nil {
				tc.check(t, r, info)
			}
		})
	}
}

// TestReadRequestHostRefusal: a bad or missing host is refused with the
// input still usable (errBadHost: apache2's ap_check_request_header, after
// the framing checks), but bad framing wins, whose input is unusable, and
// CONNECT's host is its request line's.
func TestReadRequestHostRefusal(t *testing.T) {
	for _, tc := range []struct {
		raw   string
		sound bool
	}{
		{"GET / HTTP/1.1\r\nHost: a..b\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: h:\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n", true},
		{"GET / HTTP/1.1\r\n\r\n", true},
		{"GET http://o/ HTTP/1.1\r\n\r\n", true},
		{"GET http://a..b/ HTTP/1.1\r\nHost: h\r\n\r\n", true},
		{"POST / HTTP/1.1\r\nHost: a..b\r\nContent-Length: x\r\n\r\n", false},
		{"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", false},
		{"CONNECT a..b:443 HTTP/1.1\r\nHost: h\r\n\r\n", false},
		{"CONNECT u:secret@h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n", false},
		{"CONNECT u@h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n", false},
		{"GET http:x HTTP/1.1\r\nHost: h\r\n\r\n", false},
	} {
		_, _, perr := parse(tc.raw)
		if perr == nil || perr.status != http.StatusBadRequest || perr.sound != tc.sound {
			t.Errorf("%q: got %+v, want a 400 with sound %v", tc.raw, perr, tc.sound)
		}
	}
}

// TestReadRequestAbsoluteHostField: an absolute-form target names the
// host, so a Host field that RFC 9110 allows but apache2 does not (its
// strict checks, an empty label, a port over 65535, an empty value) is
// replaced and the request served, as apache2's; one RFC 9112 §3.2 calls
// invalid (a character outside uri-host, a second field) stays a 400.
func TestReadRequestAbsoluteHostField(t *testing.T) {
	for _, tc := range []struct {
		host  string
		serve bool
	}{
		{"123", true}, {"01.2.3.4", true}, {"a.1b", true}, {"a..b", true}, {"a:99999", true},
		{"", true}, {"a~b%41!", true}, {"a:", true}, {"a:0", true},
		{"a b", false}, {"a/b", false}, {"a@b", false}, {"[::1", false}, {"a:8x", false}, {"a%4", false},
		{"a\r\nHost: b", false},
	} {
		for _, v := range []string{"HTTP/1.1", "HTTP/2.0", "HTTP/1.0"} {
			raw := "GET http://main.test/a.txt " + v + "\r\nHost: " + tc.host + "\r\n\r\n"
			r, _, perr := parse(raw)
			if tc.serve {
				if perr != nil || r.Host != "main.test" || r.Header.Get("Host") != "main.test" {
					t.Errorf("%q: %+v, host %q, field %q", raw, perr, r.Host, r.Header.Get("Host"))
				}
			} else if perr != errBadHost {
				t.Errorf("%q: %+v, want errBadHost", raw, perr)
			}
		}
		// Without a host in the target, the field is refused.
		if _, _, perr := parse("GET /a.txt HTTP/1.1\r\nHost: " + tc.host + "\r\n\r\n"); perr != errBadHost {
			t.Errorf("%q in origin form: %+v", tc.host, perr)
		}
	}
}

// TestParserReuse: the parser's scratch space is reused, but nothing the handler got
// from an earlier request changes.
func TestParserReuse(t *testing.T) {
	s := &Server{}
	s.init()
	var p parser
	br := bufio.NewReader(strings.NewReader("GET /first HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\nGET /second HTTP/1.1\r\nHost: b\r\nX: 2\r\n\r\n"))
	r1 := &http.Request{URL: new(url.URL)}
	if _, perr := p.readRequest(nil, br, &s.cfg.host.limits, r1, nil); perr != nil {
		t.Fatal(perr)
	}
	r2 := &http.Request{URL: new(url.URL)}
	if _, perr := p.readRequest(nil, br, &s.cfg.host.limits, r2, nil); perr != nil {
		t.Fatal(perr)
	}
	if r1.URL.Path != "/first" || r1.Host != "a" || r1.Header.Get("X") != "1" {
		t.Errorf("first request changed: %q %q %v", r1.URL.Path, r1.Host, r1.Header)
	}
	if r2.URL.Path != "/second" || r2.Host != "b" || r2.Header.Get("X") != "2" {
		t.Errorf("second request: %q %q %v", r2.URL.Path, r2.Host, r2.Header)
	}
}

func FuzzReadRequest(f *testing.F) {
	for _, tc := range conformanceCases() {
		f.Add(tc.raw)
	}
	f.Add("GET http://h/ HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n")
	f.Add("OPTIONS * HTTP/1.0\r\n\r\n")
	f.Add("OPTIONS http://h:?q HTTP/1.1\r\nHost: h\r\n\r\n")
	f.Add("GET https://o/ HTTP/1.0\r\n\r\n")
	f.Add("CONNECT h:1 HTTP/1.1\r\nHost: h:1\r\n\r\n")
	f.Add("GET /%41?%zz HTTP/1.1\r\nHost: [::1]:80\r\n\r\n")
	f.Add("GET http://u:p@main.test:8x/a%zz HTTP/1.1\r\nHost: h\r\n\r\n")
	f.Fuzz(func(t *testing.T, raw string) {
		r, info, perr := parse(raw)
		if perr != nil {
			if perr.status != 0 && (perr.status < 400 || perr.status > 599) {
				t.Fatalf("status %d", perr.status)
			}
			if perr.status != 0 {
				checkRefused(t, raw)
			}
			return
		}
		// Invariants of an accepted request.
		if r.Method == "" || strings.IndexFunc(r.Method, func(c rune) bool { return c > 127 || !isTokenByte(byte(c)) }) >= 0 {
			t.Fatalf("method %q", r.Method)
		}
		if r.ProtoMajor < 1 || r.URL == nil || r.RequestURI == "" || r.Header == nil {
			t.Fatalf("request %+v", r)
		}
		if r.ProtoAtLeast(1, 1) && r.Host == "" {
			t.Fatalf("%s without Host", r.Proto)
		}
		if r.Host != "" && !validHost(r.Host) {
			t.Fatalf("invalid host %q accepted", r.Host)
		}
		if info.chunked != (r.ContentLength == -1) || r.ContentLength < -1 {
			t.Fatalf("chunked %v content length %d", info.chunked, r.ContentLength)
		}
		for k, vs := range r.Header {
			if http.CanonicalHeaderKey(k) != k || !validFieldName(k) {
				t.Fatalf("key %q", k)
			}
			for _, v := range vs {
				if strings.ContainsAny(v, "\r\n\x00") || strings.TrimSpace(v) != strings.Trim(v, " \t\r\n\v\f") {
					t.Fatalf("value %q", v)
				}
				if v != strings.Trim(v, " \t") {
					t.Fatalf("untrimmed value %q", v)
				}
			}
		}
		// The fast path must agree with net/url.
		if strings.HasPrefix(r.RequestURI, "/") {
			u, err := url.ParseRequestURI(r.RequestURI)
			if err != nil && errors.As(err, new(url.EscapeError)) {
				// A bad %-escape goes on as sent, for core's 400.
				path, query, _ := strings.Cut(r.RequestURI, "?")
				if r.URL.Path != path || r.URL.RawPath != path || r.URL.RawQuery != query {
					t.Fatalf("URL %#v of %q with a bad escape", r.URL, r.RequestURI)
				}
				return
			}
			if err != nil {
				t.Fatalf("accepted %q that net/url rejects: %v", r.RequestURI, err)
			}
			if !reflect.DeepEqual(u, r.URL) {
				t.Fatalf("URL %#v, net/url says %#v", r.URL, u)
			}
		}
		// Re-serialising the parsed request parses to the same request.
		var b strings.Builder
		b.WriteString(r.Method + " " + r.RequestURI + " " + r.Proto + "\r\n")
		keys := make([]string, 0, len(r.Header))
		for k := range r.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range r.Header[k] {
				b.WriteString(k + ": " + v + "\r\n")
			}
		}
		b.WriteString("\r\n")
		r2, _, perr2 := parse(b.String())
		if perr2 != nil {
			t.Fatalf("re-parse of %q: %v", b.String(), perr2)
		}
		if r2.Method != r.Method || r2.RequestURI != r.RequestURI || r2.Host != r.Host ||
			r2.ContentLength != r.ContentLength || !reflect.DeepEqual(r2.Header, r.Header) {
			t.Fatalf("re-parse differs:\n%+v\n%+v", r, r2)
		}
		// Where net/http also accepts the request, it must see the same thing.
		if hr, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw))); err == nil {
			// net/http leaves the space of an empty obs-fold line at the end
			// of the Host field as of any (see below).
			hr.Host = strings.Trim(hr.Host, " \t")
			if hr.URL.Host != "" && !strings.EqualFold(hr.URL.Scheme, "http") {
				// A target of another scheme than the connection's (https here)
				// leaves the Host field in charge (apache2's ap_parse_uri);
				// net/http takes the target's host.
				hr.Host = r.Host
			}
			if hr.Method == http.MethodOptions && hr.URL.Host != "" && hr.URL.Path == "" && r.URL.Path == "*" {
				// An absolute-form target without a path is "*" to OPTIONS (apache2's
				// ap_parse_uri); net/http leaves the path empty.
				hr.URL.Path = "*"
			}
			if hr.URL.Scheme != "" && hr.URL.Host == "" && hr.URL.Opaque == "" && hr.URL.Path == "" {
				// A bare scheme ("http:"): net/http keeps it as such; apache2's
				// apr_uri_parse reads it as that scheme with no host and an
				// empty path, "*" to OPTIONS (served as "/" to the others).
				want := ""
				if r.Method == http.MethodOptions {
					want = "*"
				}
				if r.URL.Host != "" || r.URL.Path != want {
					t.Fatalf("bare scheme %q: we see host %q path %q, want no host and %q", hr.RequestURI, r.URL.Host, r.URL.Path, want)
				}
				hr.URL = r.URL
			}
			if hr.Method != r.Method || hr.RequestURI != r.RequestURI || hr.URL.String() != r.URL.String() || hr.Host != r.Host {
				t.Fatalf("net/http sees %s %s (host %q), we see %s %s (host %q)", hr.Method, hr.URL, hr.Host, r.Method, r.URL, r.Host)
			}
			if info.leaveBody {
				// Transfer-Encoding with Content-Length: we drop the
				// latter, as apache2's ap_read_request; net/http ignores
				// an HTTP/1.0 request's Transfer-Encoding and keeps it.
				delete(hr.Header, "Content-Length")
			}
			for k, vs := range hr.Header {
				// net/http leaves the space of an empty obs-fold line at the end of a
				// value; a field value has no trailing whitespace (RFC 9110 §5.5).
				for i := range vs {
					vs[i] = strings.Trim(vs[i], " \t")
				}
				if !reflect.DeepEqual(r.Header[k], vs) {
					t.Fatalf("header %s: net/http %q, we %q", k, vs, r.Header[k])
				}
			}
		}
	})
}

// TestStrictHostname: apache2's HttpProtocolOptions Strict host checks
// (AH02415, AH02416), through validHost.
func TestStrictHostname(t *testing.T) {
	for h, want := range map[string]bool{
		"123": false, "123:80": false, "1.2.3": false, "01.2.3.4": false, "1.02.3.4": false, "1.2.3.4.5": false,
		"a.1b": false, "a.-b": false, "a._b": false, ".": false, ".1.2.3": false,
		"1.2.3.4": true, "1.2.3.4.": true, "10.0.0.1:80": true, "0.0.0.0": true, "a.b1": true, "1b": true,
		"a-1.example": true, "localhost": true, "a.B": true, "abs.test.": true, "[::1]": true,
	} {
		if got := validHost(h); got != want {
			t.Errorf("validHost(%q) = %v, want %v", h, got, want)
		}
	}
}

// TestIPLiteral: a Host field's IP-literal is an IPv6 address to apache2
// (apr_parse_addr_port) and to RFC 3986; an IPvFuture is RFC 3986's only
// (rfcHost), and a target's IPvFuture without ':' loses its brackets, as
// apr_uri_parse takes it (unbracketFuture); one that is no IPv6 address
// parses, for validTargetHost to refuse (aprURL), as one whose port has a
// sign, for validTargetHost to take.
func TestIPLiteral(t *testing.T) {
	for h, want := range map[string][2]bool{ // validHost, rfcHost
		"[::1]": {true, true}, "[::1]:80": {true, true}, "[::ffff:1.2.3.4]": {true, true}, "[1:2:3:4:5:6:7:8]": {true, true},
		"[abcd]": {false, false}, "[::1::2]": {false, false}, "[12345::]": {false, false}, "[1:2:3:4:5:6:7:8:9]": {false, false},
		"[::1.2.3]": {false, false}, "[:]": {false, false}, "[]": {false, false}, "[1.2.3.4]": {false, false},
		"[1::2:3:4:5:6:7:8]": {false, false}, "[fe80::1%25eth0]": {false, false}, "[::1]x": {false, false},
		"[v1.x]": {false, true}, "[V1.x:y]:81": {false, true}, "[vz.x]": {false, false}, "[v1.]": {false, false}, "[v.x]": {false, false},
	} {
		if got := [2]bool{validHost(h), rfcHost(h)}; got != want {
			t.Errorf("validHost, rfcHost(%q) = %v, want %v", h, got, want)
		}
	}
	for target, want := range map[string]string{
		"http://[v1.x]/a": "http://v1.x/a", "http://[V1.X]:81": "http://V1.X:81", "http://[v1.x:80]/": "",
		"http://[abcd]/": "", "http://[::1]/": "", "/[v1.x]": "", "http://[v1.x/": "",
	} {
		if got, ok := unbracketFuture(target); got != want || ok != (want != "") {
			t.Errorf("unbracketFuture(%q) = %q, %v, want %q", target, got, ok, want)
		}
	}
	for target, want := range map[string]string{
		"http://[::g]/a?q": "[::g] /a", "http://[::1]x/": "[::1]x /", "http://[v1.x:80]": "[v1.x:80] ",
		"http://u@[::g]/": "[::g] /", "http://[::g/": "", "http://a..b/": "a..b /", "/[::g]": "",
		"http://[::1]:-1/a": "[::1]:-1 /a", "http://a.test:+1?q": "a.test:+1 ", "http://a.test:-99999/": "a.test:-99999 /",
		"http://[::g]:-1/": "[::g]:-1 /", "http://a.test:--1/": "", "http://a.test:-/": "", "http://a.test:1-/": "",
		"http://[::1]:8a/": "", "http://a.test:81/": "a.test:81 /", "http://u@a.test:-1/": "a.test:-1 /",
		"http://a%zz/a": "a%zz /a", "http://a:b:80/": "", "http://a:b/": "", "http://a.test:-1/%zz": "",
	} {
		u, ok := aprURL(target)
		got := ""
		if ok {
			got = u.Host + " " + u.Path
		}
		if got != want {
			t.Errorf("aprURL(%q) = %q, want %q", target, got, want)
		}
	}
}

// TestAprHostname: the host apr_uri_parse takes from an authority, which
// apache2's %V logs for a target whose host it refuses.
func TestAprHostname(t *testing.T) {
	for a, want := range map[string]string{
		"[::g]": "::g", "[ABCD::G]:81": "ABCD::G", "[v1.x:80]": "v1.x:80", "[::1]x": "::1]", "[::g]:-1": "::g",
		"A..b": "A..b", "a..B.:81": "a..B.", "[]": "", "[": "",
	} {
		if got := aprHostname(a); got != want {
			t.Errorf("aprHostname(%q) = %q, want %q", a, got, want)
		}
	}
}

// TestEscapedPathURL: a target whose path has a bad %-escape keeps its
// path and query as sent, and an absolute-form target its host (as
// parseTarget reads it); any other target is not one.
func TestEscapedPathURL(t *testing.T) {
	for target, want := range map[string]string{
		"/a%zz?q": " /a%zz q", "http://Abs.test:81/a%zz?q": "Abs.test:81 /a%zz q", "http://[::g]:-1/a%2": "[::g]:-1 /a%2 ",
		"http://[v1.x]/a%zz": "v1.x /a%zz ", "/a%20": "", "http://a.test/a": "", "http://a.test?%zz": "", "http://u@[/a%zz": "",
	} {
		u, ok := escapedPathURL(target)
		got := ""
		if ok {
			got = u.Host + " " + u.RawPath + " " + u.RawQuery
		}
		if got != want {
			t.Errorf("escapedPathURL(%q) = %q, want %q", target, got, want)
		}
	}
}

// TestServerPort: the port of the request's host as apache2's
// ap_get_server_port gives it (UseCanonicalName Off, no ServerName): a
// number, an empty one (an absolute-form target's) the scheme's.
func TestServerPort(t *testing.T) {
	for _, tc := range []struct {
		host string
		tls  bool
		want string
	}{
		{"o", false, "80"}, {"o", true, "443"}, {"o:", false, "80"}, {"[::1]:", true, "443"},
		{"o:81", true, "81"}, {"o:081", false, "81"}, {"o:0", false, "0"}, {"o:000", false, "0"},
		// An absolute-form target's port, as strtol reads it into an apr_port_t.
		{"o:65535", false, "65535"}, {"o:65536", false, "0"}, {"o:99999", false, "34463"}, {"[::1]:-1", false, "65535"},
		{"o:+1", false, "1"}, {"o:-0", false, "0"}, {"o:-99999", false, "31073"}, {"o:99999999999", false, "59391"},
		{"o:99999999999999999999", false, "65535"}, {"o:-99999999999999999999", false, "0"},
	} {
		r := &http.Request{Host: tc.host}
		if tc.tls {
			r.TLS = &tls.ConnectionState{}
		}
		if got := ServerPort(r); got != tc.want {
			t.Errorf("ServerPort(%q, TLS %v) = %q, want %q", tc.host, tc.tls, got, tc.want)
		}
	}
}

// TestRequestHost: fix_hostname's form, and stable when applied again (a host from
// SplitServerName, an IPv6 address without brackets, stays whole).
func TestRequestHost(t *testing.T) {
	for in, want := range map[string]string{
		"Example.COM": "example.com", "example.com.:8080": "example.com", "[::1]:80": "::1",
		"[FE80::1]": "fe80::1", "::1": "::1", "a.example.": "a.example", "": "",
	} {
		if got := RequestHost(in); got != want {
			t.Errorf("RequestHost(%q) = %q, want %q", in, got, want)
		}
		if again := RequestHost(want); again != want {
			t.Errorf("RequestHost(%q) = %q, not stable", want, again)
		}
	}
}

func TestSplitServerName(t *testing.T) {
	for in, want := range map[string][3]string{
		"www.example": {"", "www.example", ""}, "HTTPS://www.example": {"https", "www.example", ""},
		"http://www.example:81": {"http", "www.example", "81"}, "[::1]:8443": {"", "::1", "8443"},
	} {
		s, h, p := SplitServerName(in)
		if got := [3]string{s, h, p}; got != want {
			t.Errorf("SplitServerName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestChunkedLast: Transfer-Encoding lists read as chunked, as apache2's
// ap_is_chunked reads them (measured on apache2 2.4.71: each last one a 400),
// and which of them a front end reads as this engine does (plain).
func TestChunkedLast(t *testing.T) {
	for _, tc := range []struct {
		te          string
		last, plain bool
	}{
		{"chunked", true, true},
		{"Chunked", true, true},
		{"CHUNKED", true, true},
		{"gzip, chunked", true, true},
		{"gzip,chunked", true, true},
		{"identity, chunked", true, true},
		{"gzip , chunked", true, true},
		{", chunked", true, true},
		{"gzip, deflate, chunked", true, true},
		{"chunked, chunked", true, false},
		{"gzip;q=1, chunked", true, false},
		{"\"a\", chunked", true, false},
		{"chunked, gzip", false, false},
		{"chunked,", false, false},
		{"gzip", false, false},
		{"xchunked", false, false},
		{"gzip chunked", false, false},
		{"gzip,\tchunked", false, false},
		{"chunked;q=1", false, false},
		{"chunke", false, false},
	} {
		if last, plain := chunkedLast(tc.te); last != tc.last || plain != tc.plain {
			t.Errorf("chunkedLast(%q) = %v, %v, want %v, %v", tc.te, last, plain, tc.last, tc.plain)
		}
	}
}
