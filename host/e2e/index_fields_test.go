package e2e_test

import (
	"strings"
	"testing"
)

// indexFieldsConf's directories have a DirectoryIndex URL that a ProxyPass
// maps, and RequestHeader lines of their own that remove fields the client
// sent; the URL's <Location> appends to one of them.
const indexFieldsConf = proxyHTTPModules + mainSite + `ProxyPass /px http://@BE@/q/
RequestHeader append X-B z
<Directory @DOCS@/d1>
	DirectoryIndex /px/idx
	RequestHeader unset X-Un
	RequestHeader unset x-b
</Directory>
<Directory @DOCS@/d2>
	DirectoryIndex /nope.html /px/idx
	RequestHeader edit X-Un 1 one
	RequestHeader unset X-B
</Directory>
<Location /px>
	RequestHeader append X-B idx
</Location>
`

// TestIndexProxyRemovedFields: the fields a directory's RequestHeader
// removes (unset, edit) are the client's again in the request fast-
// redirected to its DirectoryIndex URL, as apache2's, whose directory
// fixups never ran (mod_headers' fixup runs after mod_dir's, under the
// URL's settings): a proxied index's backend gets them in their place and
// spelling, the client's two X-B lines one entry the URL's append adds to
// ("1, 2, z, idx"); ours sent x-un after the others as X-Un, and X-B as
// "1, z, idx, 2" (review45).
func TestIndexProxyRemovedFields(t *testing.T) {
	be := headEchoBackend(t)
	p := startPair(t, 1, strings.ReplaceAll(indexFieldsConf, "@BE@", be), map[string]string{"d1/x": "x", "d2/x": "x"})
	for _, path := range []string{"/d1/", "/d2/"} {
		t.Run(path, func(t *testing.T) {
			p.compareBackendHead(t, "GET "+path+" HTTP/1.1\r\nHost: main.test\r\nx-un: 1\r\nX-B: 1\r\nuser-agent: t\r\nx-b: 2\r\nConnection: close\r\n\r\n")
		})
	}
}
