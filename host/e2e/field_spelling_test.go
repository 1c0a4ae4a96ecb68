package e2e_test

import (
	"strings"
	"testing"
)

// fieldSpellingConf adds fields under names spelled otherwise than the
// handler's (a file's, a backend's) or each other's.
const fieldSpellingConf = proxyHTTPModules + mainSite + `ProxyPass /p http://@BE@/q
<Location /s>
	Header add cache-control foo
	Header add x-low a
	Header add X-LOW b
	Header always add x-Always 1
</Location>
<Location /p>
	Header add ETag e2
	Header always add ETag a2
	Header add x-backend again
</Location>
`

// TestFieldSpelling: a field line a Header line adds is spelled as that
// line spells its name, even when the handler (a file, a backend) sent
// the name spelled otherwise (review14).
func TestFieldSpelling(t *testing.T) {
	resp := "HTTP/1.1 200 OK\r\nEtag: \"b\"\r\nX-Backend: b\r\nContent-Type: text/plain\r\n" +
		"Content-Length: 3\r\nConnection: close\r\n\r\nhi\n"
	be := rawBackend(t, func(string) string { return resp })
	p := startPair(t, 1, strings.ReplaceAll(fieldSpellingConf, "@BE@", be), map[string]string{"s/a.txt": "a\n"})
	p.compareEach([]string{
		request("GET", "/s/a.txt", "main.test", ""),
		request("GET", "/p/x", "main.test", ""),
	}, (*diffServer).fieldOrder)
}
