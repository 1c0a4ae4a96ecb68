package mpm

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/sslvars"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// TLS is a server's mod_ssl settings with SSLEngine on. The host read the
// certificate and key files (as root, before privileges drop, as apache2's
// parent does) and checked that they parse and match: an MPM gets the PEM,
// never a path to read.
type TLS struct {
	// Certificate is SSLCertificateFile's PEM blocks followed by
	// SSLCertificateChainFile's: the leaf first, then its chain.
	Certificate []byte
	// Key is SSLCertificateKeyFile's PEM (else the key in the certificate file).
	Key []byte `json:",omitempty"`
	// MinVersion and MaxVersion are SSLProtocol as crypto/tls versions; 0 is
	// crypto/tls's default.
	MinVersion, MaxVersion uint16
	// CipherSuites are SSLCipherSuite's TLS 1.2 suites that crypto/tls has;
	// nil is its default. TLS 1.3's are crypto/tls's own.
	CipherSuites []uint16
	// HonorCipherOrder is SSLHonorCipherOrder, accepted: crypto/tls orders
	// the suites itself.
	HonorCipherOrder bool
	// Name is the server as apache2 names it in mod_ssl's messages, "host:port".
	Name string
	// VerifyClient is SSLVerifyClient (VerifyNone...), VerifyDepth
	// SSLVerifyDepth: the CA certificates allowed above the client's.
	VerifyClient, VerifyDepth int `json:",omitempty"`
	// CACertificates are SSLCACertificateFile's and SSLCACertificatePath's
	// PEM, the roots a client certificate is verified against.
	CACertificates []byte `json:",omitempty"`
	// SessionCache is an SSLSessionCache other than none (mod_ssl's is
	// global: the main server's line): a TLS 1.2 session that no ticket
	// carries then has an ID, as OpenSSL's under a server cache.
	SessionCache bool `json:",omitempty"`
	// SessionTicketsOff is SSLSessionTickets off: no session tickets (so no
	// resumption: crypto/tls keeps no server-side sessions).
	SessionTicketsOff bool `json:",omitempty"`
	// TicketKey encrypts its session tickets: random, set by the SDK at
	// Configure, so that every child of a generation resumes the sessions
	// of the others, as apache2's children share their parent's keys. Empty:
	// each child's own (crypto/tls's default).
	TicketKey []byte `json:",omitempty"`
}

// SSLVerifyClient's levels, as config.VerifyClient's.
const (
	VerifyNone = iota
	VerifyOptional
	VerifyRequire
	VerifyOptionalNoCA
)

// config is the crypto/tls configuration for t, served as HTTP/1.1 (no h2).
func (t *TLS) config() (*tls.Config, error) {
	cert, err := tls.X509KeyPair(t.Certificate, t.Key)
	if err != nil {
		return nil, fmt.Errorf("certificate and key of %s: %w", t.Name, err)
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   t.MinVersion,
		MaxVersion:   t.MaxVersion,
		CipherSuites: t.CipherSuites,
		NextProtos:   []string{"http/1.1"},

		SessionTicketsDisabled: t.SessionTicketsOff,
	}
	if len(t.TicketKey) == 32 {
		cfg.SetSessionTicketKeys([][32]byte{[32]byte(t.TicketKey)})
	}
	if t.VerifyClient == VerifyNone {
		return cfg, nil
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(t.CACertificates) // none: every certificate fails, as apache2's
	cfg.ClientCAs = roots
	switch t.VerifyClient {
	case VerifyOptional:
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	case VerifyRequire:
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	case VerifyOptionalNoCA:
		// A certificate of an unknown CA, or self-signed, goes through and
		// SSL_CLIENT_VERIFY tells; any other fault refuses it, as apache2's.
		cfg.ClientAuth = tls.RequestClientCert
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			return verifyNoCA(cs.PeerCertificates, roots, t.VerifyDepth)
		}
		return cfg, nil
	}
	depth := t.VerifyDepth
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		return checkDepth(cs.VerifiedChains, depth)
	}
	return cfg, nil
}

