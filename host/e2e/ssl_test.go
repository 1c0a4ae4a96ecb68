package e2e_test

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/testbin"
)

// selfSigned is a new self-signed certificate for name and its key, as PEM.
func selfSigned(t testing.TB, name string) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	kder, err := x509.MarshalECPrivateKey(key)
	must(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))
}

// sslOn is the server config of a site served over TLS with the key pair
// tlsKeys writes.
const sslOn = "SSLEngine on\nSSLCertificateFile tls/cert.pem\nSSLCertificateKeyFile tls/key.pem\n"

// tlsKeys writes a self-signed certificate for localhost and its key to
// root's tls/cert.pem and tls/key.pem.
func tlsKeys(t *testing.T, root string) {
	t.Helper()
	cert, key := selfSigned(t, "localhost")
	must(t, os.MkdirAll(filepath.Join(root, "tls"), 0o755))
	write(t, filepath.Join(root, "tls/cert.pem"), cert)
	write(t, filepath.Join(root, "tls/key.pem"), key)
}

// sslConf is Debian's default-ssl site in small: a TLS port with two
// name-based virtual hosts, a.test (certificate and key files) and b.test
// (key in the certificate's file), Debian's ssl.conf server lines, and a
// plain port served by the main server. Keep-alive is on. SSLRequireSSL guards /secure; a
// per-directory rule rewrites /scheme by %{HTTPS}; every answer says the
// HTTPS variable in a field and the access log.
const sslConf = `LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
ServerName main.test
Listen 127.0.0.1:@P0@ https
Listen 127.0.0.1:@P1@
DocumentRoot @DOCS@/main
KeepAlive On
SSLRandomSeed startup builtin
SSLSessionCache none
SSLSessionCacheTimeout 300
SSLCipherSuite HIGH:!aNULL
SSLProtocol all -SSLv3
SSLHonorCipherOrder on
<Directory @DOCS@>
    Require all granted
</Directory>
RewriteEngine On
RewriteCond %{HTTPS} =on
RewriteRule ^/scheme$ /https.txt [PT]
RewriteRule ^/scheme$ /http.txt [PT]
<Location /secure>
    SSLRequireSSL
</Location>
Header always set X-HTTPS "%{HTTPS}e"
LogFormat "%v %>s \"%r\" %{HTTPS}e" ssl
CustomLog logs/ssl_log ssl
<VirtualHost *:@P0@>
    ServerName a.test
    DocumentRoot @DOCS@/a
    RewriteEngine On
    RewriteOptions Inherit
    SSLEngine on
    SSLCertificateFile @DOCS@/certs/a.crt
    SSLCertificateKeyFile @DOCS@/certs/a.key
    <FilesMatch "\.(?:cgi|shtml|phtml|php)$">
        SSLOptions +StdEnvVars
    </FilesMatch>
</VirtualHost>
<VirtualHost *:@P0@>
    ServerName b.test
    DocumentRoot @DOCS@/b
    RewriteEngine On
    RewriteOptions Inherit
    SSLEngine on
    SSLCertificateFile @DOCS@/certs/b.pem
</VirtualHost>
`

// sslDocs are the documents of sslConf, with fresh certificates.
func sslDocs(t testing.TB) map[string]string {
	docs := map[string]string{}
	for _, d := range []string{"main", "a", "b"} {
		docs[d+"/index.html"] = d + "\n"
		docs[d+"/http.txt"] = d + " http\n"
		docs[d+"/https.txt"] = d + " https\n"
		docs[d+"/secure/index.html"] = d + " secure\n"
	}
	docs["certs/a.crt"], docs["certs/a.key"] = selfSigned(t, "a.test")
	bc, bk := selfSigned(t, "b.test")
	docs["certs/b.pem"] = bc + bk
	return docs
}

// tlsAnswer is what a TLS exchange shows: the certificate's name, the answers
// and their X-HTTPS fields.
type tlsAnswer struct {
	cert  string
	as    answers
	https []string
}

func (a tlsAnswer) String() string {
	return "certificate " + a.cert + ", X-HTTPS " + strings.Join(a.https, ",") + ": " + a.as.String()
}

