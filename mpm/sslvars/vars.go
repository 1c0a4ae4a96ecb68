package sslvars

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
)

// Server is what the variables read of the server whose certificate a
// connection's handshake presented.
type Server struct {
	Leaf *x509.Certificate
	// Roots are SSLCACertificateFile's and SSLCACertificatePath's
	// certificates, nil without.
	Roots *x509.CertPool
	// SessionCache is an SSLSessionCache other than none.
	SessionCache bool
}

// Conn is a TLS connection as the variables see it.
type Conn struct {
	State  *tls.ConnectionState
	Server *Server // nil: no SSL_SERVER_* variables
	// Ticket reports that the handshake sent the client a TLS 1.2 session
	// ticket (Handshake.Ticket).
	Ticket bool
}

// Interface is SSL_VERSION_INTERFACE: the mod_ssl whose variables these are.
// Library is SSL_VERSION_LIBRARY: crypto/tls and Go's version, where apache2
// has "OpenSSL/3.0.17".
var (
	Interface = "mod_ssl/2.4.71"
	Library   = "crypto/tls/" + runtime.Version()
)

// fixupVars are the names +StdEnvVars exports (mod_ssl's ssl_hook_Fixup_vars,
// in its order) when they have a value.
var fixupVars = []string{
	"SSL_VERSION_INTERFACE", "SSL_VERSION_LIBRARY", "SSL_PROTOCOL", "SSL_SECURE_RENEG", "SSL_COMPRESS_METHOD",
	"SSL_CIPHER", "SSL_CIPHER_EXPORT", "SSL_CIPHER_USEKEYSIZE", "SSL_CIPHER_ALGKEYSIZE", "SSL_CLIENT_VERIFY",
	"SSL_CLIENT_M_VERSION", "SSL_CLIENT_M_SERIAL", "SSL_CLIENT_V_START", "SSL_CLIENT_V_END", "SSL_CLIENT_V_REMAIN",
	"SSL_CLIENT_S_DN", "SSL_CLIENT_I_DN", "SSL_CLIENT_A_KEY", "SSL_CLIENT_A_SIG", "SSL_CLIENT_CERT_RFC4523_CEA",
	"SSL_SERVER_M_VERSION", "SSL_SERVER_M_SERIAL", "SSL_SERVER_V_START", "SSL_SERVER_V_END", "SSL_SERVER_S_DN",
	"SSL_SERVER_I_DN", "SSL_SERVER_A_KEY", "SSL_SERVER_A_SIG", "SSL_SESSION_ID", "SSL_SESSION_RESUMED",
}

// Export sets what mod_ssl's fixup adds to a request's environment (but
// HTTPS and SSL_TLS_SNI, which package http1 sets): the +StdEnvVars names with a value, the
// DN components and subjectAltNames, and with +ExportCertData the PEM of the
// certificates. legacy is +LegacyDNStringFormat.
func Export(c Conn, o Options, set func(name, value string)) {
	if o&StdEnvVars != 0 {
		if s := c.Server; s != nil && s.Leaf != nil {
			extractDN(set, "SSL_SERVER_S_DN_", s.Leaf.Subject.Names)
			extractDN(set, "SSL_SERVER_I_DN_", s.Leaf.Issuer.Names)
		}
		if p := c.peer(); p != nil {
			extractDN(set, "SSL_CLIENT_S_DN_", p.Subject.Names)
			extractDN(set, "SSL_CLIENT_I_DN_", p.Issuer.Names)
		}
		if s := c.Server; s != nil && s.Leaf != nil {
			extractSAN(set, "SSL_SERVER_SAN_Email", s.Leaf.EmailAddresses)
			extractSAN(set, "SSL_SERVER_SAN_DNS", s.Leaf.DNSNames)
		}
		if p := c.peer(); p != nil {
			extractSAN(set, "SSL_CLIENT_SAN_Email", p.EmailAddresses)
			extractSAN(set, "SSL_CLIENT_SAN_DNS", p.DNSNames)
		}
		for _, n := range fixupVars {
			if v, _ := Lookup(c, n, o&LegacyDNStringFormat != 0); v != "" {
				set(n, v)
			}
		}
	}
	if o&ExportCertData != 0 {
		v, _ := Lookup(c, "SSL_SERVER_CERT", false)
		set("SSL_SERVER_CERT", v)
		v, _ = Lookup(c, "SSL_CLIENT_CERT", false)
		set("SSL_CLIENT_CERT", v)
		if p := c.State.PeerCertificates; len(p) > 1 {
			for i, cert := range p[1:] {
				set("SSL_CLIENT_CERT_CHAIN_"+strconv.Itoa(i), certPEM(cert))
			}
		}
	}
}

