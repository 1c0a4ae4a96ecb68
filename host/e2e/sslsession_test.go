package e2e_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// sslSessionConf shows SSL_SESSION_ID and SSL_SESSION_RESUMED in fields.
const sslSessionConf = `LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
ServerName main.test
Listen 127.0.0.1:@P0@ https
DocumentRoot @DOCS@/main
KeepAlive On
SSLSessionCache none
SSLCipherSuite HIGH:!aNULL
SSLEngine on
SSLCertificateFile @DOCS@/certs/server.crt
SSLCertificateKeyFile @DOCS@/certs/server.key
Header always set X-Sid "%{SSL_SESSION_ID}s"
Header always set X-Resumed "%{SSL_SESSION_RESUMED}s"
`

// sslSessionIDs are the X-Sid fields of two requests on one TLS
// connection to port of version v, and X-Resumed of the first.
func sslSessionIDs(t *testing.T, port int, v uint16) (first, second, resumed string) {
	t.Helper()
	cfg := &tls.Config{InsecureSkipVerify: true, MinVersion: v, MaxVersion: v}
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", "127.0.0.1:"+strconv.Itoa(port), cfg)
	if err != nil {
		t.Fatalf("dial %d: %v", port, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(c)
	var ids [2]string
	for i := range ids {
		fmt.Fprintf(c, "GET /a.html HTTP/1.1\r\nHost: main.test\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d on %d: %v", i, port, err)
		}
		io.Copy(io.Discard, resp.Body)
		ids[i] = resp.Header.Get("X-Sid")
		if i == 0 {
			resumed = resp.Header.Get("X-Resumed")
		}
	}
	return ids[0], ids[1], resumed
}

// TestSSLSessionID compares SSL_SESSION_ID's shape with apache2's: over
// TLS 1.3, 64 hex digits, the same for a connection's requests and new on
// each connection; over TLS 1.2 with tickets (crypto/tls's only sessions)
// none.
func TestSSLSessionID(t *testing.T) {
	c := newClientCerts(t)
	p := startPair(t, 1, sslSessionConf, map[string]string{"main/a.html": "A\n",
		"certs/server.crt": c.server.certPEM, "certs/server.key": c.server.keyPEM})
	hex64 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for _, s := range []*diffServer{p.apache, p.ours} {
		a1, a2, res := sslSessionIDs(t, s.ports[0], tls.VersionTLS13)
		b1, _, _ := sslSessionIDs(t, s.ports[0], tls.VersionTLS13)
		if !hex64.MatchString(a1) || a1 != a2 || b1 == a1 || !hex64.MatchString(b1) || res != "Initial" {
			t.Errorf("%s, TLS 1.3: ids %q, %q, then %q on a new connection, %s", s.name, a1, a2, b1, res)
		}
		if d1, d2, _ := sslSessionIDs(t, s.ports[0], tls.VersionTLS12); d1 != "(null)" || d2 != "(null)" {
			t.Errorf("%s, TLS 1.2: ids %q, %q, want none", s.name, d1, d2)
		}
	}
}
