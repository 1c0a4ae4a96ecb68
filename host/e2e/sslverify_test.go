package e2e_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sslVerifyConf serves opt.test (SSLVerifyClient optional), noca.test
// (optional_no_ca, SSLVerifyDepth 1 by default) and req.test (require) on
// one port. /env.cgi prints some of mod_ssl's variables, /leg/ the same
// with +LegacyDNStringFormat; /v/ is for a verified client, /cn/ for the CN
// admin, /legdn/ for the subject "/CN=admin" in the legacy format.
const sslVerifyConf = `LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
ServerName main.test
KeepAlive On
KeepAliveTimeout 10
Listen 127.0.0.1:@P0@ https
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
<Location />
    SSLOptions +StdEnvVars +ExportCertData
</Location>
<Location /leg>
    SSLOptions +StdEnvVars +ExportCertData +LegacyDNStringFormat
</Location>
<Location /v>
    Require expr "%{SSL_CLIENT_VERIFY} == 'SUCCESS'"
</Location>
<Location /cn>
    Require expr "%{SSL_CLIENT_S_DN_CN} == 'admin'"
</Location>
<Location /legdn>
    SSLOptions +LegacyDNStringFormat
    Require expr "%{SSL_CLIENT_S_DN} == '/CN=admin'"
</Location>
<VirtualHost *:@P0@>
    ServerName opt.test
    SSLEngine on
    SSLVerifyClient optional
</VirtualHost>
<VirtualHost *:@P0@>
    ServerName noca.test
    SSLEngine on
    SSLVerifyClient optional_no_ca
</VirtualHost>
<VirtualHost *:@P0@>
    ServerName req.test
    SSLEngine on
    SSLVerifyClient require
</VirtualHost>
`

// sslVerifyScript prints the variables that tell who the client and the
// server are, a PEM value as its first characters.
const sslVerifyScript = `#!/bin/sh
printf 'Content-Type: text/plain\n\n'
env | grep -E '^SSL_(CLIENT_VERIFY|CLIENT_S_DN|CLIENT_I_DN|CLIENT_S_DN_[A-Z]*[_0-9]*|SERVER_S_DN|SERVER_CERT|SERVER_M_SERIAL)=' | sed 's/\(CERT=\).\{28\}.*/\1(pem)/' | sort
`

func sslVerifyDocs(c clientCerts) map[string]string {
	return map[string]string{"main/env.cgi": sslVerifyScript, "main/leg/env.cgi": sslVerifyScript,
		"main/v/index.html": "verified\n", "main/cn/index.html": "admin\n", "main/legdn/index.html": "legacy admin\n",
		"main/a.html":      "A\n",
		"certs/server.crt": c.server.certPEM, "certs/server.key": c.server.keyPEM, "certs/ca.crt": c.ca.certPEM}
}

// sslSequence sends the paths one after the other on one TLS connection to
// sni as a client with cert (nil: none), waiting gap after each answer, and
// returns each answer's path, status and body, or how the connection ended.
func sslSequence(t *testing.T, port int, sni string, cert *testCert, chain []*x509.Certificate, gap time.Duration, reqs ...[2]string) string {
	t.Helper()
	cfg := &tls.Config{ServerName: sni, InsecureSkipVerify: true}
	if cert != nil {
		tc := cert.tls()
		for _, x := range chain {
			tc.Certificate = append(tc.Certificate, x.Raw)
		}
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &tc, nil }
	}
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", "127.0.0.1:"+strconv.Itoa(port), cfg)
	if err != nil {
		return "refused"
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(c)
	var out strings.Builder
	for _, r := range reqs {
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", r[0], r[1])
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			// A refused certificate ends a TLS 1.3 connection at its first read.
			if out.Len() == 0 && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				return "refused"
			}
			out.WriteString("closed\n")
			break
		}
		b, _ := io.ReadAll(resp.Body)
		fmt.Fprintf(&out, "%s %s %d\n%s", r[1], r[0], resp.StatusCode, b)
		time.Sleep(gap)
	}
	return out.String()
}

func sslGet(path, host string) [2]string { return [2]string{path, host} }