// askTLS sends req over TLS to @Pport@ of s, with sni as the server name the
// client asks for ("" for none), and reads until the server closes.
func (s *diffServer) askTLS(t testing.TB, port int, sni, req string) tlsAnswer {
	t.Helper()
	d := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", "127.0.0.1:"+strconv.Itoa(s.ports[port]),
		&tls.Config{ServerName: sni, InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatalf("%s: TLS to @P%d@ as %q: %v", s.name, port, sni, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	var a tlsAnswer
	a.cert = c.ConnectionState().PeerCertificates[0].Subject.CommonName
	if _, err := c.Write([]byte(s.fill(req))); err != nil {
		t.Fatalf("%s: %v", s.name, err)
	}
	var raw bytes.Buffer
	raw.ReadFrom(c)
	a.as = s.answers(&raw)
	for _, h := range regexp.MustCompile(`(?m)^X-HTTPS: (.*?)\r$`).FindAllStringSubmatch(raw.String(), -1) {
		a.https = append(a.https, h[1])
	}
	return a
}

// TestSSL compares HTTPS with apache2's mod_ssl on sslConf, under each MPM:
// the certificate SNI picks, the answers (421 for a Host the handshake's
// server cannot answer, 400 for plain HTTP on the TLS port, SSLRequireSSL's
// 403 on the plain port), %{HTTPS} in rewrite and the HTTPS variable, the
// access log and the AH02219 line.
func TestSSL(t *testing.T) {
	for _, mpm := range []string{"event", "worker", "prefork"} {
		t.Run(mpm, func(t *testing.T) {
			p := startPairMPM(t, mpm, 2, sslConf, sslDocs(t))
			for _, r := range []struct{ sni, req, cert string }{
				{"a.test", get("/", "a.test"), "a.test"},
				{"b.test", get("/", "b.test"), "b.test"},
				{"", get("/", "a.test"), "a.test"},             // no SNI: the default server's
				{"unknown.test", get("/", "a.test"), "a.test"}, // a name no server has
				{"unknown.test", get("/", "b.test"), "a.test"}, // 421: the default server's is not b.test's
				{"B.TEST", get("/", "b.test"), "b.test"},       // SNI matches in any case
				{"B.TEST", get("/", "a.test"), "b.test"},       // 421, AH02032 naming B.TEST
				{"b.test", get("/", "B.Test"), "b.test"},
				{"b.test", get("/scheme", "b.test"), "b.test"},
				{"a.test", get("/secure/", "a.test"), "a.test"},
				{"a.test", get("/", "b.test"), "a.test"},               // 421
				{"b.test", get("/", "a.test"), "b.test"},               // 421
				{"", get("/", "b.test"), "a.test"},                     // 421: the default server's is not b.test's
				{"b.test", get("/", "zz.test"), "b.test"},              // 421: zz.test is a.test's
				{"a.test", get("https://b.test/", "a.test"), "a.test"}, // 421: the target's host wins over TLS
				{"a.test", get("http://b.test/", "a.test"), "a.test"},  // Host wins: not the connection's scheme
				{"", get("https://b.test/", "a.test"), "a.test"},       // 421
				{"a.test", "GET / HTTP/1.0\r\n\r\n", "a.test"},         // 400 AH02031: SNI but no Host
				{"b.test", "GET / HTTP/1.0\r\n\r\n", "b.test"},         // 400 AH02031
				{"", "GET / HTTP/1.0\r\n\r\n", "a.test"},               // no SNI, no Host: the default server
				{"a.test", "GET / HTTP/1.1\r\nHost: a.test\r\n\r\nGET /https.txt HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n", "a.test"},
			} {
				want, got := p.apache.askTLS(t, 0, r.sni, r.req), p.ours.askTLS(t, 0, r.sni, r.req)
				where := "SNI " + strconv.Quote(r.sni) + " " + strconv.Quote(r.req)
				if want.cert != r.cert {
					t.Errorf("%s: apache sends %s's certificate, the test expects %s's", where, want.cert, r.cert)
				}
				if got.cert != want.cert || !slices.Equal(got.as, want.as) || !slices.Equal(got.https, want.https) {
					t.Errorf("%s:\n  apache: %v\n  ours:   %v", where, want, got)
				} else {
					t.Logf("%s: both %v", where, want)
				}
			}
			p.check([]diffRequest{
				{Port: 0, Raw: get("/", "a.test"), Want: "plain HTTP to an SSL-enabled server port", Connection: true},
				{Port: 1, Raw: get("/scheme", "main.test"), Want: "main http"},
				{Port: 0, Raw: "GET / HTTP/1.1\r\n", Want: "plain HTTP"},
				{Port: 1, Raw: get("/secure/", "main.test")},
				{Port: 1, Raw: get("https://b.test/scheme", "main.test"), Want: "main http"}, // Host wins on a plain port
				{Port: 1, Raw: get("http://b.test/scheme", "main.test"), Want: "main http"},
			})
			p.checkLogs("ssl_log")
			want, got := sslLogLines(t, p.apache), sslLogLines(t, p.ours)
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("error_log mod_ssl lines:\napache:\n  %s\nours:\n  %s", strings.Join(want, "\n  "), strings.Join(got, "\n  "))
			}
		})
	}
}

// TestSSLCipherSuite: a TLS 1.2 client offering one suite gets it from both
// servers under sslConf's "SSLCipherSuite HIGH:!aNULL", including one
// crypto/tls leaves out by default (ECDHE-ECDSA-AES128-SHA256).
func TestSSLCipherSuite(t *testing.T) {
	p := startPairMPM(t, "event", 2, sslConf, sslDocs(t))
	for _, suite := range []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA} {
		for _, s := range []*diffServer{p.apache, p.ours} {
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", "127.0.0.1:"+strconv.Itoa(s.ports[0]),
				&tls.Config{ServerName: "a.test", InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite}})
			if err != nil {
				t.Errorf("%s: %s: %v", s.name, tls.CipherSuiteName(suite), err)
				continue
			}
			if got := c.ConnectionState().CipherSuite; got != suite {
				t.Errorf("%s: %s offered, %s chosen", s.name, tls.CipherSuiteName(suite), tls.CipherSuiteName(got))
			}
			c.Close()
		}
	}
}

