package authn

import (
	"crypto/sha1"
	"encoding/base64"
	"testing"
)

// Hashes written by apache2-utils 2.4.71's htpasswd (-m, -B, -s, -2, -5, and
// -2/-5 with -r for explicit rounds) and by glibc's crypt(3) ($1$), each for
// the password "p@ss w:rd".
var htpasswdVectors = []struct{ name, hash string }{
	{"apr1", "$apr1$mLzbCoPY$loQ4FInkacMDttQHkgKdX."},
	{"bcrypt", "$2y$05$RcHpUd3./eQ/woxdZtOUWOEWe55z1SNutiZo8PFouX1.S8/QAgkfq"},
	{"sha1", "{SHA}rmQM73Md8U/Twgoxi7nWP3N4gUM="},
	{"sha256", "$5$zawmmR5K9NmgQaQJ$oUc.Eu6mjnYeMrQ8mwalwAHayuh97rd/Mu.aJoN6NC7"},
	{"sha512", "$6$pCHCRwveuSXuLPRL$YPc6vZgQ4FRO6qZn3zIun3C5D5aeQAHIOAur64KKf5C6OSWOngBMbwBRdNRwQ4hNBWaJCyszPvuc1zFpFM6dV1"},
}

func TestMatchHtpasswd(t *testing.T) {
	for _, v := range htpasswdVectors {
		if !Match("p@ss w:rd", v.hash) {
			t.Errorf("%s: the right password does not match %s", v.name, v.hash)
		}
		for _, wrong := range []string{"", "p@ss w:rD", "p@ss w:rd ", "p@ss"} {
			if Match(wrong, v.hash) {
				t.Errorf("%s: %q matches %s", v.name, wrong, v.hash)
			}
		}
	}
}

// Longer and empty passwords, explicit rounds, truncated salts, $1$ and the
// SHA-crypt specification's own examples (htpasswd -r, openssl passwd).
func TestMatchVectors(t *testing.T) {
	const long = "a very long password that is longer than sixty-four bytes, to wrap the digests twice!"
	for _, v := range []struct{ password, hash string }{
		{long, "$5$rounds=1000$SKWPyEmXCaFR6XrW$ZC0zApSpv4V8cUapIrPkBk5PdEcMR86urmtmaZ8g3i2"},
		{long, "$6$rounds=12345$M1Dd4aZABBOz5b.D$sToW8rdko.u8sOoxbtcCFjvQ9yCtDYBgqZtLKVfyjIVkGZNt5B6B/XOQmI.JxlIsf5psGnL0Epgxr9/vLzWP01"},
		{long, "$apr1$DC3CAGfp$PZc2aHtNfZmnpZEolZ5Oi/"},
		{long, "$1$abcdefgh$nulAOodcXSEbXDqrQKphM0"},
		{long, "$2y$04$cZUhH5Y63ky2k/JDCEdhaeTmz2aCvFX89GbztGx9OLp1hnYKMm1Si"},
		{"", "$apr1$NVOui2KJ$Owbtus0vNbOSaxiQsy/mo/"},
		{"", "$6$xrSL6rLr1ZOZe.fn$Rp824/D7JgbDgqO4KI3DqUuQqVbC0nOmhe.Vr8Ycyvgw85GmZzhaPglBFZf0FrMbQvH0B38Jrrmi4cz/AFn8./"},
		{"", "$5$PthQ3QO0obWtai30$ipb5pI/fsKQR/pizGO1.qlOhkOjDL1XisRL/VnGkCz2"},
		{"", "$1$x$fwjfZtMwarkdetsjiQreU1"},
		{"Hello world!", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"},
		{"Hello world!", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"},
		{"x", "$6$toolongsaltstrin$m5UCdGkMg16fnZB/afayhHcFYEQvnTRoKod8GIJKB0rGGl9IQGUPKeGHHw5xPOFVPjhTAcuzioT6ZcDqsMKJ80"},
	} {
		if !Match(v.password, v.hash) {
			t.Errorf("%q does not match %s", v.password, v.hash)
		}
		if Match("x"+v.password, v.hash) { // bcrypt reads 72 bytes only
			t.Errorf("%q matches %s", "x"+v.password, v.hash)
		}
	}
}

// TestMatchRefuses: what apache2 on Linux never accepts.
func TestMatchRefuses(t *testing.T) {
	for _, v := range []struct{ password, hash string }{
		{"secret", "secret"},          // plaintext (htpasswd -p)
		{"", ""},                      // an empty field
		{"x", "$5$rounds=x$salt$abc"}, // a bad rounds
		{"x", "$y$j9T$salt$abcdefghijklmnopqrstuvwxyz"}, // yescrypt
	} {
		if Match(v.password, v.hash) {
			t.Errorf("%q matches %q", v.password, v.hash)
		}
	}
}

func sha1b64(s string) string {
	sum := sha1.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}