// TestSSLVerifyNoCA compares with apache2 what SSLVerifyClient
// optional_no_ca lets through (a certificate of an unknown CA or
// self-signed, nothing expired, for another use or deeper than
// SSLVerifyDepth) and how mod_ssl's variables write the names of the
// certificates it does: escaped in both formats (a "/" inside a value
// cannot pass for a separator), and in Require expr the directory's format.
func TestSSLVerifyNoCA(t *testing.T) {
	c := newClientCerts(t)
	leaf := func(sub pkix.Name, parent *testCert, eku []x509.ExtKeyUsage, notAfter time.Time) testCert {
		return issue(t, &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: sub, NotAfter: notAfter,
			ExtKeyUsage: eku, KeyUsage: x509.KeyUsageDigitalSignature}, parent)
	}
	ca := func(cn string, parent *testCert) testCert {
		return issue(t, &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, parent)
	}
	client := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	admin := pkix.Name{CommonName: "admin"}
	other, inter := ca("Other CA", nil), ca("Inter CA", &c.ca)
	otherInter := ca("Other Inter CA", &other)
	otherInter2 := ca("Other Inter CA 2", &otherInter)
	viaInter, viaOther2 := leaf(admin, &inter, client, time.Time{}), leaf(admin, &otherInter2, client, time.Time{})
	cases := []struct {
		name  string
		cert  testCert
		chain []*x509.Certificate
	}{
		{"admin", leaf(admin, &c.ca, client, time.Time{}), nil},
		{"slash", leaf(pkix.Name{CommonName: "bob/CN=admin", Organization: []string{"x/CN=admin"}}, &c.ca, client, time.Time{}), nil},
		{"specials", leaf(pkix.Name{CommonName: "#b\x01ø+b;<>\" \\ ", Organization: []string{" lead"}}, &c.ca, client, time.Time{}), nil},
		{"comma", leaf(pkix.Name{CommonName: "bob,CN=admin"}, &c.ca, client, time.Time{}), nil},
		{"expired", leaf(admin, &c.ca, client, time.Now().Add(-10*time.Minute)), nil},
		{"other CA", leaf(admin, &other, client, time.Time{}), nil},
		{"other CA expired", leaf(admin, &other, client, time.Now().Add(-10*time.Minute)), nil},
		{"other CA server EKU", leaf(admin, &other, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, time.Time{}), nil},
		{"server EKU", leaf(admin, &c.ca, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, time.Time{}), nil},
		{"no EKU", leaf(admin, &c.ca, nil, time.Time{}), nil},
		{"self-signed", c.mallory, nil},
		{"via intermediate (too deep)", viaInter, []*x509.Certificate{inter.cert}},
		{"other CA via intermediate", leaf(admin, &otherInter, client, time.Time{}), []*x509.Certificate{otherInter.cert}},
		{"other CA via two intermediates (too deep)", viaOther2, []*x509.Certificate{otherInter2.cert, otherInter.cert}},
	}
	p := startPairMPM(t, "worker", 1, sslVerifyConf, sslVerifyDocs(c))
	for _, n := range []string{"main/env.cgi", "main/leg/env.cgi"} {
		must(t, os.Chmod(filepath.Join(p.apache.docs, n), 0o755))
	}
	for _, cs := range cases {
		reqs := [][2]string{sslGet("/env.cgi", "noca.test"), sslGet("/leg/env.cgi", "noca.test"), sslGet("/v/", "noca.test"),
			sslGet("/cn/", "noca.test"), sslGet("/legdn/", "noca.test")}
		want := sslSequence(t, p.apache.ports[0], "noca.test", &cs.cert, cs.chain, 0, reqs...)
		got := sslSequence(t, p.ours.ports[0], "noca.test", &cs.cert, cs.chain, 0, reqs...)
		if want != got {
			t.Errorf("%s:\n--- apache:\n%s--- ours:\n%s", cs.name, want, got)
		} else {
			t.Logf("%s: both\n%s", cs.name, want)
		}
	}
	for _, check := range []struct {
		cert  testCert
		chain []*x509.Certificate
		want  string
	}{
		{cases[1].cert, nil, `SSL_CLIENT_S_DN=/O=x\/CN=admin/CN=bob\/CN=admin`},
		{cases[4].cert, nil, "refused"},
		{viaInter, []*x509.Certificate{inter.cert}, "refused"},
	} {
		if got := sslSequence(t, p.apache.ports[0], "noca.test", &check.cert, check.chain, 0, sslGet("/leg/env.cgi", "noca.test")); !strings.Contains(got, check.want) {
			t.Errorf("apache2 answers %q, the test expects %q in it", got, check.want)
		}
	}
}

