package sslvars

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
)

// TestSettingMerge: SSLOptions' words and mod_ssl's per-directory merge.
func TestSettingMerge(t *testing.T) {
	parse := func(words ...string) Setting {
		var s Setting
		if err := s.Parse(words); err != nil {
			t.Fatal(err)
		}
		return s
	}
	server := parse("+StdEnvVars")
	for _, c := range []struct {
		dir  []string
		want Options
	}{
		{[]string{"+ExportCertData"}, StdEnvVars | ExportCertData},
		{[]string{"ExportCertData"}, ExportCertData}, // absolute: the server's are gone
		{[]string{"-StdEnvVars"}, 0},
		{[]string{"StdEnvVars", "-StdEnvVars", "+FakeBasicAuth"}, FakeBasicAuth},
	} {
		if got := parse(c.dir...).Merge(server).Set; got != c.want {
			t.Errorf("%v over +StdEnvVars: %b, want %b", c.dir, got, c.want)
		}
	}
	var s Setting
	if err := s.Parse([]string{"+Bogus"}); err == nil || err.Error() != "SSLOptions: Illegal option 'Bogus'" {
		t.Errorf("+Bogus: %v", err)
	}
}

// TestFormatDN: RFC 2253's escapes as X509_NAME_print_ex makes them,
// without (SSL_*_DN) and with ASN1_STRFLGS_ESC_MSB, multi-valued RDNs
// reversed with '+': the strings `openssl x509 -nameopt RFC2253,-esc_msb`
// and `-nameopt RFC2253` print for this name.
func TestFormatDN(t *testing.T) {
	cn, ou := asn1.ObjectIdentifier{2, 5, 4, 3}, asn1.ObjectIdentifier{2, 5, 4, 11}
	rdns := pkix.RDNSequence{
		{{Type: ou, Value: "a"}, {Type: ou, Value: "b"}},
		{{Type: cn, Value: " #x, \"y\"+<z>;\\\x01é€ "}},
	}
	if got, want := formatDN(rdns, false), `CN=\ #x\, \"y\"\+\<z\>\;\\\01é€\ ,OU=b+OU=a`; got != want {
		t.Errorf("formatDN:\n got %s\nwant %s", got, want)
	}
	if got, want := formatDN(rdns, true), `CN=\ #x\, \"y\"\+\<z\>\;\\\01\C3\A9\E2\82\AC\ ,OU=b+OU=a`; got != want {
		t.Errorf("formatDN escMSB:\n got %s\nwant %s", got, want)
	}
}
