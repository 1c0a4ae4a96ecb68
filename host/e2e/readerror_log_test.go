package e2e_test

import (
	"strings"
	"testing"
)

// TestReadErrorLog: the access-log line of a request refused as it is read
// (%r, %U, %q, %V, %v, %{Host}i, %s, %b), compared with apache2's: the target as
// apache2 parsed it, undecoded, and no field when it refuses the request
// line; the fields read before a refused field line, but for one too long.
// %r is the line's first three words, as apache2 rebuilds it ("GET /a b c
// HTTP/1.1" is "GET /a b"). A target with a user is refused by the default
// server after apache2 took its host (%V). Core's 404 for an encoded NUL
// logs the path up to it.
func TestReadErrorLog(t *testing.T) {
	p := startErrLogPair(t, "%r|%U|%q|%V|%v|%{Host}i|%{X-A}i|%s|%b")
	reqs := []string{
		"GET foo HTTP/1.1\r\nHost: other.test\r\n\r\n",
		"GET a/b?x=1 HTTP/1.1\r\nHost: other.test\r\n\r\n",
		"GET http://abs.test::/x HTTP/1.1\r\nHost: other.test\r\n\r\n",
		"GET ftp://abs.test/x?y HTTP/1.1\r\nHost: other.test\r\n\r\n",
		"GET http:x HTTP/1.1\r\nHost: other.test\r\n\r\n",
		"GET /a%zz?q HTTP/1.1\r\nHost: other.test\r\n\r\n",
		"GET /a.txt?q HTTP/1.1\r\nHost: other.test\r\nbadline\r\n\r\n",
		"GET /a.txt?q HTTP/1.1\r\nHost: bad..host\r\n\r\n",
		"GET /a.txt?q HTTP/1.1\r\nHost: other.test:\r\n\r\n",
		"GET /a.txt?q HTTP/1.1\r\nHost: other.test\r\nHost: main.test\r\n\r\n",
		"GET /a.txt?q HTTP/1.1\r\n\r\n",
		"GET /a.txt?q HTTP/1.1\r\nHost: other.test\r\nContent-Length: x\r\n\r\n",
		"GET /a.txt?q HTTP/1.1\r\nHost: other.test\r\nTransfer-Encoding: gzip\r\n\r\n",
		"GET /a.txt?q HTTP/1.1\r\nHost: other.test\r\nX-Long: " + strings.Repeat("b", 9000) + "\r\n\r\n",
		"GET /a.txt?q HTTP/1.1\r\nHost: other.test\r\nExpect: x\r\n\r\n",
		"GET /a%00b?q HTTP/1.1\r\nHost: other.test\r\n\r\n",
		"GET /a b c HTTP/1.1\r\nHost: other.test\r\n\r\n",
		"GET  /a.txt\tHTTP/1.1\r\nHost: other.test\r\n\r\n",
		"GET /a.txt HTTP/1.1 \r\nHost: other.test\r\n\r\n",
		"GET /a%2fb?q HTTP/1.1\r\nHost: other.test\r\n\r\n",
		"GET /a.txt?q HTTP/1.1\r\nHost: other.test\r\n" + strings.Repeat("X-F: 1\r\n", 101) + "\r\n",
		"GET /a.txt?q HTTP/1.1\r\nHost: other.test\r\nX-A: 1\r\n x\r\nbad name: 1\r\n\r\n",
		"GET /a.txt?q HTTP/1.1\r\n x\r\nHost: other.test\r\n\r\n",
		"GET /a.txt?q HTTP/x\r\nHost: other.test\r\n\r\n",
		"GET http://u@abs.test/x HTTP/1.1\r\nHost: other.test\r\n\r\n",
		"GET http://u:p@abs.test:81/x?y HTTP/1.1\r\nHost: other.test\r\n\r\n",
		"GET https://u@abs.test/x HTTP/1.1\r\nHost: other.test\r\n\r\n",
		"GET http://u@other.test/x HTTP/1.1\r\nHost: main.test\r\n\r\n",
		"GET http://u@[::1]:81/x HTTP/1.1\r\nHost: other.test\r\n\r\n",
		// apr_uri_parse_hostinfo wants a port and no user (ours served
		// "CONNECT h" a 405, and logged "/" and the Host field).
		"CONNECT other.test HTTP/1.1\r\nHost: other.test\r\n\r\n",
		"CONNECT other.test: HTTP/1.1\r\nHost: other.test\r\n\r\n",
		"CONNECT u:p@other.test:443 HTTP/1.1\r\nHost: other.test\r\n\r\n",
	}
	var drs []diffRequest
	for _, r := range reqs {
		drs = append(drs, diffRequest{Raw: r})
	}
	p.check(drs)
	p.checkLogs("err_log")
}

