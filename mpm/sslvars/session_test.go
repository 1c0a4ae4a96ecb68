package sslvars

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"regexp"
	"testing"
	"time"
)

// handshake runs a TLS handshake of version v over a pipe and returns the
// server's state.
func handshake(t *testing.T, v uint16) *tls.ConnectionState {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "s.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	srv := tls.Server(a, &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	cli := tls.Client(b, &tls.Config{InsecureSkipVerify: true, MinVersion: v, MaxVersion: v})
	done := make(chan error, 1)
	go func() { done <- cli.Handshake() }()
	if err := srv.Handshake(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st := srv.ConnectionState()
	return &st
}

// TestSessionID: when SSL_SESSION_ID has a value (OpenSSL's session an ID).
func TestSessionID(t *testing.T) {
	hex64 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	tls12, tls13 := handshake(t, tls.VersionTLS12), handshake(t, tls.VersionTLS13)
	cache, none := &Server{SessionCache: true}, &Server{}
	for _, c := range []struct {
		name string
		conn Conn
		id   bool
	}{
		{"TLS 1.3", Conn{State: tls13, Server: none}, true},
		{"TLS 1.2 without a cache", Conn{State: tls12, Server: none}, false},
		{"TLS 1.2, a cache, a ticket", Conn{State: tls12, Server: cache, Ticket: true}, false},
		{"TLS 1.2, a cache, no ticket", Conn{State: tls12, Server: cache}, true},
	} {
		got := c.conn.sessionID()
		if hex64.MatchString(got) != c.id || !c.id && got != "" {
			t.Errorf("%s: %q", c.name, got)
		}
		if again := c.conn.sessionID(); again != got {
			t.Errorf("%s: %q, then %q", c.name, got, again)
		}
	}
}
