package e2e_test

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
)

// statusVhostConf: the main server on two ports, name-based virtual
// hosts on the first (one with an alias and a wildcard alias, one whose
// ServerName has a port), server-status with ExtendedStatus.
const statusVhostConf = `ServerName main.test
Listen 127.0.0.1:@P0@
Listen 127.0.0.1:@P1@
DocumentRoot @DOCS@
<Directory @DOCS@>
    Require all granted
</Directory>
ExtendedStatus On
<Location /server-status>
    SetHandler server-status
</Location>
<VirtualHost 127.0.0.1:@P0@>
    ServerName first.test
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName v.test
    ServerAlias alias.test *.wild.test
</VirtualHost>
<VirtualHost 127.0.0.1:@P0@>
    ServerName W.Test:8888
</VirtualHost>
`

// statusRows are the VHost and Request columns of server-status's worker
// table, in the HTML table form and in the ?notable form.
var (
	statusRowHTML    = regexp.MustCompile(`<td nowrap>([^<]*)</td><td nowrap>([^<]*)</td></tr>`)
	statusRowNotable = regexp.MustCompile(`<i>[^<]* \{([^}]*)\}</i> <i>\([^)]*\)</i> <b>\[([^\]]*)\]</b>`)
)

// statusVhost asks s for server-status with query (unique to the
// request) and Host host on port index port, and returns the VHost its
// own row shows (the request reads itself being served), s's ports
// written back as @Pn@.
func (s *diffServer) statusVhost(t *testing.T, port int, host, query string) string {
	t.Helper()
	target := "/server-status?" + query
	raw := "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"
	if host == "" {
		raw = "GET " + target + " HTTP/1.0\r\n\r\n"
	}
	as := s.ask(t, "127.0.0.1", port, raw)
	if len(as) != 1 || as[0].Status != 200 {
		t.Fatalf("%s: %s: %v", s.name, raw, as)
	}
	body := as[0].Body
	line := target + " HTTP/1."
	if strings.Contains(query, "notable") {
		for _, m := range statusRowNotable.FindAllStringSubmatch(body, -1) {
			if strings.Contains(html.UnescapeString(m[1]), line) {
				return html.UnescapeString(m[2])
			}
		}
	} else {
		for _, m := range statusRowHTML.FindAllStringSubmatch(body, -1) {
			if strings.Contains(html.UnescapeString(m[2]), line) {
				return html.UnescapeString(m[1])
			}
		}
	}
	t.Fatalf("%s: no worker row for %q in:\n%s", s.name, line, body)
	return ""
}

// TestStatusVhostColumn: apache2's server-status names, in each worker's
// VHost column, the ServerName of the server that answers the request
// (the host part only) and the port the connection came in on, whatever
// Host the request sent: an alias, a wildcard alias, another case, a port,
// a name no virtual host has (the first one answers), none at all; the
// main server on the port without virtual hosts. Both the table and the
// ?notable form.
func TestStatusVhostColumn(t *testing.T) {
	p := startPair(t, 2, statusVhostConf, map[string]string{"x.txt": "x\n"})
	cases := []struct {
		port int
		host string
		want string
	}{
		{0, "v.test", "v.test:@P0@"},
		{0, "Alias.Test:777", "v.test:@P0@"},
		{0, "a.wild.test", "v.test:@P0@"},
		{0, "w.test", "W.Test:@P0@"},
		{0, "nomatch.test", "first.test:@P0@"},
		{0, "", "first.test:@P0@"},
		{1, "v.test", "main.test:@P1@"},
		{1, "", "main.test:@P1@"},
	}
	for i, tc := range cases {
		for _, form := range []string{"table", "notable"} {
			query := fmt.Sprintf("%s%d", form, i)
			want := p.apache.unfill(p.apache.statusVhost(t, tc.port, tc.host, query))
			got := p.ours.unfill(p.ours.statusVhost(t, tc.port, tc.host, query))
			if want != tc.want {
				t.Errorf("@P%d@ Host %q (%s): apache shows %q, the test expects %q", tc.port, tc.host, form, want, tc.want)
			}
			if got != want {
				t.Errorf("@P%d@ Host %q (%s): apache shows %q, ours %q", tc.port, tc.host, form, want, got)
			}
		}
	}
}