// TestReadErrorLogPassword: a refused absolute target with a password
// has it masked in %r as apache2's mod_log_config rebuilds the line
// (apr_uri_unparse: XXXXXXXX, an empty or default port dropped, the rest
// as sent, the version as apache2 settled it), also where net/url fails
// to parse the target (a bad %-escape), and %U its path. (A bad port,
// where apr_uri_parse fails too, apache2 logs the whole target as %U,
// password and all; ours the path: TestMaskPassword.)
func TestReadErrorLogPassword(t *testing.T) {
	p := startErrLogPair(t, "%r|%H|%U|%q|%s")
	var drs []diffRequest
	for _, target := range []string{
		"GET http://u:p@main.test/a%zz HTTP/1.1",
		"GET http://u:p%zz@main.test/ HTTP/1.1",
		"GET http://u:p@main.test/#frag HTTP/1.1",
		"GET http://u:p@Main.Test:080/a\"b<c>?q=1 HTTP/1.1",
		"GET http://u:@other.test:/ HTTP/1.1",
		"GET http://a@b:p@main.test/ HTTP/1.1",
		"GET HTTPS://u:p@main.test:443/ HTTP/1.1",
		"GET http://u:p@main.test:65616/y HTTP/1.1",
		"GET a+b://u:p@main.test:1/y HTTP/1.1",
		"GET http://u:p@main.test/",
		"GET  http://u:p@main.test/  HTTP/1.1",
		"GET http://u:p@a b/ HTTP/1.1",
	} {
		drs = append(drs, diffRequest{Raw: target + "\r\nHost: main.test\r\n\r\n"})
	}
	p.check(drs)
	p.checkLogs("err_log")
}

// TestReadErrorLogPasswordPort: the port of a refused absolute target
// with a password, as apache2's apr_uri_unparse shows it in %r: left out
// where what strtol reads of it is 0 or the scheme's ("80x", "--1", "0",
// "-0"; ours showed them), and its host %V (AH02422) where strtol reads it
// whole, a sign or over 65535 too (ours: the default server's name for a
// sign).
func TestReadErrorLogPasswordPort(t *testing.T) {
	p := startErrLogPair(t, "%r|%V|%{Host}i|%s")
	var drs []diffRequest
	for _, port := range []string{"-1", "+81", "--1", "8x", "0", "-0", "65536", "80x", "0x", "000", "-65456", "x"} {
		drs = append(drs, diffRequest{Raw: "GET http://u:p@other.test:" + port + "/x HTTP/1.1\r\nHost: main.test\r\n\r\n"})
	}
	drs = append(drs, diffRequest{Raw: "GET http://u:p@[::1]:-1/x HTTP/1.1\r\nHost: main.test\r\n\r\n"})
	p.check(drs)
	p.checkLogs("err_log")
}

// TestReadErrorLogUserPath: a refused absolute target with a user (no
// password) whose port or host net/url does not take but apache2's
// apr_uri_parse does ("-1", "a%22b") has as %U its path, as apache2's
// (ours logged the whole target).
func TestReadErrorLogUserPath(t *testing.T) {
	p := startErrLogPair(t, "%r|%U|%q|%V|%s")
	var drs []diffRequest
	for _, a := range []string{"other.test:-1", "other.test:65536", "[::1]:+81", "a%22b", "[::g]", "other.test:81"} {
		drs = append(drs, diffRequest{Raw: "GET http://u@" + a + "/x?q HTTP/1.1\r\nHost: main.test\r\n\r\n"})
	}
	p.check(drs)
	p.checkLogs("err_log")
}

// TestReadErrorLogUnparsed: a request line over LimitRequestLine, or ended
// by a bare LF, is refused before apache2 parses it (read_request_line):
// its access-log line has as %r the line as read (its first
// LimitRequestLine+1 bytes, white space as sent; with its LF), %m and %U
// "-", no query, %H HTTP/1.0, the default server's %V; a HEAD gets the page.
func TestReadErrorLogUnparsed(t *testing.T) {
	p := startErrLogPair(t, "%r|%m|%H|%U|%q|%V|%{Host}i|%>s|%b")
	p.check([]diffRequest{
		{Raw: "GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\nHost: other.test\r\n\r\n", Connection: true},
		{Raw: "GET /" + strings.Repeat("a", 8178) + " HTTP/1.1\r\nHost: other.test\r\n\r\n", Connection: true},
		{Raw: "HEAD /a\tb" + strings.Repeat("b", 9000) + "?q HTTP/1.1\r\nHost: other.test\r\n\r\n", Connection: true},
		{Raw: "GET /a.txt?q HTTP/1.1\nHost: other.test\r\n\r\n", Connection: true},
		{Raw: "\r\nGET /a.txt?q  HTTP/1.1\nHost: other.test\r\n\r\n", Connection: true},
	})
	p.checkLogs("err_log")
}

// startErrLogPair starts apache2 and ours with two name-based virtual
// hosts on one port (main.test, the default, and other.test), a.txt, and
// an access log logs/err_log in format.
func startErrLogPair(t *testing.T, format string) *diffPair {
	t.Helper()
	conf := mainSite + `<VirtualHost 127.0.0.1:@P0@>
	ServerName main.test
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
	ServerName other.test
</VirtualHost>
LogFormat "` + format + `" errlog
CustomLog logs/err_log errlog
`
	return startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
}