// TestSSLKeepAlive compares with apache2, under the event MPM (which parks
// an idle connection), what a keep-alive TLS connection's later requests
// see of its TLS (the server's certificate, the client's verified), and
// that a request for a server of an incompatible TLS setup is answered 421
// and ends the connection.
func TestSSLKeepAlive(t *testing.T) {
	c := newClientCerts(t)
	p := startPairMPM(t, "event", 1, sslVerifyConf, sslVerifyDocs(c))
	for _, n := range []string{"main/env.cgi", "main/leg/env.cgi"} {
		must(t, os.Chmod(filepath.Join(p.apache.docs, n), 0o755))
	}
	for _, r := range []struct {
		sni  string
		gap  time.Duration // long enough for the event MPM to detach the idle connection
		reqs [][2]string
	}{
		{"noca.test", 1500 * time.Millisecond, [][2]string{sslGet("/env.cgi", "noca.test"), sslGet("/v/", "noca.test"), sslGet("/env.cgi", "noca.test")}},
		{"opt.test", 0, [][2]string{sslGet("/a.html", "opt.test"), sslGet("/a.html", "req.test"), sslGet("/a.html", "opt.test")}},
	} {
		want := sslSequence(t, p.apache.ports[0], r.sni, &c.alice, nil, r.gap, r.reqs...)
		got := sslSequence(t, p.ours.ports[0], r.sni, &c.alice, nil, r.gap, r.reqs...)
		if want != got {
			t.Errorf("%s %v:\n--- apache:\n%s--- ours:\n%s", r.sni, r.reqs, want, got)
		} else {
			t.Logf("%s %v: both\n%s", r.sni, r.reqs, want)
		}
		if n := strings.Count(want, "\n"); n < 2 || !bytes.Contains([]byte(want), []byte(" 200\n")) {
			t.Errorf("apache2 answers %q: the test expects answers", want)
		}
	}
}

// sslVerifyLine is a line of mod_ssl's verify callback about a client's
// certificate, with its level and the client's address.
var sslVerifyLine = regexp.MustCompile(`\[ssl:(\w+)\] .*\[client ([0-9a-f.:]+?):\d+\] (AH02(?:039|040|276): .*)$`)

