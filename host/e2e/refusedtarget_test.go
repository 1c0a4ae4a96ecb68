package e2e_test

import (
	"testing"
)

// TestRefusedTargetHost: an absolute-form target whose host apache2's
// fix_hostname refuses once the fields are read ("[::g]", "a..b", "123",
// a name net/url does not take, "a%zz") is a 400 whose access log line
// shows, as %V, the host as apr_uri_parse took it, as sent (apache2's
// r->hostname: "ABCD::G", "::1]" for "[::1]x"), not the default server's
// name (ours did; "a%zz" was refused at its request line). A bad
// %-escape in an absolute-form target's path is refused after the fields,
// as an origin-form one (apache2's AH10244), the target's host the
// request's: %V, the Host field it replaces (ours refused it at the
// request line: the ServerName, no Host field, the whole target as %U).
// A fragment is refused at the request line, its path and host logged.
func TestRefusedTargetHost(t *testing.T) {
	p := startPair(t, 1, absPortConf, map[string]string{"a.txt": "a\n"})
	target := func(t string) string {
		return rawRequest("GET "+t+" HTTP/1.1", "Host: x", "Connection: close")
	}
	var reqs []diffRequest
	for _, h := range []string{"[::g]", "[ABCD::G]:81", "[v1.x:80]", "[::1]x", "[::g]:-1", "A..b", "a..B.:81",
		"1.2.3", "123", "a.1b", "a%zz", "a%zz:81", "a:b:80", "a:80:81", "[::g]:"} {
		reqs = append(reqs, diffRequest{Raw: target("http://" + h + "/a.txt"), Want: "Bad Request"})
	}
	for _, t := range []string{"http://abs.test/a%zz", "http://ABS.test:81/a%zz?q", "http://[::1]/a%zz", "http://[::g]/a%zz",
		"https://abs.test/a%zz", "http://abs.test:-1/a%zz", "http://[v1.x]/a%zz", "http://abs.test/a%2", "http://a..b/a%zz"} {
		reqs = append(reqs, diffRequest{Raw: target(t), Want: "Bad Request"})
	}
	reqs = append(reqs,
		diffRequest{Raw: rawRequest("GET http://abs.test/a%zz HTTP/1.0"), Want: "Bad Request"},
		diffRequest{Raw: rawRequest("GET http://abs.test/a%zz HTTP/1.1", "Connection: close"), Want: "Bad Request"},
		diffRequest{Raw: rawRequest("GET http://[::g]/a.txt HTTP/1.1", "Host: a", "Host: b", "Connection: close"), Want: "Bad Request"},
		// Refused at the request line: apr_uri_parse fails (no host).
		diffRequest{Raw: target("http://a.test:8a/a.txt"), Want: "Bad Request"},
		diffRequest{Raw: target("http://[::1/a.txt"), Want: "Bad Request"},
		diffRequest{Raw: target("http://abs.test/a.txt"), Want: "a\n"},
		// A fragment: refused at the request line once apr_uri_parse took
		// the target apart, its path %U, its host %V (ours: "/" and the
		// ServerName).
		diffRequest{Raw: target("http://abs.test:-1/a.txt#f"), Want: "Bad Request"},
		diffRequest{Raw: target("http://Abs.Test/a%zz?q#f"), Want: "Bad Request"},
		diffRequest{Raw: target("http://[::g]/a.txt#f"), Want: "Bad Request"},
		diffRequest{Raw: target("https://abs.test/a.txt#f"), Want: "Bad Request"},
		diffRequest{Raw: target("/a.txt?q#f"), Want: "Bad Request"},
	)
	p.check(reqs)
	p.checkLogs("abs_log")
}
