package config

import (
	"crypto/tls"
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// SSL is a server's mod_ssl lines (PerServer: a <VirtualHost>'s over the main
// server's, as mod_ssl merges them). Paths are as written; the host reads them.
type SSL struct {
	Engine bool
	// The lines of SSLCertificateFile, SSLCertificateKeyFile and
	// SSLCertificateChainFile (the last of each), nil without.
	CertificateFile, CertificateKeyFile, CertificateChainFile *Directive
	// MinVersion and MaxVersion are SSLProtocol's as crypto/tls versions (0:
	// crypto/tls's default).
	MinVersion, MaxVersion uint16
	HonorCipherOrder       bool
	// CipherSuite is the last SSLCipherSuite line for TLS 1.2 (one argument,
	// or "SSL" first), nil without.
	CipherSuite *Directive
	// VerifyClient is SSLVerifyClient (VerifyNone without), VerifyDepth
	// SSLVerifyDepth (-1 without: mod_ssl's default, 1).
	VerifyClient   VerifyClient
	VerifyDepth    int
	VerifyDepthSet bool
	// CACertificateFile and CACertificatePath are the last such lines, nil
	// without.
	CACertificateFile, CACertificatePath *Directive
	// SessionCache is an SSLSessionCache other than "none" (mod_ssl's
	// sessions then have IDs); mod_ssl reads the line globally, so the main
	// server's counts. SessionTicketsOff is SSLSessionTickets off.
	SessionCache, SessionTicketsOff bool
}

// VerifyClient is an SSLVerifyClient level.
type VerifyClient int

const (
	VerifyNone VerifyClient = iota
	VerifyOptional
	VerifyRequire
	VerifyOptionalNoCA
)

// ParseVerifyClient reads SSLVerifyClient's argument as mod_ssl's
// ssl_cmd_verify_parse (case-insensitive).
func ParseVerifyClient(arg string) (VerifyClient, error) {
	switch strings.ToLower(arg) {
	case "none", "off":
		return VerifyNone, nil
	case "optional":
		return VerifyOptional, nil
	case "require", "on":
		return VerifyRequire, nil
	case "optional_no_ca":
		return VerifyOptionalNoCA, nil
	}
	return 0, errors.New("SSLVerifyClient: Invalid argument '" + arg + "'")
}

// parseVerifyDepth reads SSLVerifyDepth's argument as mod_ssl (atoi, at
// least 0).
func parseVerifyDepth(arg string) (int, error) {
	n := atoi(arg)
	if n < 0 {
		return 0, errors.New("SSLVerifyDepth: Invalid argument '" + arg + "'")
	}
	return n, nil
}

// checkVerifyClient is SSLVerifyClient's Check.
func checkVerifyClient(args []string) error {
	_, err := ParseVerifyClient(args[0])
	return err
}

// checkVerifyDepth is SSLVerifyDepth's Check.
func checkVerifyDepth(args []string) error {
	_, err := parseVerifyDepth(args[0])
	return err
}

// serverOnlySSL is the Within of mod_ssl's lines that crypto/tls can apply
// only at the handshake: in a <Directory>, <Location> or <Files> section
// apache2 renegotiates (TLS 1.2) or asks after the handshake (TLS 1.3), and
// crypto/tls's server does neither; the CA lines apache2 refuses there itself.
func serverOnlySSL(name string) func([]string) error {
	return func(enclosing []string) error {
		for _, e := range enclosing {
			if strings.EqualFold(e, "VirtualHost") {
				continue
			}
			if strings.HasPrefix(strings.ToLower(name), "sslca") {
				return errors.New("Your SSL library does not have support for per-directory CA")
			}
			return errors.New(name + " in <" + e + "> is not supported by httpd-mpm: " +
				"crypto/tls can neither renegotiate nor ask for a client certificate after the handshake")
		}
		return nil
	}
}

// applySSL takes in d if it is one of SSL's directives.
func (s *SSL) apply(d *Directive) bool {
	a := d.Args
	one := len(a) == 1
	switch strings.ToLower(d.Name) {
	case "sslengine":
		if one {
			s.Engine = strings.EqualFold(a[0], "on")
		}
	case "sslcertificatefile":
		s.CertificateFile = d
	case "sslcertificatekeyfile":
		s.CertificateKeyFile = d
	case "sslcertificatechainfile":
		s.CertificateChainFile = d
	case "sslprotocol":
		if lo, hi, err := SSLProtocolVersions(a); err == nil {
			s.MinVersion, s.MaxVersion = lo, hi
		}
	case "sslhonorcipherorder":
		if one {
			s.HonorCipherOrder = strings.EqualFold(a[0], "on")
		}
	case "sslciphersuite":
		if one || strings.EqualFold(a[0], "SSL") {
			s.CipherSuite = d
		}
		// "TLSv1.3 ...": accepted, crypto/tls has its own TLS 1.3 suites.
	case "sslverifyclient":
		if one {
			if v, err := ParseVerifyClient(a[0]); err == nil {
				s.VerifyClient = v
			}
		}
	case "sslverifydepth":
		if one {
			if n, err := parseVerifyDepth(a[0]); err == nil {
				s.VerifyDepth, s.VerifyDepthSet = n, true
			}
		}
	case "sslcacertificatefile":
		s.CACertificateFile = d
	case "sslcacertificatepath":
		s.CACertificatePath = d
	case "sslsessioncache":
		if one {
			s.SessionCache = !strings.EqualFold(a[0], "none")
		}
	case "sslsessiontickets":
		if one {
			s.SessionTicketsOff = strings.EqualFold(a[0], "off")
		}
	case "sslsessioncachetimeout", "sslrandomseed", "sslpassphrasedialog":
		// Accepted: crypto/tls keeps no session cache.
	default:
		return false
	}
	return true
}

// sslVersions are SSLProtocol's names crypto/tls has, lowest first.
var sslVersions = []struct {
	name string
	v    uint16
}{{"tlsv1", tls.VersionTLS10}, {"tlsv1.1", tls.VersionTLS11}, {"tlsv1.2", tls.VersionTLS12}, {"tlsv1.3", tls.VersionTLS13}}

// SSLProtocolVersions reads SSLProtocol's words as mod_ssl does ("all
// -SSLv3", "+TLSv1.3", "TLSv1.2 TLSv1.3") into the lowest and highest
// version enabled. SSLv3 is accepted and never enabled (crypto/tls has none),
// and nor are TLSv1 and TLSv1.1, which Debian's OpenSSL refuses at its default
// security level: "all" is TLSv1.2 and TLSv1.3. Errors are mod_ssl's words.
func SSLProtocolVersions(args []string) (lo, hi uint16, err error) {
	on := map[uint16]bool{}
	for _, w := range args {
		op := byte(0)
		if w != "" && (w[0] == '+' || w[0] == '-') {
			op, w = w[0], w[1:]
		}
		var set []uint16
		switch lw := strings.ToLower(w); lw {
		case "all":
			for _, v := range sslVersions {
				set = append(set, v.v)
			}
		case "sslv3":
		default:
			found := false
			for _, v := range sslVersions {
				if v.name == lw {
					set, found = append(set, v.v), true
				}
			}
			if !found {
				return 0, 0, errors.New("SSLProtocol: Illegal protocol '" + w + "'")
			}
		}
		if op == 0 {
			clear(on)
		}
		for _, v := range set {
			on[v] = op != '-'
		}
	}
	for _, v := range sslVersions {
		if on[v.v] && v.v >= tls.VersionTLS12 {
			if lo == 0 {
				lo = v.v
			}
			hi = v.v
		}
	}
	if lo == 0 {
		return 0, 0, errors.New("SSLProtocol: no protocol left that crypto/tls serves (TLSv1.2, TLSv1.3)")
	}
	return lo, hi, nil
}

// SSLFiles are a server's certificate (SSLCertificateFile's PEM blocks, then
// SSLCertificateChainFile's) and key, read and checked by ReadSSL.
type SSLFiles struct {
	Certificate, Key []byte
	// CACertificates are SSLCACertificateFile's PEM blocks and those of the
	// files in SSLCACertificatePath, nil without either.
	CACertificates []byte
}

// ReadSSL reads the files of a server with SSLEngine on (root resolves
// relative paths; name is the server as mod_ssl names it, "host:port"; at is
// the <VirtualHost> line, nil for the main server) and checks that they parse
// and that the key is the certificate's, as mod_ssl does at start. Errors are
// mod_ssl's words at the line concerned; checked names the lines already
// reported (a main server's line inherited by virtual hosts is reported once).
func (s SSL) ReadSSL(root, name string, at *Directive, checked map[*Directive]bool) (SSLFiles, []Diagnostic) {
	var f SSLFiles
	var errs []Diagnostic
	read := func(d *Directive) []byte {
		if d == nil || len(d.Args) != 1 {
			return nil
		}
		b, err := readSSLFile(absPath(root, d.Args[0]))
		if err != nil && !checked[d] {
			checked[d] = true
			errs = append(errs, d.diag(d.Name+": file '"+absPath(root, d.Args[0])+"' does not exist or is empty"))
		}
		return b
	}
	cert, key, chain := read(s.CertificateFile), read(s.CertificateKeyFile), read(s.CertificateChainFile)
	f.CACertificates = read(s.CACertificateFile)
	if d := s.CACertificatePath; d != nil && len(d.Args) == 1 {
		b, err := readCADir(absPath(root, d.Args[0]))
		if err != nil && !checked[d] {
			checked[d] = true
			errs = append(errs, d.diag(d.Name+": directory '"+absPath(root, d.Args[0])+"' does not exist"))
		}
		f.CACertificates = append(f.CACertificates, b...)
	}
	if len(errs) > 0 {
		return f, errs
	}
	if s.CertificateFile == nil {
		msg := "AH02572: Failed to configure at least one certificate and key for " + name
		if at == nil {
			return f, []Diagnostic{{Message: msg}}
		}
		return f, []Diagnostic{at.diag(msg)}
	}
	keyLine := s.CertificateKeyFile
	if key == nil {
		key, keyLine = cert, s.CertificateFile // the key may be in the certificate's file
	}
	if _, err := tls.X509KeyPair(cert, key); err != nil {
		if checked[keyLine] {
			return f, nil
		}
		checked[keyLine] = true
		msg := "AH02565: Certificate and private key " + name + ":0 from " + absPath(root, s.CertificateFile.Args[0]) +
			" and " + absPath(root, keyLine.Args[0]) + " do not match"
		if !strings.Contains(err.Error(), "does not match") {
			msg = "AH02572: Failed to configure at least one certificate and key for " + name + ": " + err.Error()
		}
		return f, []Diagnostic{keyLine.diag(msg)}
	}
	f.Certificate, f.Key = cert, key
	if chain != nil {
		f.Certificate = append(append(append([]byte(nil), cert...), '\n'), chain...)
	}
	return f, nil
}

// readSSLFile reads a certificate or key file; empty is an error, as mod_ssl's
// ssl_util_path_check.
func readSSLFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(b) == 0 {
		err = errors.New("empty")
	}
	return b, err
}

// readCADir is the PEM of the regular files in an SSLCACertificatePath
// directory, each followed by a newline (OpenSSL looks its hashed names up
// there; reading every file trusts the same certificates).
func readCADir(dir string) ([]byte, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []byte
	for _, e := range ents {
		if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
			out = append(append(out, b...), '\n')
		}
	}
	return out, nil
}
