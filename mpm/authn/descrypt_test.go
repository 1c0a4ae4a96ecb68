package authn

import (
	"crypto/des"
	"math/rand/v2"
	"testing"
)

// desEncrypt without a salt is DES: it agrees with crypto/des.
func TestDESBlock(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		var key, in [8]byte
		for i := range 8 {
			key[i], in[i] = byte(rng.Uint32()), byte(rng.Uint32())
		}
		c, err := des.NewCipher(key[:])
		if err != nil {
			t.Fatal(err)
		}
		var want [8]byte
		c.Encrypt(want[:], in[:])
		kb, block := toBits(key), toBits(in)
		ks := desKeys(&kb)
		e := desE
		desEncrypt(&block, &ks, &e)
		if got := fromBits(block); got != want {
			t.Fatalf("key %x block %x: %x, crypto/des %x", key, in, got, want)
		}
	}
}

func toBits(b [8]byte) (out bits) {
	for i := range 64 {
		out[i] = b[i/8] >> (7 - i%8) & 1
	}
	return out
}

func fromBits(b bits) (out [8]byte) {
	for i := range 64 {
		out[i/8] |= b[i] << (7 - i%8)
	}
	return out
}

// Traditional crypt hashes from libxcrypt's crypt(3) (perl's crypt, htpasswd
// -d): only the first 8 bytes count, and of each its low 7 bits.
func TestMatchDESCrypt(t *testing.T) {
	for _, v := range []struct{ password, hash string }{
		{"davepw", "1vpO4ygSQEphc"},
		{"davepw", "..zFQ.a/K7x4w"},
		{"davepw", "zze7aI2Nw/8uE"},
		{"", "..X8NBuQ4l6uQ"},
		{"", "9QbGEplO7L9Do"},
		{"Zz9./ab", "A/W/YjQjMtYRk"},
		{"longer than eight", "1vxmTmePiIXtI"},
		{"longer t", "1vxmTmePiIXtI"},
		{"p@ss w:rd", "XB3vr8Uorq2dY"},
		{"p@ss w:rd", "zzEZ3MddJZROY"},
		{"p@ss w:r", "2eCaMHflQQPeU"},
		{"caf\xe9x", "abK1FPNEWAkHA"},
		{"cafix", "abK1FPNEWAkHA"},
	} {
		if !Match(v.password, v.hash) {
			t.Errorf("%q does not match %s", v.password, v.hash)
		}
		if Match(v.password+"!", v.hash) && len(v.password) < 8 {
			t.Errorf("%q matches %s", v.password+"!", v.hash)
		}
	}
	for _, bad := range []string{"1vpO4ygSQEph", "1vpO4ygSQEphc.", "1vpO4ygSQEph*", "1vpO4ygSQEphd"} {
		if Match("davepw", bad) {
			t.Errorf("davepw matches %q", bad)
		}
	}
}