// sslLine is mod_ssl's error line of a request refused by SSLRequireSSL.
var sslLine = regexp.MustCompile(`\[(ssl:\w+)\] .*\[client ([0-9a-f.:]+?):\d+\] (AH0(?:2219|2031|2032): .*)$`)

// sslLogLines are s's sslLine lines (module:level, client, message), in order.
func sslLogLines(t *testing.T, s *diffServer) []string {
	t.Helper()
	return errorLogLines(t, s, sslLine)
}

// TestSSLConfigErrors: mod_ssl's configuration errors, against apache2's. A
// missing file and an unknown protocol are syntax errors for both at -t; a key
// that is not the certificate's and a server without a certificate stop
// apache2's start (AH02565, AH02572 in its error log), and ours at -t already, with the same message at the line
// concerned.
func TestSSLConfigErrors(t *testing.T) {
	apache := apacheBin(t)
	httpd, modules := build(t)
	root := t.TempDir()
	aCert, aKey := selfSigned(t, "a.test")
	_, bKey := selfSigned(t, "b.test")
	write(t, filepath.Join(root, "a.crt"), aCert)
	write(t, filepath.Join(root, "a.key"), aKey)
	write(t, filepath.Join(root, "b.key"), bKey)
	must(t, os.MkdirAll(filepath.Join(root, "logs"), 0o755))
	must(t, os.MkdirAll(filepath.Join(root, "run"), 0o755))
	ahead, ohead := sameLength(fmt.Sprintf(apacheHead, root)+"LoadModule ssl_module "+apacheModuleDir+"/mod_ssl.so\n",
		fmt.Sprintf(oursHead, modules))
	for _, c := range []struct {
		name, vhost string
		syntax      bool // apache2 -t refuses it too
	}{
		{"missing file", "SSLCertificateFile @R@/nope.crt\nSSLCertificateKeyFile @R@/a.key", true},
		{"protocol", "SSLCertificateFile @R@/a.crt\nSSLProtocol all -TLSv9", true},
		{"mismatch", "SSLCertificateFile @R@/a.crt\nSSLCertificateKeyFile @R@/b.key", false},
		{"no certificate", "", false},
		{"verify client", "SSLCertificateFile @R@/a.crt\nSSLCertificateKeyFile @R@/a.key\nSSLVerifyClient maybe", true},
		{"verify depth", "SSLCertificateFile @R@/a.crt\nSSLCertificateKeyFile @R@/a.key\nSSLVerifyDepth -1", true},
		{"missing CA file", "SSLCertificateFile @R@/a.crt\nSSLCertificateKeyFile @R@/a.key\nSSLCACertificateFile @R@/nope.pem", true},
		{"options", "SSLCertificateFile @R@/a.crt\nSSLCertificateKeyFile @R@/a.key\nSSLOptions +StdEnvVars +Bogus", true},
		{"session cache", "SSLCertificateFile @R@/a.crt\nSSLCertificateKeyFile @R@/a.key\nSSLSessionCache none", true}, // global only
		{"random seed", "SSLCertificateFile @R@/a.crt\nSSLCertificateKeyFile @R@/a.key\nSSLRandomSeed startup builtin", true},
	} {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			body := "TypesConfig /etc/mime.types\nServerName main.test\nListen 127.0.0.1:" + strconv.Itoa(freePorts(t, 1)[0]) + " https\nDocumentRoot @R@\n" +
				"<VirtualHost *:443>\nServerName a.test\nSSLEngine on\n" + c.vhost + "\n</VirtualHost>\n"
			body = strings.ReplaceAll(body, "@R@", root)
			write(t, filepath.Join(root, "apache.conf"), ahead+body)
			write(t, filepath.Join(root, "ours.conf"), ohead+body)
			run := func(bin, conf string, args ...string) (string, bool) {
				cmd := exec.Command(bin, append([]string{"-d", root, "-f", filepath.Join(root, conf)}, args...)...)
				out, err := cmd.CombinedOutput()
				return strings.ReplaceAll(string(out), "apache.conf", "CONF"), err == nil
			}
			got, ok := run(httpd, "ours.conf", "-t")
			got = strings.ReplaceAll(got, "ours.conf", "CONF")
			if ok {
				t.Fatalf("httpd -t accepts it: %s", got)
			}
			want, aok := run(apache, "apache.conf", "-t")
			if c.syntax {
				if aok || got != want {
					t.Errorf("-t:\n  apache: %q\n  ours:   %q", want, got)
				}
				return
			}
			if !aok {
				t.Fatalf("apache2 -t refuses it: %s", want)
			}
			os.Remove(filepath.Join(root, "logs", "error_log"))
			if out, aok := run(apache, "apache.conf", "-D", "FOREGROUND"); aok {
				t.Fatalf("apache2 starts: %s", out)
			}
			b, err := os.ReadFile(filepath.Join(root, "logs", "error_log"))
			must(t, err)
			m := regexp.MustCompile(`\[ssl:emerg\] \[pid [^]]*\] (AH0256[5]: .*|AH02572: .*)`).FindStringSubmatch(string(b))
			if m == nil {
				t.Fatalf("apache2's error_log has no AH02565/AH02572:\n%s", b)
			}
			if !strings.Contains(got, m[1]) {
				t.Errorf("httpd -t: %q, without apache2's %q", got, m[1])
			}
		})
	}
}