// checkDepth is SSLVerifyDepth for a client certificate's verified chains:
// at most depth certificates above the client's, the trusted one included
// (a self-signed trusted one is depth 0). No chain (no certificate) passes.
func checkDepth(chains [][]*x509.Certificate, depth int) error {
	shortest := 0
	for i, chain := range chains {
		if len(chain)-1 <= depth {
			return nil
		}
		if i == 0 || len(chain) < shortest {
			shortest = len(chain)
		}
	}
	if len(chains) == 0 {
		return nil
	}
	return chainTooLong{depth: shortest - 1, max: depth}
}

// chainTooLong is a handshake's error for a client certificate with more
// certificates above it than SSLVerifyDepth allows.
type chainTooLong struct{ depth, max int }

func (e chainTooLong) Error() string {
	return fmt.Sprintf("client certificate chain too long: %d certificates above it, at most %d", e.depth, e.max)
}

// verifyNoCA is mod_ssl's verify callback under SSLVerifyClient
// optional_no_ca for the client's certificates certs (leaf first): only an
// unknown issuer or a self-signed certificate is forgiven (ssl_verify_error_is_optional);
// expiry, key usage and SSLVerifyDepth (depth certificates above the
// client's) are enforced as for optional.
func verifyNoCA(certs []*x509.Certificate, roots *x509.CertPool, depth int) error {
	if len(certs) == 0 {
		return nil
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	chains, err := certs[0].Verify(opts)
	if err == nil {
		return checkDepth(chains, depth)
	}
	refused := func(err error) error {
		return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
	}
	if !errors.As(err, new(x509.UnknownAuthorityError)) {
		return refused(err)
	}
	// Unknown issuer: crypto/x509 stopped before the checks OpenSSL goes on
	// with on the chain the client sent.
	if len(certs)-1 > depth {
		return chainTooLong{depth: len(certs) - 1, max: depth}
	}
	now := time.Now()
	for _, c := range certs {
		if now.Before(c.NotBefore) || now.After(c.NotAfter) {
			return refused(x509.CertificateInvalidError{Cert: c, Reason: x509.Expired})
		}
	}
	if leaf := certs[0]; len(leaf.ExtKeyUsage) > 0 || len(leaf.UnknownExtKeyUsage) > 0 {
		if !slices.ContainsFunc(leaf.ExtKeyUsage, func(u x509.ExtKeyUsage) bool {
			return u == x509.ExtKeyUsageClientAuth || u == x509.ExtKeyUsageAny
		}) {
			return refused(x509.CertificateInvalidError{Cert: leaf, Reason: x509.IncompatibleUsage})
		}
	}
	return nil
}

// compatible is mod_ssl's ssl_server_compatible, as far as these settings go:
// a request on a connection whose handshake was a's may be answered by b.
func (t *TLS) compatible(o *TLS) bool {
	if t == o {
		return true
	}
	if t == nil || o == nil {
		return false
	}
	return bytes.Equal(t.Certificate, o.Certificate) && bytes.Equal(t.Key, o.Key) &&
		t.MinVersion == o.MinVersion && t.MaxVersion == o.MaxVersion &&
		t.VerifyClient == o.VerifyClient && t.VerifyDepth == o.VerifyDepth && bytes.Equal(t.CACertificates, o.CACertificates)
}

// setupTLS gives srv its http1.Server.TLS when the main server or a virtual
// host serves TLS; nothing (no cost per connection) otherwise. A connection
// serves TLS when its default server (by its local address) has SSLEngine
// on; the client's SNI then picks, among the servers of that address, the
// one whose certificate it gets (ssl_find_vhost), falling back to the default
// server's.
func setupTLS(srv *http1.Server, main *vserver, table *vhostTable) error {
	servers := []*vserver{main}
	if table != nil {
		servers = table.all
		if main.tlsSettings != nil {
			servers = append(servers, main)
		}
	}
	any := false
	for _, s := range servers {
		if s.tlsSettings == nil {
			continue
		}
		cfg, err := s.tlsSettings.config()
		if err != nil {
			return err
		}
		s.tls, any = cfg, true
		s.sslServer = &sslvars.Server{Leaf: cfg.Certificates[0].Leaf, Roots: cfg.ClientCAs, SessionCache: s.tlsSettings.SessionCache}
	}
	if !any {
		return nil
	}
	for _, s := range servers {
		s.sslInfo = s.logError != nil && s.logLevels.For("ssl") >= int(static.LevelInfo)
	}
	srv.HandshakeFailed = func(c *http1.Conn, err error) {
		// mod_ssl logs with the connection's server (c->base_server), which
		// the SNI does not change.
		s := main
		if table != nil {
			s = table.pick(c.LocalAddr(), "")
		}
		s.logHandshake(c, err)
	}
	if table == nil {
		src := sslvars.Source(func(string) *sslvars.Server { return main.sslServer })
		main.tls.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			noteTicket(hello, main.tls)
			return nil, nil
		}
		srv.TLS = func(c *http1.Conn) *tls.Config {
			c.SetTLSInfo(&sslvars.Handshake{Source: src})
			if main.sslInfo {
				main.logConnection(c)
			}
			return main.tls
		}
		return nil
	}
	for _, s := range servers {
		if s.tls == nil {
			continue
		}
		own := s.tls
		s.tls.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			if hello.ServerName != "" {
				if by := table.pick(hello.Conn.LocalAddr(), hello.ServerName); by.tls != nil {
					noteTicket(hello, by.tls)
					return by.tls, nil
				}
			}
			noteTicket(hello, own)
			return nil, nil
		}
	}
	srv.TLS = func(c *http1.Conn) *tls.Config {
		local := c.LocalAddr()
		c.SetTLSInfo(&sslvars.Handshake{Source: func(sni string) *sslvars.Server {
			// The server whose certificate the handshake sent (above).
			if by := table.pick(local, sni); sni != "" && by.tls != nil {
				return by.sslServer
			}
			return table.pick(local, "").sslServer
		}})
		s := table.pick(local, "")
		if s.sslInfo {
			s.logConnection(c)
		}
		return s.tls
	}
	return nil
}

