package sslvars

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

type pkixAttr = pkix.AttributeTypeAndValue

// dnRec is mod_ssl's ssl_var_lookup_ssl_cert_dn_rec: the DN component
// names of SSL_*_DN_x, and whether +StdEnvVars exports them.
var dnRec = []struct {
	name    string
	oid     asn1.ObjectIdentifier
	extract bool
}{
	{"C", oid(2, 5, 4, 6), true},
	{"ST", oid(2, 5, 4, 8), true},
	{"SP", oid(2, 5, 4, 8), false},
	{"L", oid(2, 5, 4, 7), true},
	{"O", oid(2, 5, 4, 10), true},
	{"OU", oid(2, 5, 4, 11), true},
	{"CN", oid(2, 5, 4, 3), true},
	{"T", oid(2, 5, 4, 12), true},
	{"I", oid(2, 5, 4, 43), true},
	{"G", oid(2, 5, 4, 42), true},
	{"S", oid(2, 5, 4, 4), true},
	{"D", oid(2, 5, 4, 13), true},
	{"UID", oid(0, 9, 2342, 19200300, 100, 1, 1), true},
	{"Email", oid(1, 2, 840, 113549, 1, 9, 1), true},
}

func oid(n ...int) asn1.ObjectIdentifier { return n }

// shortNames are OpenSSL's short names of the attributes (OBJ_nid2sn), which
// X509_NAME_print_ex prints; another is printed as its dotted OID.
var shortNames = []struct {
	oid  asn1.ObjectIdentifier
	name string
}{
	{oid(2, 5, 4, 3), "CN"}, {oid(2, 5, 4, 6), "C"}, {oid(2, 5, 4, 7), "L"}, {oid(2, 5, 4, 8), "ST"},
	{oid(2, 5, 4, 10), "O"}, {oid(2, 5, 4, 11), "OU"}, {oid(2, 5, 4, 12), "title"}, {oid(2, 5, 4, 13), "description"},
	{oid(2, 5, 4, 4), "SN"}, {oid(2, 5, 4, 42), "GN"}, {oid(2, 5, 4, 43), "initials"}, {oid(2, 5, 4, 5), "serialNumber"},
	{oid(2, 5, 4, 9), "street"}, {oid(2, 5, 4, 17), "postalCode"}, {oid(2, 5, 4, 41), "name"},
	{oid(2, 5, 4, 44), "generationQualifier"}, {oid(2, 5, 4, 46), "dnQualifier"}, {oid(2, 5, 4, 65), "pseudonym"},
	{oid(2, 5, 4, 15), "businessCategory"}, {oid(1, 2, 840, 113549, 1, 9, 1), "emailAddress"},
	{oid(0, 9, 2342, 19200300, 100, 1, 1), "UID"}, {oid(0, 9, 2342, 19200300, 100, 1, 25), "DC"},
}

func shortName(o asn1.ObjectIdentifier) string {
	for _, s := range shortNames {
		if o.Equal(s.oid) {
			return s.name
		}
	}
	return o.String()
}

// formatDN is X509_NAME_print_ex with XN_FLAG_RFC2253 (escMSB: with
// ASN1_STRFLGS_ESC_MSB, as modssl_X509_NAME_to_string; mod_ssl's SSL_*_DN
// clear it): the RDNs last first, "," between them, "+" within one.
func formatDN(rdns pkix.RDNSequence, escMSB bool) string {
	var sb strings.Builder
	// XN_FLAG_DN_REV reverses the attributes one by one, those of a
	// multi-valued RDN too.
	for i := len(rdns) - 1; i >= 0; i-- {
		for j := len(rdns[i]) - 1; j >= 0; j-- {
			switch {
			case j < len(rdns[i])-1:
				sb.WriteByte('+')
			case i < len(rdns)-1:
				sb.WriteByte(',')
			}
			formatAttr(&sb, rdns[i][j], escMSB)
		}
	}
	return sb.String()
}

// formatAttr is one "type=value" of formatDN; a value that is no string is
// its DER in hexadecimal (ASN1_STRFLGS_DUMP_UNKNOWN).
func formatAttr(sb *strings.Builder, a pkixAttr, escMSB bool) {
	sb.WriteString(shortName(a.Type))
	sb.WriteByte('=')
	s, ok := a.Value.(string)
	if !ok {
		der, _ := asn1.Marshal(a.Value)
		sb.WriteString("#" + strings.ToUpper(hex.EncodeToString(der)))
		return
	}
	escape2253(sb, s, escMSB)
}

// escape2253 is OpenSSL's do_esc_char with ASN1_STRFLGS_ESC_2253 and
// ASN1_STRFLGS_ESC_CTRL.
func escape2253(sb *strings.Builder, s string, escMSB bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case strings.IndexByte(",+\"\\<>;", c) >= 0,
			c == '#' && i == 0, c == ' ' && (i == 0 || i == len(s)-1):
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			sb.WriteString("\\" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		case c >= 0x80 && escMSB:
			// UTF8_CONVERT first: each byte of the UTF-8, as openssl x509
			// -nameopt RFC2253 prints it.
			fmt.Fprintf(sb, "\\%02X", c)
		default:
			sb.WriteByte(c)
		}
	}
}

// onelineDN is X509_NAME_oneline (+LegacyDNStringFormat): "/C=DE/CN=x",
// each value's bytes as OpenSSL writes them: "/" and "+" after a
// backslash, a byte outside ' '..'~' as \xHH.
func onelineDN(rdns pkix.RDNSequence) string {
	var sb strings.Builder
	for _, rdn := range rdns {
		for j, a := range rdn {
			sep := "/"
			if j > 0 {
				sep = "+"
			}
			sb.WriteString(sep + shortName(a.Type) + "=")
			s, ok := a.Value.(string)
			if !ok {
				sb.WriteString(entryString(a.Value))
				continue
			}
			for i := 0; i < len(s); i++ {
				switch c := s[i]; {
				case c < ' ' || c > '~':
					fmt.Fprintf(&sb, "\\x%02X", c)
				case c == '/' || c == '+':
					sb.WriteByte('\\')
					sb.WriteByte(c)
				default:
					sb.WriteByte(c)
				}
			}
		}
	}
	return sb.String()
}

// entryString is modssl_X509_NAME_ENTRY_to_string: UTF-8, control
// characters and the backslash escaped.
func entryString(v any) string {
	s, ok := v.(string)
	if !ok {
		der, _ := asn1.Marshal(v)
		return "#" + strings.ToUpper(hex.EncodeToString(der))
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f:
			sb.WriteString("\\" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		case c == '\\':
			sb.WriteString(`\\`)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// dnComponent is SSL_*_DN_x: the attribute named x (dnRec), "_n" for the
// nth of them, "_RAW" accepted (crypto/x509 has converted the strings).
func dnComponent(names []pkixAttr, v string) string {
	v = strings.TrimSuffix(v, "_RAW")
	idx := 0
	if i := strings.IndexByte(v, '_'); i >= 0 && strings.Trim(v[i+1:], "0123456789") == "" {
		idx, _ = strconv.Atoi(v[i+1:])
		v = v[:i]
	}
	for _, r := range dnRec {
		if r.name != v {
			continue
		}
		for _, a := range names {
			if a.Type.Equal(r.oid) {
				if idx == 0 {
					return entryString(a.Value)
				}
				idx--
			}
		}
		break
	}
	return ""
}