func extractDN(set func(name, value string), prefix string, names []pkixAttr) {
	count := map[string]int{}
	for _, a := range names {
		tag := ""
		for _, r := range dnRec {
			if r.extract && a.Type.Equal(r.oid) {
				tag = r.name
				break
			}
		}
		if tag == "" {
			continue
		}
		key := prefix + tag
		if n, seen := count[tag]; seen {
			key += "_" + strconv.Itoa(n) // the second is _1
		}
		count[tag]++
		set(key, entryString(a.Value))
	}
}

func extractSAN(set func(name, value string), prefix string, list []string) {
	for i, v := range list {
		set(prefix+"_"+strconv.Itoa(i), v)
	}
}

// peer is the client's certificate, nil without.
func (c Conn) peer() *x509.Certificate {
	if len(c.State.PeerCertificates) == 0 {
		return nil
	}
	return c.State.PeerCertificates[0]
}

// Lookup is mod_ssl's ssl_var_lookup for a name of its own ("SSL_*", any
// case but the DN components') on c, and whether the name is one: "" for a
// variable without a value. legacy is +LegacyDNStringFormat.
func Lookup(c Conn, name string, legacy bool) (string, bool) {
	if len(name) <= 4 || !strings.EqualFold(name[:4], "SSL_") {
		return "", false
	}
	v := name[4:]
	cs := c.State
	switch {
	case hasPrefix(v, "VERSION_"):
		switch v[8:] {
		case "INTERFACE":
			return Interface, true
		case "LIBRARY":
			return Library, true
		}
		return "", true
	case strings.EqualFold(v, "PROTOCOL"):
		return protocol(cs.Version), true
	case strings.EqualFold(v, "SESSION_ID"):
		return c.sessionID(), true
	case strings.EqualFold(v, "SESSION_RESUMED"):
		if cs.DidResume {
			return "Resumed", true
		}
		return "Initial", true
	case hasPrefix(v, "CIPHER"):
		return cipherVar(cs.CipherSuite, v[6:]), true
	case hasPrefix(v, "CLIENT_CERT_CHAIN_") && len(v) > 18:
		n, err := strconv.Atoi(v[18:])
		if err == nil && n >= 0 && n+1 < len(cs.PeerCertificates) && strings.Trim(v[18:], "0123456789") == "" {
			return certPEM(cs.PeerCertificates[n+1]), true
		}
		return "", true
	case strings.EqualFold(v, "CLIENT_CERT_RFC4523_CEA"):
		if p := c.peer(); p != nil && p.SerialNumber != nil {
			return "{ serialNumber " + p.SerialNumber.String() + ", issuer rdnSequence:\"" +
				formatDN(rdnsOf(p, 'I'), true) + "\" }", true
		}
		return "", true
	case strings.EqualFold(v, "CLIENT_VERIFY"):
		return c.verify(), true
	case hasPrefix(v, "CLIENT_"):
		if p := c.peer(); p != nil {
			return certVar(p, v[7:], legacy), true
		}
		return "", true
	case hasPrefix(v, "SERVER_"):
		if c.Server != nil && c.Server.Leaf != nil {
			return certVar(c.Server.Leaf, v[7:], legacy), true
		}
		return "", true
	case strings.EqualFold(v, "COMPRESS_METHOD"):
		return "NULL", true
	case strings.EqualFold(v, "TLS_SNI"):
		return cs.ServerName, true
	case strings.EqualFold(v, "SECURE_RENEG"):
		// crypto/tls answers TLS 1.2's renegotiation_info extension (and
		// never renegotiates); TLS 1.3 has none.
		if cs.Version == tls.VersionTLS12 {
			return "true", true
		}
		return "false", true
	}
	return "", true
}

// sessionIDLabel is the label SSL_SESSION_ID is exported under.
const sessionIDLabel = "EXPORTER-httpd-mpm SSL_SESSION_ID"