// sslConnections counts the TLS connections this process served: the N
// of AH01964 (apache2's is the connection's id, from the child's slot and
// the thread's).
var sslConnections atomic.Int64

// logConnection logs the start of TLS connection c, whose default server
// is s, as mod_ssl's pre_connection hook does when ssl's level is info or
// above (s.sslInfo): "AH01964: Connection to child N established (server
// NAME:PORT)", the server named as mod_ssl's vhost id, its ServerName's host
// and port, else 443.
func (s *vserver) logConnection(c *http1.Conn) {
	_, host, port := http1.SplitServerName(s.logName)
	if port == "" {
		port = "443"
	}
	n := sslConnections.Add(1) - 1
	s.logError(&http.Request{RemoteAddr: c.RemoteAddr()}, static.LevelInfo, "ssl", nil,
		"AH01964: Connection to child "+strconv.FormatInt(n, 10)+" established (server "+host+":"+port+")")
}

// logHandshake logs the failed handshake of c, whose default server is s
// (its error log and LogLevel), as mod_ssl's verify callback does when a
// client certificate does not verify: AH02039 at error, or with ssl's level
// info and above (LogLevel info, or ssl:info) AH02276 at info with the certificate's names, serial and dates;
// AH02040 at error for one deeper than SSLVerifyDepth. mod_ssl's other
// lines about a handshake (AH01996, AH02008, the library's errors: info and
// debug) are not written; AH01964 is logConnection's.
func (s *vserver) logHandshake(c *http1.Conn, err error) {
	if s.logError == nil {
		return
	}
	r := &http.Request{RemoteAddr: c.RemoteAddr()}
	var long chainTooLong
	if errors.As(err, &long) {
		s.logError(r, static.LevelError, "ssl", nil, fmt.Sprintf("AH02040: Certificate Verification: Certificate Chain too long "+
			"(chain has %d certificates, but maximum allowed are only %d)", long.depth, long.max))
		return
	}
	var bad *tls.CertificateVerificationError
	if !errors.As(err, &bad) {
		return
	}
	num, reason, cert := sslvars.VerifyFailure(bad.UnverifiedCertificates, bad.Err)
	msg := "Certificate Verification: Error (" + strconv.Itoa(num) + "): " + reason
	if s.logLevels.For("ssl") >= int(static.LevelInfo) {
		s.logError(r, static.LevelInfo, "ssl", nil, "AH02276: "+msg+sslvars.CertSummary(cert))
		return
	}
	s.logError(r, static.LevelError, "ssl", nil, "AH02039: "+msg)
}

