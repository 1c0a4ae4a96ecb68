package e2e_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sslLegacyConf reads SSL_CLIENT_S_DN in an <If> condition, a Header
// expr= value and %{...}s, a per-directory RewriteRule's %{SSL:...} and
// the access log, under /leg/ with SSLOptions +LegacyDNStringFormat (but
// for the files of /leg/list/) and under /rfc/ without. No Require line:
// nothing but the readers sees the directory's SSLOptions.
const sslLegacyConf = `LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
ServerName main.test
Listen 127.0.0.1:@P0@ https
DocumentRoot @DOCS@/main
SSLSessionCache none
SSLCipherSuite HIGH:!aNULL
SSLEngine on
SSLVerifyClient optional
SSLCertificateFile @DOCS@/certs/server.crt
SSLCertificateKeyFile @DOCS@/certs/server.key
SSLCACertificateFile @DOCS@/certs/ca.crt
LogFormat "%U %{SSL_CLIENT_S_DN}x %{subjectdn}c" ssldn
CustomLog logs/ssldn_log ssldn
<Directory @DOCS@/main>
    RewriteEngine On
    RewriteRule ^ - [E=RWDN:%{SSL:SSL_CLIENT_S_DN}]
    Header set X-Rewrite "%{RWDN}e"
    Header set X-DN expr=%{SSL_CLIENT_S_DN}
    Header set X-Format "%{SSL_CLIENT_S_DN}s"
    <If "%{SSL_CLIENT_S_DN} =~ m#^/C=DE/#">
        Header set X-If legacy
    </If>
    <ElseIf "%{SSL_CLIENT_S_DN} =~ m#^emailAddress=#">
        Header set X-If rfc2253
    </ElseIf>
</Directory>
<Directory @DOCS@/main/leg>
    SSLOptions +LegacyDNStringFormat
</Directory>
<Directory @DOCS@/main/leg/list>
    Options +Indexes
    <Files "*.html">
        SSLOptions -LegacyDNStringFormat
    </Files>
</Directory>
`

// sslHeaders is the status and the X- fields of the answer to a GET of
// path over TLS to port, as the client cert.
func sslHeaders(t *testing.T, port int, cert *testCert, path string) string {
	t.Helper()
	tc := cert.tls()
	cfg := &tls.Config{InsecureSkipVerify: true, Certificates: []tls.Certificate{tc}}
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", "127.0.0.1:"+strconv.Itoa(port), cfg)
	if err != nil {
		t.Fatalf("dial %d: %v", port, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n", path)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s on %d: %v", path, port, err)
	}
	resp.Body.Close()
	out := strconv.Itoa(resp.StatusCode) + "\n"
	for _, k := range []string{"X-If", "X-Dn", "X-Format", "X-Rewrite"} {
		out += k + ": " + resp.Header.Get(k) + "\n"
	}
	return out
}

// TestSSLLegacyDNReaders compares with apache2 that a directory's SSLOptions
// +LegacyDNStringFormat reaches every reader of mod_ssl's variables there
// (<If>, Header, mod_rewrite, the log), not only Require expr.
func TestSSLLegacyDNReaders(t *testing.T) {
	c := newClientCerts(t)
	p := startPair(t, 1, sslLegacyConf, map[string]string{
		"main/leg/a.html": "A\n", "main/leg/list/z.html": "Z\n", "main/rfc/a.html": "A\n",
		"certs/server.crt": c.server.certPEM, "certs/server.key": c.server.keyPEM, "certs/ca.crt": c.ca.certPEM})
	legacy := "X-Dn: /C=DE/L=Berlin/O=People/OU=Dev+OU=Ops/CN=alice/emailAddress=alice@example.test"
	rfc := "X-Dn: emailAddress=alice@example.test,CN=alice,OU=Ops+OU=Dev,O=People,L=Berlin,C=DE"
	// The listing of /leg/list/ checks z.html under its own settings, but
	// answers under the directory's.
	wants := map[string]string{"/leg/a.html": legacy, "/leg/list/": legacy, "/leg/list/z.html": rfc, "/rfc/a.html": rfc}
	for path, dn := range wants {
		want := sslHeaders(t, p.apache.ports[0], &c.alice, path)
		got := sslHeaders(t, p.ours.ports[0], &c.alice, path)
		if want != got {
			t.Errorf("%s:\n--- apache:\n%s--- ours:\n%s", path, want, got)
		} else {
			t.Logf("%s: both\n%s", path, want)
		}
		if !strings.Contains(want, dn+"\n") || strings.Contains(want, "X-If: \n") {
			t.Errorf("apache2 answers %s with\n%s: the test expects %q and X-If", path, want, dn)
		}
	}
	p.checkLogs("ssldn_log")
}
