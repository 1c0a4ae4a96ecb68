package config

import (
	"crypto/tls"
	"strings"

	"github.com/httpd-mpm/httpd-mpm/mpm/sslvars"
)

// cipher is a TLS 1.2 suite crypto/tls has and the OpenSSL aliases that
// select it (key exchange, authentication, encryption, MAC, strength); its
// OpenSSL name is sslvars.CipherName's.
type cipher struct {
	id      uint16
	aliases string
}

// ciphers are crypto/tls's TLS 1.2 suites that Debian's OpenSSL also has (no
// 3DES, no RC4), in crypto/tls's order.
var ciphers = []cipher{
	{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "kECDHE aECDSA AESGCM AES128 AEAD TLSv1.2 HIGH"},
	{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "kECDHE aRSA AESGCM AES128 AEAD TLSv1.2 HIGH"},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "kECDHE aECDSA AESGCM AES256 AEAD TLSv1.2 HIGH"},
	{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "kECDHE aRSA AESGCM AES256 AEAD TLSv1.2 HIGH"},
	{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "kECDHE aECDSA CHACHA20 AEAD TLSv1.2 HIGH"},
	{tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "kECDHE aRSA CHACHA20 AEAD TLSv1.2 HIGH"},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "kECDHE aECDSA AES AES128 SHA1 SSLv3 HIGH"},
	{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, "kECDHE aRSA AES AES128 SHA1 SSLv3 HIGH"},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, "kECDHE aECDSA AES AES256 SHA1 SSLv3 HIGH"},
	{tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "kECDHE aRSA AES AES256 SHA1 SSLv3 HIGH"},
	{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, "kRSA aRSA AESGCM AES128 AEAD TLSv1.2 HIGH"},
	{tls.TLS_RSA_WITH_AES_256_GCM_SHA384, "kRSA aRSA AESGCM AES256 AEAD TLSv1.2 HIGH"},
	{tls.TLS_RSA_WITH_AES_128_CBC_SHA, "kRSA aRSA AES AES128 SHA1 SSLv3 HIGH"},
	{tls.TLS_RSA_WITH_AES_256_CBC_SHA, "kRSA aRSA AES AES256 SHA1 SSLv3 HIGH"},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, "kECDHE aECDSA AES AES128 SHA256 TLSv1.2 HIGH"},
	{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, "kECDHE aRSA AES AES128 SHA256 TLSv1.2 HIGH"},
	{tls.TLS_RSA_WITH_AES_128_CBC_SHA256, "kRSA aRSA AES AES128 SHA256 TLSv1.2 HIGH"},
}

// cipherAlias is OpenSSL's other spellings of the aliases above.
var cipherAlias = map[string]string{
	"ecdhe": "kECDHE", "eecdh": "kECDHE", "keecdh": "kECDHE", "ecdh": "kECDHE", "kecdh": "kECDHE",
	"ecdsa": "aECDSA", "rsa": "kRSA", "aesccm": "", "sha": "SHA1", "chacha20-poly1305": "CHACHA20",
}

// cipherMatch reports whether c is selected by a word of an SSLCipherSuite
// string: an OpenSSL cipher name, ALL, DEFAULT, an alias, or aliases joined
// by '+' (each must match). A word OpenSSL has and crypto/tls does not
// (aNULL, DHE, CAMELLIA, ...) matches nothing.
func cipherMatch(c cipher, word string) bool {
	if strings.EqualFold(word, sslvars.CipherName(c.id)) {
		return true
	}
	for _, a := range strings.Split(word, "+") {
		switch la := strings.ToLower(a); la {
		case "all", "default", "complementofall":
			// OpenSSL's DEFAULT is ALL without the aNULL and eNULL suites, which
			// crypto/tls has not.
			if la == "complementofall" {
				return false
			}
		default:
			if r, ok := cipherAlias[la]; ok {
				a = r
			}
			if a == "" || !hasField(c.aliases, a) {
				return false
			}
		}
	}
	return true
}

// hasField reports whether the space-separated list has w (OpenSSL's aliases
// are case-sensitive: aRSA, not ARSA).
func hasField(list, w string) bool {
	for f := range strings.FieldsSeq(list) {
		if f == w {
			return true
		}
	}
	return false
}

// SSLCipherSuites reads an SSLCipherSuite string for TLS 1.2 as OpenSSL's
// cipher list ("HIGH:!aNULL", "ECDHE+AESGCM:ECDHE+CHACHA20", explicit names)
// into the suites crypto/tls has, in crypto/tls's order (crypto/tls orders
// them itself: '+' moves and @STRENGTH do nothing). Words are separated by
// ':', ',' or spaces; '-' drops suites a later word may add again, '!' drops
// them for good. None left is OpenSSL's "no cipher match".
func SSLCipherSuites(spec string) []uint16 {
	on, never := map[uint16]bool{}, map[uint16]bool{}
	for _, w := range strings.FieldsFunc(spec, func(r rune) bool { return r == ':' || r == ',' || r == ' ' }) {
		op := byte(0)
		if w[0] == '!' || w[0] == '-' || w[0] == '+' {
			op, w = w[0], w[1:]
		}
		if op == '+' || strings.HasPrefix(w, "@") {
			continue
		}
		for _, c := range ciphers {
			if !cipherMatch(c, w) {
				continue
			}
			switch op {
			case '!':
				never[c.id], on[c.id] = true, false
			case '-':
				on[c.id] = false
			default:
				on[c.id] = !never[c.id]
			}
		}
	}
	var out []uint16
	for _, c := range ciphers {
		if on[c.id] {
			out = append(out, c.id)
		}
	}
	return out
}

// CipherSuites is the TLS 1.2 suites of s's SSLCipherSuite, nil (crypto/tls's
// default) without one. A string that selects none of crypto/tls's suites is
// an error at its line, in mod_ssl's words for a string OpenSSL matches
// nothing with.
func (s SSL) CipherSuites() ([]uint16, []Diagnostic) {
	if s.CipherSuite == nil {
		return nil, nil
	}
	a := s.CipherSuite.Args
	out := SSLCipherSuites(a[len(a)-1])
	if len(out) == 0 {
		return nil, []Diagnostic{s.CipherSuite.diag("AH01898: Unable to configure permitted SSL ciphers: " +
			"no TLS 1.2 cipher suite of crypto/tls in \"" + a[len(a)-1] + "\"")}
	}
	return out, nil
}
