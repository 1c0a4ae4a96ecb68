package http1

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// testTLSConfig is a server config with a fresh self-signed certificate.
func testTLSConfig(t *testing.T) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

// TestQuietTLS: Quiet is true between requests over TLS when nothing more
// was sent, and false when requests wait decrypted in the tls.Conn beyond the
// read buffer (the socket does not show them): those are then buffered, and
// served; a plain connection is quiet exactly when nothing is buffered.
func TestQuietTLS(t *testing.T) {
	srv := newTestServer()
	cfg := testTLSConfig(t)
	srv.TLS = func(*Conn) *tls.Config { return cfg }
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var all strings.Builder
	for i := range 40 {
		req := fmt.Sprintf("GET /%02d HTTP/1.1\r\nHost: h\r\nX-Pad: ", i)
		all.WriteString(req + strings.Repeat("p", 128-len(req)-4) + "\r\n\r\n")
	}
	got := make(chan string, 1)
	again := make(chan *tls.Conn, 1)
	go func() {
		// One write is one record: 40 requests of 128 bytes, 5 KiB.
		cc, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true, DynamicRecordSizingDisabled: true})
		if err != nil {
			got <- err.Error()
			return
		}
		io.WriteString(cc, all.String())
		br := bufio.NewReader(cc)
		var paths []string
		for range 40 {
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				break
			}
			b, _ := io.ReadAll(resp.Body)
			paths = append(paths, strings.TrimPrefix(string(b), "GET "))
		}
		got <- strings.Join(paths, ",")
		again <- cc
	}()
	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	c := srv.NewConn(nc)
	defer c.Close()
	served := 0
	serve := func() {
		t.Helper()
		if keep, err := c.ServeRequest(); !keep || err != nil {
			t.Fatalf("request %d: keep %v, %v", served, keep, err)
		}
		served++
	}
	for serve(); c.Buffered() > 0; serve() {
	}
	// 32 requests filled the 4 KiB buffer; 8 wait decrypted in the tls.Conn.
	if served != 32 {
		t.Fatalf("%d requests served from the first buffer, want 32", served)
	}
	if c.Quiet() {
		t.Fatal("Quiet with 8 requests decrypted in the tls.Conn")
	}
	if c.Buffered() != 8*128 {
		t.Fatalf("Buffered %d after Quiet, want the 8 requests (%d)", c.Buffered(), 8*128)
	}
	for c.Buffered() > 0 {
		serve()
	}
	if !c.Quiet() {
		t.Fatal("not Quiet after every request sent was answered")
	}
	var want []string
	for i := range 40 {
		want = append(want, fmt.Sprintf("/%02d", i))
	}
	if g := <-got; g != strings.Join(want, ",") {
		t.Errorf("answers to %s, want in order", g)
	}
	// The TLS connection goes on after the probe: one more request.
	cc := <-again
	defer cc.Close()
	go io.WriteString(cc, "GET /again HTTP/1.1\r\nHost: h\r\n\r\n")
	serve()
}