// TestSSLVerifyLog compares with apache2 the error log's lines about client
// certificates that fail the handshake (SSLVerifyClient require and
// optional), at the default LogLevel (AH02039 at error) and at info
// (AH02276, with the certificate's names, serial and dates), and that a
// client without a certificate, one that leaves during the handshake and one
// that speaks plain HTTP leave no such line.
func TestSSLVerifyLog(t *testing.T) {
	c := newClientCerts(t)
	leaf := func(sub pkix.Name, parent *testCert, eku []x509.ExtKeyUsage, notAfter time.Time) testCert {
		return issue(t, &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: sub, NotAfter: notAfter,
			ExtKeyUsage: eku, KeyUsage: x509.KeyUsageDigitalSignature}, parent)
	}
	other := issue(t, &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "Other CA"},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil)
	otherInter := issue(t, &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "Other Inter CA"},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, &other)
	inter := issue(t, &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "Inter CA"},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, &c.ca)
	client := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	bob := pkix.Name{CommonName: "bob", Organization: []string{"People"}}
	cases := []struct {
		name, sni string
		cert      *testCert
		chain     []*x509.Certificate
	}{
		{"self-signed", "req.test", &c.mallory, nil},
		{"other CA", "req.test", ptr(leaf(bob, &other, client, time.Time{})), nil},
		{"other CA via intermediate", "opt.test", ptr(leaf(bob, &otherInter, client, time.Time{})), []*x509.Certificate{otherInter.cert}},
		{"expired", "req.test", ptr(leaf(bob, &c.ca, client, time.Now().Add(-10*time.Minute))), nil},
		{"no certificate", "req.test", nil, nil},
		{"self-signed, optional", "opt.test", &c.mallory, nil},
		{"server EKU", "req.test", ptr(leaf(bob, &c.ca, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, time.Time{})), nil},
		{"via intermediate (too deep)", "req.test", ptr(leaf(bob, &inter, client, time.Time{})), []*x509.Certificate{inter.cert}},
		{"other CA expired, optional_no_ca", "noca.test", ptr(leaf(bob, &other, client, time.Now().Add(-10*time.Minute))), nil},
		{"other CA server EKU, optional_no_ca", "noca.test", ptr(leaf(bob, &other, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, time.Time{})), nil},
		{"expired, optional_no_ca", "noca.test", ptr(leaf(bob, &c.ca, client, time.Now().Add(-10*time.Minute))), nil},
		{"via intermediate (too deep), optional_no_ca", "noca.test", ptr(leaf(bob, &inter, client, time.Time{})), []*x509.Certificate{inter.cert}},
	}
	for _, level := range []string{"warn", "info"} {
		t.Run(level, func(t *testing.T) {
			// req.test's own ErrorLog gets none of the lines: mod_ssl logs
			// with the connection's server, the port's first.
			conf := strings.Replace(sslVerifyConf, "SSLVerifyClient require\n", "SSLVerifyClient require\n    ErrorLog logs/req_log\n", 1)
			p := startPairMPM(t, "event", 1, conf+"LogLevel "+level+"\n", sslVerifyDocs(c))
			for _, s := range []*diffServer{p.apache, p.ours} {
				for _, cs := range cases {
					if got := sslSequence(t, s.ports[0], cs.sni, cs.cert, cs.chain, 0, sslGet("/a.html", cs.sni)); got != "refused" {
						t.Errorf("%s, %s: %q, want refused", s.name, cs.name, got)
					}
				}
				// A client that leaves in the middle of its handshake, and one
				// that speaks plain HTTP.
				conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(s.ports[0]))
				must(t, err)
				conn.Write([]byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01})
				conn.Close()
				if as := s.ask(t, "127.0.0.1", 0, get("/", "req.test")); len(as) != 1 || as[0].Status != 400 {
					t.Errorf("%s: plain HTTP: %v", s.name, as)
				}
			}
			read := func(s *diffServer) []string {
				var out []string
				eventually(10*time.Second, func() bool {
					b, err := os.ReadFile(filepath.Join(s.root, "logs", "error_log"))
					must(t, err)
					out = nil
					for _, l := range strings.Split(string(b), "\n") {
						if m := sslVerifyLine.FindStringSubmatch(l); m != nil {
							out = append(out, m[1]+" "+m[2]+" "+m[3])
						}
					}
					return len(out) >= 11
				})
				return out
			}
			// Sorted: ours may write a line after the client has gone on to
			// the next case (a child logs once the handshake has failed).
			want, got := read(p.apache), read(p.ours)
			slices.Sort(want)
			slices.Sort(got)
			if len(want) != 11 || !slices.Equal(got, want) {
				t.Errorf("error_log's verify lines:\napache:\n  %s\nours:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
			} else {
				t.Logf("both:\n  %s", strings.Join(want, "\n  "))
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// sslConnLine is mod_ssl's AH01964 line for a new TLS connection, without
// its connection number (apache2's is its child's slot and thread's).
var sslConnLine = regexp.MustCompile(`\[(ssl:\w+)\] .*\[client ([0-9.]+):\d+\] (AH01964: Connection to child )\d+( established .*)$`)

// TestSSLConnectionLog: with ssl's level at info (LogLevel warn ssl:info),
// each TLS connection is logged at its start with its default server's name
// (AH01964), as apache2's mod_ssl does, whatever the SNI picks, a plain HTTP
// client on the TLS port too; with ssl's level at warn (LogLevel info
// ssl:warn), none is.
func TestSSLConnectionLog(t *testing.T) {
	c := newClientCerts(t)
	for _, tc := range []struct {
		level string
		lines int
	}{{"warn ssl:info", 4}, {"info ssl:warn", 0}} { // 4: the start's probe, two TLS clients, a plain one
		t.Run(tc.level, func(t *testing.T) {
			p := startPairMPM(t, "event", 1, sslVerifyConf+"LogLevel "+tc.level+"\n", sslVerifyDocs(c))
			for _, s := range []*diffServer{p.apache, p.ours} {
				for _, sni := range []string{"opt.test", "noca.test"} {
					if got := sslSequence(t, s.ports[0], sni, nil, nil, 0, sslGet("/a.html", sni)); !strings.Contains(got, "200") {
						t.Errorf("%s, SNI %q: %q", s.name, sni, got)
					}
				}
				if as := s.ask(t, "127.0.0.1", 0, get("/", "req.test")); len(as) != 1 || as[0].Status != 400 {
					t.Errorf("%s: plain HTTP: %v", s.name, as)
				}
			}
			must(t, p.apache.stop())
			must(t, p.ours.stop())
			read := func(s *diffServer) []string {
				var out []string
				for _, l := range s.logLines(t, "error_log") {
					if m := sslConnLine.FindStringSubmatch(l); m != nil {
						out = append(out, m[1]+" "+m[2]+" "+m[3]+"N"+m[4])
					}
				}
				return out
			}
			want, got := read(p.apache), read(p.ours)
			if len(want) != tc.lines || !slices.Equal(got, want) {
				t.Errorf("AH01964 lines:\napache:\n  %s\nours:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
			} else {
				t.Logf("both:\n  %s", strings.Join(want, "\n  "))
			}
		})
	}
}
