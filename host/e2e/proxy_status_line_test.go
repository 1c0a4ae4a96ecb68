package e2e_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"testing"
)

// backendReasons are what follows the three digits of statusLineBackend's
// status lines, by name.
var backendReasons = map[string]string{
	"fine": " Fine", "trail": " Oops  ", "two": "  two", "sp2": "  ", "empty": " ", "bare": "",
	"tag": " <b>x</b>", "tab": "\tTab", "glued": "Xyz",
}

// statusLineBackend answers /CODE_NAME with the status line "HTTP/1.1
// CODE" and backendReasons[NAME], a body of its own, and keeps the
// connection for the next request.
func statusLineBackend(t *testing.T) string {
	return serveEach(t, func(c net.Conn) {
		tp := textproto.NewReader(bufio.NewReader(c))
		for {
			line, err := tp.ReadLine()
			if err != nil {
				return
			}
			if _, err := tp.ReadMIMEHeader(); err != nil {
				return
			}
			_, name, _ := strings.Cut(line, "/")
			name, _, _ = strings.Cut(name, " ")
			code, name, _ := strings.Cut(name, "_")
			if _, err := io.WriteString(c, "HTTP/1.1 "+code+backendReasons[name]+"\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n\r\nbackend\n"); err != nil {
				return
			}
		}
	})
}

// TestProxyStatusLine: a backend's status line is apache2 2.4.71's
// r->status_line as it came: passed on with the answer ("200 Fine", ours
// sent the standard one), blanks at its end kept ("500 Oops  ", ours
// trimmed them on a ProxyErrorOverride page), the space after three
// digits alone put back ("500 "); with a tab after the digits
// ("500\tTab", Go refused the line: ours answered 502) or another byte
// ("500Xyz"), the answer is the status's with the standard line, and a
// ProxyErrorOverride page is titled with the backend's line when apache2's
// ap_send_error_response takes it ("500\tTab"), the standard one when not
// ("500  two"); an ErrorDocument that fails keeps it on the "Additionally"
// page. Each request goes on a kept backend connection when there is one.
func TestProxyStatusLine(t *testing.T) {
	be := statusLineBackend(t)
	conf := proxyHTTPModules + mainSite + `ProxyPass /pt/ http://` + be + `/
<Location /on/>
	ProxyPass http://` + be + `/
	ProxyErrorOverride On
</Location>
<Location /ox/>
	ProxyPass http://` + be + `/
	ProxyErrorOverride On
	ErrorDocument 500 /missing.html
</Location>
`
	p := startPair(t, 1, conf, map[string]string{"a.txt": "a\n"})
	req := func(line string) string {
		return line + " HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"
	}
	var reqs []string
	for _, name := range []string{"fine", "trail", "two", "sp2", "empty", "bare", "tag", "tab", "glued"} {
		reqs = append(reqs, req("GET /pt/200_"+name), req("GET /pt/500_"+name), req("HEAD /pt/500_"+name),
			req("GET /on/500_"+name), req("GET /ox/500_"+name), req("HEAD /ox/500_"+name))
	}
	reqs = append(reqs, "GET /pt/200_trail HTTP/1.0\r\nHost: main.test\r\n\r\n")
	p.compareEach(reqs, func(s *diffServer, t *testing.T, req string) string {
		return fmt.Sprintf("%q", framing.ReplaceAllString(s.statusAnswer(t, req), ""))
	})
}
