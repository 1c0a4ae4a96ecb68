package e2e_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testCert is a certificate made for a test: its PEM, its key's, and both
// for a crypto/tls client.
type testCert struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM string
	keyPEM  string
}

func (c testCert) tls() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{c.cert.Raw}, PrivateKey: c.key, Leaf: c.cert}
}

// issue makes a certificate of tmpl signed by parent (nil: self-signed).
func issue(t testing.TB, tmpl *x509.Certificate, parent *testCert) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl.NotBefore = time.Now().Add(-time.Hour).Truncate(time.Second)
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = time.Now().Add(90*24*time.Hour + 12*time.Hour).Truncate(time.Second) // V_REMAIN: 90 whenever the test runs
	}
	signer, signKey := tmpl, crypto.Signer(key)
	if parent != nil {
		signer, signKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signKey)
	must(t, err)
	cert, err := x509.ParseCertificate(der)
	must(t, err)
	kder, err := x509.MarshalECPrivateKey(key)
	must(t, err)
	return testCert{cert, key, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))}
}

// clientCerts are a test CA, a server certificate, alice's client
// certificate from the CA, and mallory's, self-signed.
type clientCerts struct {
	ca, server, alice, mallory testCert
}

func newClientCerts(t testing.TB) clientCerts {
	var c clientCerts
	c.ca = issue(t, &x509.Certificate{SerialNumber: big.NewInt(1),
		Subject: pkix.Name{Country: []string{"DE"}, Organization: []string{"Test CA, Inc."}, CommonName: "Test CA"},
		IsCA:    true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil)
	c.server = issue(t, &x509.Certificate{SerialNumber: big.NewInt(0x1234),
		Subject:  pkix.Name{Organization: []string{"Servers"}, CommonName: "tls.test"},
		DNSNames: []string{"tls.test"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, &c.ca)
	c.alice = issue(t, &x509.Certificate{SerialNumber: big.NewInt(0x0abcdef012),
		Subject: pkix.Name{Country: []string{"DE"}, Locality: []string{"Berlin"}, Organization: []string{"People"},
			OrganizationalUnit: []string{"Dev", "Ops"}, CommonName: "alice",
			ExtraNames: []pkix.AttributeTypeAndValue{{Type: []int{1, 2, 840, 113549, 1, 9, 1}, Value: "alice@example.test"}}},
		EmailAddresses: []string{"alice@example.test"}, DNSNames: []string{"alice.test"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}, &c.ca)
	c.mallory = issue(t, &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "mallory"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}, nil)
	return c
}

// sslClientConf has three TLS ports: @P0@ requires a client certificate
// from the CA, @P1@ takes any (optional_no_ca), @P2@ one from the CA if
// given (optional), @P3@ requires one at depth 0 (self-signed and trusted:
// none here). A CGI script prints mod_ssl's variables (+StdEnvVars,
// +ExportCertData on @P0@), the access log prints some with %{...}x and
// %{...}c, and /alice is for alice only (Require expr on SSL_CLIENT_S_DN_CN).
const sslClientConf = `LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
ServerName main.test
Listen 127.0.0.1:@P0@ https
Listen 127.0.0.1:@P1@ https
Listen 127.0.0.1:@P2@ https
Listen 127.0.0.1:@P3@ https
DocumentRoot @DOCS@/main
SSLSessionCache none
SSLCipherSuite HIGH:!aNULL
SSLCertificateFile @DOCS@/certs/server.crt
SSLCertificateKeyFile @DOCS@/certs/server.key
SSLCACertificateFile @DOCS@/certs/ca.crt
AddHandler cgi-script .cgi
<Directory @DOCS@>
    Require all granted
    Options +ExecCGI
</Directory>
<Location /alice>
    Require expr "%{SSL_CLIENT_S_DN_CN} == 'alice' && %{SSL:SSL_CLIENT_VERIFY} == 'SUCCESS'"
</Location>
LogFormat "%>s %U %{SSL_PROTOCOL}x %{SSL_CIPHER}x %{SSL_CLIENT_S_DN_CN}x %{SSL_CLIENT_VERIFY}x %{SSL_CLIENT_M_SERIAL}x %{version}c %{cipher}c %{subjectdn}c %{issuerdn}c %{errcode}c %{HTTPS}x %{SSL_TLS_SNI}x" sslvars
CustomLog logs/sslvars_log sslvars
<VirtualHost *:@P0@>
    ServerName tls.test
    SSLEngine on
    SSLVerifyClient require
    SSLOptions +StdEnvVars +ExportCertData
</VirtualHost>
<VirtualHost *:@P1@>
    ServerName tls.test
    SSLEngine on
    SSLVerifyClient optional_no_ca
    SSLVerifyDepth 2
    <Files "*.cgi">
        SSLOptions +StdEnvVars
    </Files>
</VirtualHost>
<VirtualHost *:@P2@>
    ServerName tls.test
    SSLEngine on
    SSLVerifyClient optional
    SSLOptions +StdEnvVars
    <Location /none>
        SSLOptions -StdEnvVars
    </Location>
</VirtualHost>
<VirtualHost *:@P3@>
    ServerName tls.test
    SSLEngine on
    SSLVerifyClient require
    SSLVerifyDepth 0
</VirtualHost>
`

// sslEnvScript prints HTTPS and the SSL_* variables, sorted, a PEM value's
// first line and checksum, leaving out what differs by design: the library's
// version, and the session id crypto/tls does not tell.
const sslEnvScript = `#!/bin/sh
printf 'Content-Type: text/plain\n\n'
env | grep -E '^(HTTPS|SSL_[A-Za-z0-9_]*)=' | grep -v -E '^SSL_(VERSION_LIBRARY|SESSION_ID)=' | sort
for v in "$SSL_SERVER_CERT" "$SSL_CLIENT_CERT" "$SSL_CLIENT_CERT_CHAIN_0"; do printf '%s' "$v" | md5sum; done
`

// askCert sends req over TLS 1.3 (or max) to s's port as a client with
// cert (nil: none), and returns what came back, or the error that ended it.
func askCert(t testing.TB, s *diffServer, port int, cert *testCert, max uint16, req string) (string, error) {
	t.Helper()
	cfg := &tls.Config{ServerName: "tls.test", InsecureSkipVerify: true, MaxVersion: max}
	if cert != nil {
		// Sent whatever CAs the server names, as curl --cert does.
		tc := cert.tls()
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &tc, nil }
	}
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", "127.0.0.1:"+strconv.Itoa(s.ports[port]), cfg)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(req)); err != nil {
		return "", err
	}
	var raw bytes.Buffer
	_, err = raw.ReadFrom(c)
	if raw.Len() == 0 {
		return "", err
	}
	return raw.String(), nil
}

// TestSSLClientCert compares client certificates and mod_ssl's variables with
// apache2, under each MPM: SSLVerifyClient require refuses a client without a
// certificate or with one from elsewhere at the handshake, optional_no_ca
// takes any (GENEROUS), optional refuses one that does not verify; the CGI
// environment (+StdEnvVars, +ExportCertData, per directory), Require expr on
// SSL_CLIENT_S_DN_CN, and the access log's %{...}x and %{...}c are the same
// byte for byte.
func TestSSLClientCert(t *testing.T) {
	for _, mpm := range []string{"event", "worker", "prefork"} {
		t.Run(mpm, func(t *testing.T) {
			c := newClientCerts(t)
			docs := map[string]string{"main/env.cgi": sslEnvScript, "main/none/env.cgi": sslEnvScript,
				"main/alice/index.html": "hello alice\n", "main/index.html": "main\n",
				"certs/server.crt": c.server.certPEM, "certs/server.key": c.server.keyPEM, "certs/ca.crt": c.ca.certPEM}
			p := startPairMPM(t, mpm, 4, sslClientConf, docs)
			for _, n := range []string{"main/env.cgi", "main/none/env.cgi"} {
				must(t, os.Chmod(filepath.Join(p.apache.docs, n), 0o755))
			}
			for _, r := range []struct {
				port int
				cert *testCert
				max  uint16
				path string
				ok   bool // the handshake succeeds
			}{
				{0, nil, 0, "/env.cgi", false},
				{0, nil, tls.VersionTLS12, "/env.cgi", false},
				{0, &c.mallory, 0, "/env.cgi", false},
				{0, &c.alice, 0, "/env.cgi", true},
				{0, &c.alice, tls.VersionTLS12, "/env.cgi", true},
				{0, &c.alice, 0, "/alice/", true},
				{1, nil, 0, "/env.cgi", true},
				{1, &c.mallory, 0, "/env.cgi", true},
				{1, &c.mallory, 0, "/alice/", true}, // 403: GENEROUS
				{1, &c.alice, 0, "/env.cgi", true},
				{1, &c.alice, 0, "/index.html", true},
				{2, nil, 0, "/env.cgi", true},
				{2, nil, 0, "/alice/", true}, // 403
				{2, &c.mallory, 0, "/env.cgi", false},
				{2, &c.alice, 0, "/env.cgi", true},
				{2, &c.alice, 0, "/none/env.cgi", true},
				{3, &c.alice, 0, "/index.html", false}, // one CA above: too deep
				{3, &c.alice, tls.VersionTLS12, "/index.html", false},
			} {
				req := "GET " + r.path + " HTTP/1.1\r\nHost: tls.test\r\nConnection: close\r\n\r\n"
				name := "nobody"
				if r.cert != nil {
					name = r.cert.cert.Subject.CommonName
				}
				where := "P" + strconv.Itoa(r.port) + " " + name + " " + r.path + " max " + strconv.Itoa(int(r.max))
				want, werr := askCert(t, p.apache, r.port, r.cert, r.max, req)
				got, gerr := askCert(t, p.ours, r.port, r.cert, r.max, req)
				if (werr == nil) != r.ok {
					t.Errorf("%s: apache: %q, %v; the test expects the handshake to succeed: %v", where, want, werr, r.ok)
				}
				if (gerr == nil) != (werr == nil) {
					t.Errorf("%s:\n  apache: %q, %v\n  ours:   %q, %v", where, want, werr, got, gerr)
					continue
				}
				wa, ga := p.apache.answers(bytes.NewBufferString(want)), p.ours.answers(bytes.NewBufferString(got))
				if !slices.Equal(wa, ga) {
					t.Errorf("%s:\n  apache: %v\n  ours:   %v\n  lines apache has: %q\n  lines ours has: %q", where, wa.withoutBodies(), ga.withoutBodies(),
						lineDiff(want, got), lineDiff(got, want))
				} else {
					t.Logf("%s: both %v %v", where, wa, werr)
				}
			}
			p.checkLogs("sslvars_log")
		})
	}
}

// lineDiff are the lines of a that b has not.
func lineDiff(a, b string) []string {
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !slices.Contains(strings.Split(b, "\n"), l) {
			out = append(out, l)
		}
	}
	return out
}