// noteTicket records on hello's connection whether the handshake, served
// with cfg, sends the client a TLS 1.2 session ticket (SSL_SESSION_ID
// follows it).
func noteTicket(hello *tls.ClientHelloInfo, cfg *tls.Config) {
	if c := http1.HelloConn(hello); c != nil {
		if h, ok := c.TLSInfo().(*sslvars.Handshake); ok {
			h.Ticket = !cfg.SessionTicketsDisabled && sslvars.TicketOffered(hello)
		}
	}
}

// misdirected is mod_ssl's check of a request on a TLS connection
// (ssl_hook_ReadReq) as apache2 2.4.71 makes it: the server s the request
// names must be compatible with the one the handshake chose by the client's
// SNI (else the connection's default server), or the request is answered 421
// (AH02032), before mod_ssl's fixups set HTTPS; a request without a host name
// on a connection with SNI is answered 400 (AH02031).
func (t *vhostTable) misdirected(w http.ResponseWriter, r *http.Request, c *http1.Conn, s *vserver) bool {
	sni := r.TLS.ServerName
	if sni != "" && r.Host == "" {
		// A client that named a server in its SNI must name one in the request
		// too (HTTP/1.0 without Host): 400, AH02031.
		c.Env().Unset("HTTPS")
		c.Env().Unset("SSL_TLS_SNI")
		if s.logError != nil {
			s.logError(r, static.LevelError, "ssl", nil, "AH02031: Hostname "+sni+
				" provided via SNI, but no hostname provided in HTTP request")
		}
		http1.WriteError(w, r, http.StatusBadRequest, "")
		return true
	}
	hs := t.pick(c.LocalAddr(), sni)
	if hs == s || hs.tlsSettings.compatible(s.tlsSettings) {
		return false
	}
	c.Env().Unset("HTTPS")
	c.Env().Unset("SSL_TLS_SNI")
	if s.logError != nil {
		how := sni + " provided via SNI"
		if sni == "" {
			how = hs.name + " (default host as no SNI was provided)"
		}
		s.logError(r, static.LevelError, "ssl", nil, "AH02032: Hostname "+how+" and hostname "+http1.RequestHost(r.Host)+
			" provided via HTTP have no compatible SSL setup for policy 'secure'")
	}
	// apache2 closes the connection after the 421 (the request's server
	// cannot be the connection's).
	w.Header().Set("Connection", "close")
	http1.WriteError(w, r, http.StatusMisdirectedRequest, "")
	return true
}

// newTicketKeys gives each TLS server of c a TicketKey of its own (see
// TLS.TicketKey), before the MPM starts children.
func (c *Core) newTicketKeys() {
	give := func(t *TLS) {
		if t != nil && len(t.TicketKey) == 0 {
			t.TicketKey = make([]byte, 32)
			rand.Read(t.TicketKey)
		}
	}
	give(c.TLS)
	for i := range c.VirtualHosts {
		give(c.VirtualHosts[i].TLS)
	}
}

// hasTLS reports whether the main server or a virtual host serves TLS.
func (c *Core) hasTLS() bool {
	if c.TLS != nil {
		return true
	}
	for i := range c.VirtualHosts {
		if c.VirtualHosts[i].TLS != nil {
			return true
		}
	}
	return false
}