// sessionID is SSL_SESSION_ID, 64 hex digits when OpenSSL's session would
// have an ID, as apache2 2.4.71's: over TLS 1.3 always (OpenSSL's is 32
// random bytes of its own, new on each connection, resumed or not); over
// TLS 1.2 for a resumed session, and for a new one under an SSLSessionCache
// that no ticket carries (OpenSSL's ID is empty when it issues a ticket, or
// without a server cache). The value is not OpenSSL's: 32 bytes the
// connection exports under a label of ours (TLS 1.3, or TLS 1.2 with the
// extended master secret), else (a TLS 1.2 client without it) a hash of its
// tls-unique binding; so it is new on each connection, where OpenSSL's
// stays the same across resumptions of a TLS 1.2 session. A TLS 1.2 session
// resumed without the extended master secret has neither: "".
func (c Conn) sessionID() string {
	cs := c.State
	if cs.Version < tls.VersionTLS13 && !cs.DidResume && (c.Server == nil || !c.Server.SessionCache || c.Ticket) {
		return ""
	}
	b, err := cs.ExportKeyingMaterial(sessionIDLabel, nil, 32)
	if err != nil {
		if len(cs.TLSUnique) == 0 {
			return ""
		}
		sum := sha256.Sum256(append([]byte(sessionIDLabel), cs.TLSUnique...))
		b = sum[:]
	}
	return hex.EncodeToString(b)
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) }

// verify is SSL_CLIENT_VERIFY: NONE without a certificate, SUCCESS when it
// verified, else (optional_no_ca let it through) FAILED: and OpenSSL's
// reason.
func (c Conn) verify() string {
	p := c.peer()
	switch {
	case p == nil:
		return "NONE"
	case len(c.State.VerifiedChains) > 0:
		return "SUCCESS"
	}
	opts := x509.VerifyOptions{Roots: x509.NewCertPool(), Intermediates: x509.NewCertPool(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if c.Server != nil && c.Server.Roots != nil {
		opts.Roots = c.Server.Roots
	}
	for _, i := range c.State.PeerCertificates[1:] {
		opts.Intermediates.AddCert(i)
	}
	_, err := p.Verify(opts)
	if err == nil {
		return "SUCCESS"
	}
	return "FAILED:" + verifyError(c.State.PeerCertificates, err)
}

// verifyError is X509_verify_cert_error_string's words for why crypto/x509
// refused the client's certificates sent (the leaf first).
func verifyError(sent []*x509.Certificate, err error) string {
	p := sent[0]
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) && inv.Reason == x509.Expired {
		if time.Now().Before(p.NotBefore) {
			return "certificate is not yet valid"
		}
		return "certificate has expired"
	}
	if errors.As(err, &inv) && inv.Reason == x509.IncompatibleUsage {
		return "unsuitable certificate purpose"
	}
	if bytes.Equal(p.RawIssuer, p.RawSubject) && p.CheckSignature(p.SignatureAlgorithm, p.RawTBSCertificate, p.Signature) == nil {
		return "self-signed certificate"
	}
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		// OpenSSL's chain stops at the leaf when the client sent not its
		// issuer: X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE.
		for _, i := range sent[1:] {
			if bytes.Equal(i.RawSubject, p.RawIssuer) {
				return "unable to get local issuer certificate"
			}
		}
		return "unable to verify the first certificate"
	}
	return "certificate verify failed"
}

// verifyErrors are OpenSSL's X509_V_ERR numbers of verifyError's words.
var verifyErrors = map[string]int{
	"certificate is not yet valid": 9, "certificate has expired": 10, "self-signed certificate": 18,
	"unable to get local issuer certificate": 20, "unable to verify the first certificate": 21,
	"unsuitable certificate purpose": 26,
}

// VerifyFailure is what mod_ssl's verify callback logs of the client's
// certificates sent (the leaf first) that crypto/x509 refused with err
// (AH02039, AH02276): OpenSSL's error number (1, unspecified, for a reason
// not mapped) and X509_verify_cert_error_string's words, and the certificate
// the error is about (X509_STORE_CTX_get_current_cert): the highest one
// sent above the leaf for a missing issuer, else the leaf.
func VerifyFailure(sent []*x509.Certificate, err error) (num int, reason string, cert *x509.Certificate) {
	if len(sent) == 0 {
		return 1, "unspecified certificate verification error", nil
	}
	reason = verifyError(sent, err)
	if reason == "unable to verify the first certificate" {
		// OpenSSL's callback sees this first; the other is where its
		// verification ends when the callback forgives it (optional_no_ca).
		reason = "unable to get local issuer certificate"
	}
	num, ok := verifyErrors[reason]
	if !ok {
		num = 1
	}
	cert = sent[0]
	if num == 20 {
		for linked := true; linked; {
			linked = false
			for _, i := range sent[1:] {
				if bytes.Equal(i.RawSubject, cert.RawIssuer) && !bytes.Equal(i.RawSubject, cert.RawSubject) {
					cert, linked = i, true
					break
				}
			}
		}
	}
	return num, reason, cert
}

