package e2e_test

import (
	"strings"
	"testing"
)

// headerEditEmptyConf edits response fields with an empty replacement:
// a prefix stripped, a whole value emptied (edit and edit*), one of a
// field's two values (X-M, Set-Cookie), the type in /ct; and request fields
// the same way before /p's backend sees them (Host, which
// ProxyPreserveHost sends, in /p/h).
const headerEditEmptyConf = proxyHTTPModules + mainSite + `Header always set X-A "http://internal.example/path"
Header always edit X-A ^http://internal\.example ""
Header always set X-B "abc"
Header always edit X-B .* ""
Header always set X-C "abcabc"
Header always edit* X-C ^abc ""
Header always set X-D "xabc"
Header always edit X-D abc ""
Header always add X-M "one"
Header always add X-M "two"
Header always edit X-M ^one$ ""
Header add Set-Cookie "a=1"
Header add Set-Cookie "b=2"
Header edit Set-Cookie ^a=1$ ""
<Location /ct>
	Header edit Content-Type .* ""
</Location>
ProxyPass /p http://@BE@/q
ProxyPreserveHost On
<Location /p>
	RequestHeader edit X-Q .* ""
	RequestHeader edit* X-R ^a ""
	RequestHeader add X-S "one"
	RequestHeader edit X-S ^one$ ""
</Location>
<Location /p/h>
	RequestHeader edit Host .* ""
</Location>
`

// TestHeaderEditEmpty: Header and RequestHeader edit (and edit*) whose
// match is replaced with nothing change the value as apache2 2.4.71 does
// (ours took a match with an empty replacement for no match and left the
// value as it was): what is left is sent, an empty value as an empty
// field, each of a field's values on its own (Set-Cookie: "" then b=2); a
// type edited to nothing sends no Content-Type; an emptied Host reaches
// the backend empty under ProxyPreserveHost, X-Forwarded-Host too.
func TestHeaderEditEmpty(t *testing.T) {
	be := headEchoBackend(t)
	p := startPair(t, 1, strings.ReplaceAll(headerEditEmptyConf, "@BE@", be), map[string]string{"a.txt": "a\n", "ct/b.txt": "b\n"})
	p.compareEach([]string{
		rawRequest("GET /a.txt HTTP/1.1", "Host: main.test", "Connection: close"),
		rawRequest("GET /ct/b.txt HTTP/1.1", "Host: main.test", "Connection: close"),
		rawRequest("GET /missing HTTP/1.1", "Host: main.test", "Connection: close"),
	}, (*diffServer).fieldOrder)
	for _, path := range []string{"/p/x", "/p/h/x"} {
		p.compareBackendHead(t, "GET "+path+" HTTP/1.0\r\nHost: main.test\r\nX-Q: q\r\nX-R: aa\r\nX-R: ab\r\nX-S: s\r\n\r\n")
	}
}
