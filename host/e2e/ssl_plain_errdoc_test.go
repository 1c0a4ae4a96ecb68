package e2e_test

import "testing"

// TestSSLPlainErrorDocument: plain HTTP on a TLS port is answered with the
// default server's ErrorDocument 400, as apache2's mod_ssl passes its 400
// to ap_die (the way to send such a client to https://).
func TestSSLPlainErrorDocument(t *testing.T) {
	p := startPair(t, 2, sslConf+"ErrorDocument 400 \"plain 400\"\n", sslDocs(t))
	p.check([]diffRequest{
		{Port: 0, Raw: get("/", "a.test"), Want: "plain 400"},
		{Port: 0, Raw: "GET / HTTP/1.1\r\n", Want: "plain 400"},
	})
}