// CertSummary is how mod_ssl's ssl_log_cxerror describes x after a message:
// " [subject: DN / issuer: DN / serial: HEX / notbefore: TIME / notafter: TIME]",
// the DNs in RFC 2253's format.
func CertSummary(x *x509.Certificate) string {
	if x == nil {
		return " [certificate: -not available-]"
	}
	orEmpty := func(s string) string {
		if s == "" {
			return "-empty-"
		}
		return s
	}
	return " [subject: " + orEmpty(certVar(x, "S_DN", false)) + " / issuer: " + orEmpty(certVar(x, "I_DN", false)) +
		" / serial: " + serial(x) + " / notbefore: " + asn1Time(x.NotBefore) + " / notafter: " + asn1Time(x.NotAfter) + "]"
}

func protocol(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS10:
		return "TLSv1"
	}
	return "unknown"
}

// certVar is one of a certificate's variables: var is after
// "SSL_CLIENT_" or "SSL_SERVER_".
func certVar(x *x509.Certificate, v string, legacy bool) string {
	switch {
	case strings.EqualFold(v, "M_VERSION"):
		return strconv.Itoa(x.Version)
	case strings.EqualFold(v, "M_SERIAL"):
		return serial(x)
	case strings.EqualFold(v, "V_START"):
		return asn1Time(x.NotBefore)
	case strings.EqualFold(v, "V_END"):
		return asn1Time(x.NotAfter)
	case strings.EqualFold(v, "V_REMAIN"):
		d := (x.NotAfter.Unix() - time.Now().Unix()) / 86400
		return strconv.FormatInt(max(d, 0), 10)
	case len(v) == 4 && strings.EqualFold(v[1:], "_DN"):
		if rdns := rdnsOf(x, v[0]); rdns != nil {
			if legacy {
				return onelineDN(rdns)
			}
			return formatDN(rdns, false)
		}
	case len(v) > 5 && strings.EqualFold(v[1:5], "_DN_"):
		if names := dnOf(x, v[0]); names != nil {
			return dnComponent(names, v[5:])
		}
	case hasPrefix(v, "SAN_"):
		return sanVar(x, v[4:])
	case strings.EqualFold(v, "A_SIG"):
		return sigName(x.SignatureAlgorithm)
	case strings.EqualFold(v, "A_KEY"):
		return keyName(x.PublicKeyAlgorithm)
	case strings.EqualFold(v, "CERT"):
		return certPEM(x)
	}
	return ""
}

// rdnsOf is the certificate's subject (S) or issuer (I) as its RDNs.
func rdnsOf(x *x509.Certificate, which byte) pkix.RDNSequence {
	raw := x.RawSubject
	if which == 'I' || which == 'i' {
		raw = x.RawIssuer
	} else if which != 'S' && which != 's' {
		return nil
	}
	var rdns pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &rdns); err != nil {
		return nil
	}
	return rdns
}

func dnOf(x *x509.Certificate, which byte) []pkixAttr {
	switch which {
	case 'S', 's':
		return x.Subject.Names
	case 'I', 'i':
		return x.Issuer.Names
	}
	return nil
}

// sanVar is SSL_*_SAN_Email_n and SSL_*_SAN_DNS_n.
func sanVar(x *x509.Certificate, v string) string {
	var list []string
	switch {
	case hasPrefix(v, "Email_"):
		list, v = x.EmailAddresses, v[6:]
	case hasPrefix(v, "DNS_"):
		list, v = x.DNSNames, v[4:]
	default:
		return ""
	}
	if len(v) < 1 || len(v) > 4 || strings.Trim(v, "0123456789") != "" {
		return ""
	}
	n, _ := strconv.Atoi(v)
	if n < len(list) {
		return list[n]
	}
	return ""
}

// serial is OpenSSL's i2a_ASN1_INTEGER: the big-endian bytes in upper-case
// hexadecimal, "00" for zero.
func serial(x *x509.Certificate) string {
	if x.SerialNumber == nil {
		return ""
	}
	b := x.SerialNumber.Bytes()
	var sb strings.Builder
	if x.SerialNumber.Sign() < 0 {
		sb.WriteByte('-')
	}
	if len(b) == 0 {
		return "00"
	}
	const hex = "0123456789ABCDEF"
	for i, c := range b {
		if i > 0 && i%35 == 0 {
			sb.WriteString("\\\n")
		}
		sb.WriteByte(hex[c>>4])
		sb.WriteByte(hex[c&15])
	}
	return sb.String()
}

