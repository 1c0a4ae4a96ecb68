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
		// No cache, no ticket: OpenSSL's session has no ID either.
		noTickets := &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12, SessionTicketsDisabled: true}
		if id, _ := sslSession(t, s.ports[0], noTickets); id != "(null)" {
			t.Errorf("%s, TLS 1.2 without tickets nor SSLSessionCache: id %q, want none", s.name, id)
		}
	}
}

// sslSession is X-Sid and X-Resumed of one request on a new connection to
// port with cfg.
func sslSession(t *testing.T, port int, cfg *tls.Config) (id, resumed string) {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", "127.0.0.1:"+strconv.Itoa(port), cfg)
	if err != nil {
		t.Fatalf("dial %d: %v", port, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(c, "GET /a.html HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("request on %d: %v", port, err)
	}
	io.Copy(io.Discard, resp.Body)
	if got := c.ConnectionState().DidResume; got != (resp.Header.Get("X-Resumed") == "Resumed") {
		t.Errorf("port %d: the client resumed: %v, X-Resumed %q", port, got, resp.Header.Get("X-Resumed"))
	}
	return resp.Header.Get("X-Sid"), resp.Header.Get("X-Resumed")
}

// sslSessionCacheConf is sslSessionConf under an SSLSessionCache, with a
// second port whose server has SSLSessionTickets off.
const sslSessionCacheConf = `LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so
ServerName main.test
Listen 127.0.0.1:@P0@ https
Listen 127.0.0.1:@P1@ https
DocumentRoot @DOCS@/main
SSLSessionCache shmcb:ssl_scache(512000)
SSLCipherSuite HIGH:!aNULL
SSLEngine on
SSLCertificateFile @DOCS@/certs/server.crt
SSLCertificateKeyFile @DOCS@/certs/server.key
Header always set X-Sid "%{SSL_SESSION_ID}s"
Header always set X-Resumed "%{SSL_SESSION_RESUMED}s"
<VirtualHost *:@P1@>
    SSLEngine on
    SSLSessionTickets off
</VirtualHost>
`

// TestSSLSessionIDTLS12 compares SSL_SESSION_ID over TLS 1.2 under an
// SSLSessionCache with apache2's: none for a new session the server sends a
// ticket for, 64 hex digits for one without (a client that offers no
// ticket, a server with SSLSessionTickets off) and for a resumed one. Ours
// resumes a ticket in whichever child takes the connection, as apache2's
// children share their parent's ticket keys.
func TestSSLSessionIDTLS12(t *testing.T) {
	c := newClientCerts(t)
	p := startPair(t, 2, sslSessionCacheConf, map[string]string{"main/a.html": "A\n",
		"certs/server.crt": c.server.certPEM, "certs/server.key": c.server.keyPEM})
	hex64 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for _, s := range []*diffServer{p.apache, p.ours} {
		check := func(what string, port int, cfg *tls.Config, wantID bool, wantResumed string) {
			t.Helper()
			id, resumed := sslSession(t, s.ports[port], cfg)
			if hex64.MatchString(id) != wantID || !wantID && id != "(null)" || resumed != wantResumed {
				t.Errorf("%s, %s: id %q, %s; want an id: %v, %s", s.name, what, id, resumed, wantID, wantResumed)
			}
		}
		tickets := &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12,
			ClientSessionCache: tls.NewLRUClientSessionCache(4)}
		check("a new session with a ticket", 0, tickets, false, "Initial")
		for i := range 4 {
			check(fmt.Sprintf("resumed by its ticket (%d)", i), 0, tickets, true, "Resumed")
		}
		check("a client without tickets", 0, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12,
			SessionTicketsDisabled: true}, true, "Initial")
		check("SSLSessionTickets off", 1, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12},
			true, "Initial")
	}
}