// TestGracefulRestartTLS: keep-alive clients send requests back to back over
// TLS, without retrying, through graceful restarts; not one request fails,
// with any MPM (event parks the idle TLS connections in its loop).
func TestGracefulRestartTLS(t *testing.T) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			extra := drainMPMs + "KeepAliveTimeout 60\n" + sslOn
			if os.Geteuid() == 0 {
				extra += "User nobody\nGroup #65534\n"
			}
			root := newSite(t, m.Name, m.Module, extra)
			reachableByNobody(t, root)
			tlsKeys(t, root)
			in := start(t, root)
			first := in.pluginPid()
			if os.Geteuid() == 0 {
				keysGuarded(t, executedChildren(first, drainStartServers[m.Name]))
			}
			stop := make(chan struct{})
			var ok, retried int64
			var failed []string
			done := make(chan struct{})
			go func() {
				defer close(done)
				ok, retried, failed = keepAliveLoadOn(func() (net.Conn, error) {
					return tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", in.addr,
						&tls.Config{ServerName: "localhost", InsecureSkipVerify: true})
				}, 4, stop)
			}()
			for range 3 {
				time.Sleep(1500 * time.Millisecond)
				in.signal(syscall.SIGUSR1)
			}
			time.Sleep(1500 * time.Millisecond)
			close(stop)
			<-done
			if len(failed) > 0 {
				t.Errorf("%d requests failed (%d answered); the first: %q", len(failed), ok, failed[:min(len(failed), 5)])
			}
			if ok < 50 {
				t.Errorf("only %d requests answered over TLS: the load did not run", ok)
			}
			if retried > 0 {
				t.Logf("%d requests sent again after an idle close (see keepAliveLoad)", retried)
			}
			if p := in.pluginPid(); p == first {
				t.Errorf("plugin %d still serving after three graceful restarts", p)
			}
			if _, body := in.get("/hello.txt"); !strings.Contains(body, "plain HTTP to an SSL-enabled server port") {
				t.Errorf("plain HTTP on the TLS port: %q", body)
			}
		})
	}
}

