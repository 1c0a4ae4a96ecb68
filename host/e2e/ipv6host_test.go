package e2e_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestIPv6LiteralHost: an IP-literal ("[...]") as a Host field and as an
// absolute-form target's host, as apache2 takes or refuses it. In a Host
// field (apr_parse_addr_port) it must be an IPv6 address (apr_inet_pton:
// no zone, at most eight groups of at most four digits, one "::", a whole
// IPv4 address at the end), "[abcd]" or "[::1::2]" are a 400 (ours served
// them). In a target apr_uri_parse drops the brackets and fix_hostname
// checks what is left as an IPv6 address if it has a ':', as a name if
// not: an IPvFuture "[v1.x]" is served as the name v1.x, its Host field
// "v1.x" (ours: 400); what is left with a ':' must pass its IPv6 checks,
// "[::g]" or "[v1.x:80]" are a 400 once the fields are read, the access
// log showing the Host field and the path (ours refused them at the
// request line: "-" and the whole target). A target literal RFC 3986 does not allow, which
// apache2 serves all the same ("[abcd]" as the name abcd, "[12345::]"),
// is ours to refuse (a 400, RFC 9112 §3.2), as a Host field RFC 3986 does
// not allow when the target names the host (apache2 ignores the field):
// the second table.
func TestIPv6LiteralHost(t *testing.T) {
	p := startPair(t, 1, absPortConf+"LogFormat \"%{Host}i %U%q %>s\" v6log\nCustomLog logs/v6_log v6log\n", map[string]string{"h/env.cgi": absPortScript})
	must(t, os.Chmod(filepath.Join(p.apache.docs, "h/env.cgi"), 0o755))
	field := func(h string) string {
		return rawRequest("GET /h/env.cgi HTTP/1.1", "Host: "+h, "Connection: close")
	}
	target := func(h string) string {
		return rawRequest("GET http://"+h+"/h/env.cgi HTTP/1.1", "Host: main.test", "Connection: close")
	}
	refusedTarget := func(h string) string {
		return rawRequest("GET http://"+h+"/h/env.cgi?refused HTTP/1.1", "Host: main.test", "Connection: close")
	}
	var reqs []diffRequest
	for _, h := range []string{"[::1]", "[::1]:80", "[::1]:", "[::]", "[ABCD::EF]", "[::ffff:1.2.3.4]", "[1:2:3:4:5:6:7:8]",
		"[1::2:3:4:5:6:7]", "[::1::2]", "[::g]", "[::1", "[::1]x", "[::1]]", "::1",
		"[fe80::1%25eth0]", "[fe80::1%eth0]", "[v1.x:y]", "[v1.x:80]", "[v1.x!]", "[v1.2]",
		"[v1.x]y", "[v1.a]b.c", "[v1.x]-", "[::1]:8a", "[::1]:80:81"} {
		reqs = append(reqs, diffRequest{Raw: field(h)}, diffRequest{Raw: target(h)})
	}
	// A bad port after the literal is refused at the request line, an https
	// target's too (on a plain connection, served by the Host field when
	// valid).
	for _, h := range []string{"[::1]:8a", "[::1]:80:81", "[::g]"} {
		reqs = append(reqs, diffRequest{Raw: rawRequest("GET https://"+h+"/h/env.cgi HTTP/1.1", "Host: main.test", "Connection: close")})
	}
	for _, h := range []string{"[abcd]", "[1:2:3:4:5:6:7:8:9]", "[12345::]", "[::1.2.3]", "[:]", "[]",
		"[1.2.3.4]", "[v1.x]", "[V1.X]:81", "[v1.a-b_c]", "[vz.x]", "[v1.]", "[::1]:0"} {
		reqs = append(reqs, diffRequest{Raw: field(h), Want: "Bad Request"})
	}
	for _, h := range []string{"[v1.x]", "[V1.X]:81", "[v1.a-b_c]", "[v1.x]:"} {
		want := strings.ToLower(strings.Replace(h[1:], "]", "", 1))
		reqs = append(reqs, diffRequest{Raw: target(h), Want: "host=" + want + " name=" + strings.ToLower(h[1:strings.IndexByte(h, ']')])})
	}
	// A Host field RFC 3986 allows but apache2 does not is replaced by
	// the target's host.
	reqs = append(reqs, diffRequest{Raw: rawRequest("GET http://abs.test/h/env.cgi HTTP/1.1", "Host: [v1.x]", "Connection: close"), Want: "host=abs.test name=abs.test"})
	p.check(reqs)

	// apache2 serves these, RFC 3986 has no such host; ours refuses them.
	var refused []string
	for _, h := range []string{"[abcd]", "[vz.x]", "[v1.]", "[]", "[:]", "[12345::]", "[1:2:3:4:5:6:7:8:9]", "[::1.2.3]", "[1::2:3:4:5:6:7:8]", "[::01.2.3.4]"} {
		refused = append(refused, refusedTarget(h))
	}
	for _, h := range []string{"[1::2:3:4:5:6:7:8]", "[::01.2.3.4]"} {
		refused = append(refused, rawRequest("GET /h/env.cgi?refused HTTP/1.1", "Host: "+h, "Connection: close"))
	}
	// apache2 ignores the Host field when the target names the host; an
	// invalid one is a 400 to RFC 9112 §3.2.
	refused = append(refused, rawRequest("GET http://abs.test/h/env.cgi?refused HTTP/1.1", "Host: [abcd]", "Connection: close"))
	for _, req := range refused {
		for _, s := range []*diffServer{p.apache, p.ours} {
			raw, err := s.exchange(t, "127.0.0.1", 0, req, 10*time.Second)
			if err != nil {
				t.Fatalf("%s: %q: %v", s.name, req, err)
			}
			want := "HTTP/1.1 400 "
			if s == p.apache {
				want = "HTTP/1.1 200 "
			}
			if !strings.HasPrefix(raw.String(), want) {
				t.Errorf("%s: %q: %q, want %q", s.name, req, statusLine(raw.String()), want)
			}
		}
	}

	// The access log's lines of the requests both served: %{Host}i, %V, %p.
	must(t, p.apache.stop())
	must(t, p.ours.stop())
	served := func(s *diffServer) []string {
		return slices.DeleteFunc(s.logLines(t, "abs_log"), func(l string) bool {
			return !strings.Contains(l, " 200 ") || strings.Contains(l, "?refused")
		})
	}
	compareLines(t, "served requests' log lines (sorted)", served(p.apache), served(p.ours))
	// Those of the requests both answered, their Host field and path.
	answered := func(s *diffServer) []string {
		return slices.DeleteFunc(s.logLines(t, "v6_log"), func(l string) bool { return strings.Contains(l, "?refused") })
	}
	compareLines(t, "answered requests' Host fields and paths (sorted)", answered(p.apache), answered(p.ours))
}
