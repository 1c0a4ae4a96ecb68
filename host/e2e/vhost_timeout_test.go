package e2e_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// vhostTimeoutConf: the main server waits 30 s; on port 0 the default
// virtual host (long.test) has the main server's settings and short.test
// sets KeepAliveTimeout 1 and Timeout 1; on port 1 the default one
// (base.test) sets them, other.test does not.
var vhostTimeoutConf = `ServerName main.test
KeepAlive On
KeepAliveTimeout 30
Timeout 30
Listen 127.0.0.1:@P0@
Listen 127.0.0.1:@P1@
DocumentRoot @DOCS@/main
<Directory @DOCS@>
    Require all granted
</Directory>
` + vhostSection("127.0.0.1:@P0@", "long") +
	vhostSection("127.0.0.1:@P0@", "short", "KeepAliveTimeout 1", "Timeout 1") +
	vhostSection("127.0.0.1:@P1@", "base", "KeepAliveTimeout 1", "Timeout 1") +
	vhostSection("127.0.0.1:@P1@", "other")

// timeoutProbe is one connection of TestVhostTimeouts: what it sent, and
// whether the server should give up on it after 1 s (else after 30 s).
type timeoutProbe struct {
	name  string
	port  int
	raw   string
	short bool
}

// vhostTimeoutProbes: kept-alive connections after one answer (Keep-Alive
// as announced; the wait is the virtual host's KeepAliveTimeout if it sets
// one, else the base server's: other.test waits base.test's 1 s), a body
// that stops (the request's virtual host's Timeout), and a head that stops
// (the base server's Timeout, whatever the Host names).
var vhostTimeoutProbes = []timeoutProbe{
	{"keep-alive short.test", 0, kaRequest("short.test"), true},
	{"keep-alive long.test", 0, kaRequest("long.test"), false},
	{"keep-alive base.test", 1, kaRequest("base.test"), true},
	{"keep-alive other.test", 1, kaRequest("other.test"), true},
	{"body short.test", 0, stalledBody("short.test"), true},
	{"body long.test", 0, stalledBody("long.test"), false},
	{"head short.test", 0, "GET /who.txt HTTP/1.1\r\nHost: short.test\r\n", false},
	{"head other.test", 1, "GET /who.txt HTTP/1.1\r\nHost: other.test\r\n", true},
}

func kaRequest(host string) string {
	return "GET /who.txt HTTP/1.1\r\nHost: " + host + "\r\nConnection: keep-alive\r\n\r\n"
}

func stalledBody(host string) string {
	return "POST /who.txt HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 10\r\n\r\nx"
}

// TestVhostTimeouts: KeepAliveTimeout and Timeout in a <VirtualHost> apply
// as in apache2, under each MPM: every probe's connection is sent its
// request at once; those the server should give up on after 1 s are
// closed (read ends) within a bounded wait, and then those it should wait
// 30 s on are all still open (order, not duration). What each answered
// before (status, Keep-Alive) is the same as apache2's.
func TestVhostTimeouts(t *testing.T) {
	for _, mpm := range []string{"prefork", "worker", "event"} {
		t.Run(mpm, func(t *testing.T) {
			p := startPairMPM(t, mpm, 2, vhostTimeoutConf, vhostDocs("main", "long", "short", "base", "other"))
			want := observeTimeouts(t, p.apache)
			got := observeTimeouts(t, p.ours)
			for _, k := range slices.Sorted(maps.Keys(want)) {
				if got[k] != want[k] {
					t.Errorf("%s: ours %q, apache2 %q", k, got[k], want[k])
				}
			}
		})
	}
}

// observeTimeouts runs the probes on s and describes what each got: its
// answer's status and Keep-Alive field, and whether its connection ended
// within the wait for the short ones or was still open after them. It
// also fails the test where the order is not the expected one.
func observeTimeouts(t *testing.T, s *diffServer) map[string]string {
	t.Helper()
	type open struct {
		nc net.Conn
		br *bufio.Reader
	}
	conns := make([]open, len(vhostTimeoutProbes))
	seen := map[string]string{}
	for i, pr := range vhostTimeoutProbes {
		nc, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.ports[pr.port])))
		must(t, err)
		t.Cleanup(func() { nc.Close() })
		_, err = io.WriteString(nc, pr.raw)
		must(t, err)
		conns[i] = open{nc, bufio.NewReader(nc)}
		if strings.HasPrefix(pr.name, "keep-alive") {
			nc.SetReadDeadline(time.Now().Add(10 * time.Second))
			resp, err := http.ReadResponse(conns[i].br, nil)
			if err != nil {
				t.Fatalf("%s: %s: %v", s.name, pr.name, err)
			}
			io.Copy(io.Discard, resp.Body)
			seen[pr.name] = fmt.Sprintf("%d, Keep-Alive %q", resp.StatusCode, resp.Header.Get("Keep-Alive"))
		}
	}
	// The short ones end within 15 s (1 s as configured).
	end := time.Now().Add(15 * time.Second)
	for i, pr := range vhostTimeoutProbes {
		if !pr.short {
			continue
		}
		c := conns[i]
		c.nc.SetReadDeadline(end)
		rest, err := io.ReadAll(c.br)
		status, _, _ := strings.Cut(string(rest), "\r\n")
		if isTimeout(err) {
			t.Errorf("%s: %s: still open 15 s after its request (1 s configured)", s.name, pr.name)
		}
		seen[pr.name] += fmt.Sprintf(" then %q, closed", status)
	}
	// Then the long ones are still open.
	for i, pr := range vhostTimeoutProbes {
		if pr.short {
			continue
		}
		c := conns[i]
		c.nc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, err := c.br.Read(make([]byte, 1))
		if n > 0 || !isTimeout(err) {
			t.Errorf("%s: %s: closed or answered (%v) before its 30 s, when the 1 s ones had", s.name, pr.name, err)
		}
		seen[pr.name] += " then open"
	}
	return seen
}

// isTimeout reports whether err is a read deadline that passed.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
