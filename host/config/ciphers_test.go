package config

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/httpd-mpm/httpd-mpm/mpm/sslvars"
)

// TestSSLCipherSuites compares SSLCipherSuites with the openssl tool's reading
// of the same strings, restricted to the suites crypto/tls has.
func TestSSLCipherSuites(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("no openssl")
	}
	for _, spec := range []string{
		"HIGH:!aNULL", "HIGH:!aNULL:!MD5", "ECDHE+AESGCM", "ECDHE+AESGCM:ECDHE+CHACHA20", "DEFAULT", "ALL",
		"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384", "ALL:-AES128:AES128+aRSA", "ALL:!AES128:AES128+aRSA",
		"EECDH+AESGCM:EDH+AESGCM", "aNULL", "DHE-RSA-AES128-GCM-SHA256", "kRSA", "RSA", "aRSA:!SHA1", "AES256:@STRENGTH", "HIGH:!kRSA:!SHA1:!SHA256", "ECDSA+SHA256",
	} {
		out, err := exec.Command("openssl", "ciphers", "-s", "-tls1_2", spec).Output()
		var want []string
		if err == nil {
			for n := range strings.SplitSeq(strings.TrimSpace(string(out)), ":") {
				if slices.ContainsFunc(ciphers, func(c cipher) bool { return sslvars.CipherName(c.id) == n }) {
					want = append(want, n)
				}
			}
		}
		var got []string
		for _, id := range SSLCipherSuites(spec) {
			got = append(got, sslvars.CipherName(id))
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%q:\n  openssl: %v\n  ours:    %v", spec, want, got)
		}
	}
}