// asn1Time is OpenSSL's ASN1_TIME_print: "Nov  3 05:51:32 2026 GMT".
func asn1Time(t time.Time) string {
	return t.UTC().Format("Jan _2 15:04:05 2006 GMT")
}

func certPEM(x *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: x.Raw}))
}

func sigName(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.SHA256WithRSA:
		return "sha256WithRSAEncryption"
	case x509.SHA384WithRSA:
		return "sha384WithRSAEncryption"
	case x509.SHA512WithRSA:
		return "sha512WithRSAEncryption"
	case x509.SHA1WithRSA:
		return "sha1WithRSAEncryption"
	case x509.SHA256WithRSAPSS, x509.SHA384WithRSAPSS, x509.SHA512WithRSAPSS:
		return "rsassaPss"
	case x509.ECDSAWithSHA256:
		return "ecdsa-with-SHA256"
	case x509.ECDSAWithSHA384:
		return "ecdsa-with-SHA384"
	case x509.ECDSAWithSHA512:
		return "ecdsa-with-SHA512"
	case x509.ECDSAWithSHA1:
		return "ecdsa-with-SHA1"
	case x509.PureEd25519:
		return "ED25519"
	}
	return "UNKNOWN"
}

func keyName(a x509.PublicKeyAlgorithm) string {
	switch a {
	case x509.RSA:
		return "rsaEncryption"
	case x509.ECDSA:
		return "id-ecPublicKey"
	case x509.Ed25519:
		return "ED25519"
	}
	return "UNKNOWN"
}

// cipherVar is SSL_CIPHER (rest ""), SSL_CIPHER_EXPORT, _USEKEYSIZE and
// _ALGKEYSIZE.
func cipherVar(id uint16, rest string) string {
	bits := cipherBits(id)
	switch {
	case rest == "":
		return CipherName(id)
	case strings.EqualFold(rest, "_EXPORT"):
		if bits < 56 {
			return "true"
		}
		return "false"
	case strings.EqualFold(rest, "_USEKEYSIZE"), strings.EqualFold(rest, "_ALGKEYSIZE"):
		return strconv.Itoa(bits)
	}
	return ""
}

// Source is the server whose certificate a handshake sent for the client's
// SNI.
type Source func(sni string) *Server

// Handshake is what an MPM attaches to a TLS connection (http1's
// SetTLSInfo), mod_ssl's SSLConnRec as far as the variables go; one per
// connection.
type Handshake struct {
	Source Source
	// Ticket reports that the handshake sends the client a TLS 1.2 session
	// ticket: it offered the extension and SSLSessionTickets is on (set
	// from the ClientHello, see TicketOffered).
	Ticket bool
}

// extensionSessionTicket is the session_ticket extension's number (RFC 5077).
const extensionSessionTicket = 35

// TicketOffered reports whether hello offers a TLS 1.2 session ticket
// extension, which crypto/tls answers with a ticket unless
// SessionTicketsDisabled.
func TicketOffered(hello *tls.ClientHelloInfo) bool {
	return slices.Contains(hello.Extensions, extensionSessionTicket)
}

// LegacyDN reports whether r's directory has SSLOptions
// +LegacyDNStringFormat (as SetOptions kept it).
func LegacyDN(r *http.Request) bool {
	return Options(http1.TLSOptions(r))&LegacyDNStringFormat != 0
}

// SetOptions keeps o as the SSLOptions of r's directory, which the
// variables read through Lookup for r (ap_expr's) follow.
func SetOptions(r *http.Request, o Options) { http1.SetTLSOptions(r, uint8(o)) }

// Var is mod_ssl's variable name (SSL_*) for r, its DNs in the format of
// r's SSLOptions: "" without a value, and on a plain connection.
func Var(r *http.Request, name string) string {
	c, ok := FromRequest(r)
	if !ok {
		return ""
	}
	v, _ := Lookup(c, name, LegacyDN(r))
	return v
}

// FromRequest is the TLS connection r came on, false for a plain one.
func FromRequest(r *http.Request) (Conn, bool) {
	if r == nil || r.TLS == nil {
		return Conn{}, false
	}
	c := Conn{State: r.TLS}
	if hc := http1.ConnFromRequest(r); hc != nil {
		if h, ok := hc.TLSInfo().(*Handshake); ok {
			c.Server = h.Source(r.TLS.ServerName)
			c.Ticket = h.Ticket
		}
	}
	return c, true
}