// TestSSLVerifyClientPerDirectory: apache2 renegotiates (TLS 1.2) or asks
// after the handshake (TLS 1.3) for a per-directory SSLVerifyClient;
// crypto/tls's server can do neither, so httpd -t refuses the line where
// apache2 -t takes it. apache2 refuses a per-directory CA itself.
func TestSSLVerifyClientPerDirectory(t *testing.T) {
	apache := apacheBin(t)
	httpd, modules := build(t)
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "logs"), 0o755))
	must(t, os.MkdirAll(filepath.Join(root, "run"), 0o755))
	ahead, ohead := sameLength(fmt.Sprintf(apacheHead, root)+"LoadModule ssl_module "+apacheModuleDir+"/mod_ssl.so\n",
		fmt.Sprintf(oursHead, modules))
	for _, c := range []struct{ line, want string }{
		{"SSLVerifyClient require", "SSLVerifyClient in <Location> is not supported by httpd-mpm"},
		{"SSLVerifyDepth 3", "SSLVerifyDepth in <Location> is not supported by httpd-mpm"},
		{"SSLCACertificateFile /etc/ssl/certs/ca-certificates.crt", "Your SSL library does not have support for per-directory CA"},
	} {
		body := "ServerName main.test\nDocumentRoot " + root + "\n<Location /x>\n" + c.line + "\n</Location>\n"
		write(t, filepath.Join(root, "apache.conf"), ahead+body)
		write(t, filepath.Join(root, "ours.conf"), ohead+body)
		out, err := exec.Command(httpd, "-d", root, "-f", filepath.Join(root, "ours.conf"), "-t").CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) {
			t.Errorf("%s: httpd -t: %v %q, want %q", c.line, err, out, c.want)
		}
		aout, aerr := exec.Command(apache, "-d", root, "-f", filepath.Join(root, "apache.conf"), "-t").CombinedOutput()
		if apacheRefuses := strings.HasPrefix(c.want, "Your SSL"); (aerr != nil) != apacheRefuses ||
			apacheRefuses && !strings.Contains(string(aout), c.want) {
			t.Errorf("%s: apache2 -t: %v %q", c.line, aerr, aout)
		}
	}
}