// keysGuarded checks that another process of the children's user (nobody)
// cannot read their memory's files: every child is executed as root and
// drops to User itself, which leaves it non-dumpable, before it takes its
// spec (TLS keys included).
func keysGuarded(t *testing.T, kids []int) {
	t.Helper()
	if len(kids) == 0 {
		t.Fatal("no child to look at")
	}
	for _, pid := range kids {
		// A child just executed runs as root until it drops to User
		// (then it is not dumpable): wait for that.
		var out []byte
		readable := func() bool {
			cmd := exec.Command("cat", "/proc/"+strconv.Itoa(pid)+"/environ")
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			var err error
			out, err = cmd.CombinedOutput()
			return err == nil
		}
		if eventually(10*time.Second, func() bool { return !readable() }); readable() {
			t.Errorf("user nobody reads child %d's environment (%d bytes)", pid, len(out))
		}
	}
}

// tlsSiteConn starts a site of MPM m (of testbin.MPMs) served over TLS (sslOn, tlsKeys) with
// extra in its config and returns a TCP connection to it, closed at the
// test's end, with a 30 s deadline.
func tlsSiteConn(t *testing.T, m struct{ Name, Module string }, extra string) net.Conn {
	t.Helper()
	root := newSite(t, m.Name, m.Module, extra+sslOn)
	tlsKeys(t, root)
	in := start(t, root)
	raw, err := net.Dial("tcp", in.addr)
	must(t, err)
	t.Cleanup(func() { raw.Close() })
	raw.SetDeadline(time.Now().Add(30 * time.Second))
	return raw
}

// TestTLSCloseSendsFIN: after a TLS response that closes the connection,
// the server sends close_notify and the TCP FIN at once, then lingers, as
// apache2 does, with every MPM: the FIN does not wait for the lingering
// close's end (here 30 s: the client sends a byte every 0.5 s).
func TestTLSCloseSendsFIN(t *testing.T) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			// KeepAlive Off: the server closes a connection the client meant to
			// keep, so it lingers.
			raw := tlsSiteConn(t, m, "KeepAlive Off\n")
			c := tls.Client(raw, &tls.Config{ServerName: "localhost", InsecureSkipVerify: true})
			_, err := io.WriteString(c, "GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
			must(t, err)
			if b, err := io.ReadAll(c); err != nil || !strings.Contains(string(b), "hello, world") {
				t.Fatalf("response: %q %v", b, err) // io.EOF at close_notify
			}
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				for {
					select {
					case <-stop:
						return
					case <-time.After(500 * time.Millisecond):
					}
					if _, err := c.Write([]byte("x")); err != nil { // a TLS record: the linger goes on
						return
					}
				}
			}()
			raw.SetReadDeadline(time.Now().Add(10 * time.Second))
			if n, err := raw.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				t.Fatalf("after close_notify: %d bytes, %v; want the TCP end of stream (FIN) at once", n, err)
			}
		})
	}
}

// TestTLSCloseNotifyAnswered: a client that ends a TLS keep-alive connection
// with close_notify gets the server's close_notify before the end of
// stream, as from apache2's mod_ssl, under every MPM (under event, once
// the lingering close was the event loop's, only the socket was closed).
func TestTLSCloseNotifyAnswered(t *testing.T) {
	for _, m := range testbin.MPMs {
		t.Run(m.Name, func(t *testing.T) {
			raw := tlsSiteConn(t, m, "")
			counted := &countingConn{Conn: raw}
			c := tls.Client(counted, &tls.Config{ServerName: "localhost", InsecureSkipVerify: true})
			_, err := io.WriteString(c, "GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
			must(t, err)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			must(t, err)
			body, err := io.ReadAll(resp.Body)
			if err != nil || !strings.Contains(string(body), "hello, world") || resp.Close {
				t.Fatalf("keep-alive response: %q %v (close %v)", body, err, resp.Close)
			}
			must(t, c.CloseWrite()) // close_notify
			before := counted.read
			if b, err := io.ReadAll(c); len(b) != 0 || err != nil {
				t.Fatalf("after close_notify: %q %v; want the end of stream", b, err)
			}
			// crypto/tls reads an end of stream without close_notify as
			// io.EOF too: the record is what tells them apart.
			if got := counted.read - before; got < 5 {
				t.Fatalf("%d bytes after the client's close_notify; want the server's close_notify record before the end of stream", got)
			}
		})
	}
}
