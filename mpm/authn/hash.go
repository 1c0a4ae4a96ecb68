package authn

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Match reports whether password matches hash, a password field as htpasswd
// writes it, as apr_password_validate decides on Linux: bcrypt ($2y$, $2a$,
// $2b$), Apache's MD5 ($apr1$), SHA-1 ({SHA}), and what glibc's crypt(3)
// would check: MD5-crypt ($1$), SHA-256-crypt ($5$), SHA-512-crypt ($6$)
// and traditional DES crypt (13 characters, htpasswd -d). yescrypt ($y$),
// which Debian's libxcrypt checks too, never matches here; nor does
// plaintext, as on Linux. Comparisons take a time independent of where the
// hashes differ.
func Match(password, hash string) bool {
	var got string
	switch {
	case strings.HasPrefix(hash, "$2y$"), strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"):
		return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
	case strings.HasPrefix(hash, "$apr1$"):
		got = md5Crypt(password, hash, "$apr1$")
	case strings.HasPrefix(hash, "$1$"):
		got = md5Crypt(password, hash, "$1$")
	case strings.HasPrefix(hash, "{SHA}"):
		sum := sha1.Sum([]byte(password))
		got = "{SHA}" + base64.StdEncoding.EncodeToString(sum[:])
	case strings.HasPrefix(hash, "$5$"):
		got = shaCrypt(password, hash, "$5$", sha256.New, sha256Order[:])
	case strings.HasPrefix(hash, "$6$"):
		got = shaCrypt(password, hash, "$6$", sha512.New, sha512Order[:])
	case len(hash) == 13:
		got = desCrypt(password, hash)
	default:
		return false
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(hash)) == 1
}

// itoa64 is the alphabet of the crypt(3) family's base 64.
const itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// to64 appends the n low 6-bit groups of v, least significant first.
func to64(b []byte, v uint32, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, itoa64[v&0x3f])
		v >>= 6
	}
	return b
}

// md5Crypt is Poul-Henning Kamp's MD5-based crypt with magic "$1$" (glibc)
// or "$apr1$" (Apache): the salt is what follows magic up to '$', at most 8
// characters.
func md5Crypt(password, setting, magic string) string {
	salt := setting[len(magic):]
	if i := strings.IndexByte(salt, '$'); i >= 0 {
		salt = salt[:i]
	}
	salt = salt[:min(len(salt), 8)]
	pw := []byte(password)

	alt := md5.New()
	alt.Write(pw)
	alt.Write([]byte(salt))
	alt.Write(pw)
	final := alt.Sum(nil)

	ctx := md5.New()
	ctx.Write(pw)
	ctx.Write([]byte(magic))
	ctx.Write([]byte(salt))
	for n := len(pw); n > 0; n -= 16 {
		ctx.Write(final[:min(n, 16)])
	}
	for i := len(pw); i > 0; i >>= 1 {
		if i&1 != 0 {
			ctx.Write([]byte{0})
		} else {
			ctx.Write(pw[:1])
		}
	}
	final = ctx.Sum(nil)

	h, s := md5.New(), []byte(salt)
	for i := range 1000 {
		final = cryptRound(h, i, pw, s, final)
	}

	out := make([]byte, 0, len(magic)+len(salt)+1+22)
	out = append(append(append(out, magic...), salt...), '$')
	for _, t := range [...][3]int{{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}} {
		out = to64(out, uint32(final[t[0]])<<16|uint32(final[t[1]])<<8|uint32(final[t[2]]), 4)
	}
	return string(to64(out, uint32(final[11]), 2))
}

// The byte order of SHA-crypt's output: groups of three bytes, each written
// as four characters, the last group shorter.
var (
	sha256Order = shaOrder(32, 10, [2]int{2, 1})
	sha512Order = shaOrder(64, 21, [2]int{1, 2})
)

// shaOrder lists the digest's bytes in the order SHA-crypt encodes them: group
// k takes bytes k, k+step and k+2*step, starting with k when k%3 is 0, else
// with the one rot[k%3-1] picks (1: k+step, 2: k+2*step), the others following
// round.
func shaOrder(size, step int, rot [2]int) []int {
	var o []int
	for k := 0; k < size/3; k++ {
		b := [3]int{k, k + step, k + 2*step}
		r := 0
		switch k % 3 {
		case 1:
			r = rot[0]
		case 2:
			r = rot[1]
		}
		o = append(o, b[r], b[(r+1)%3], b[(r+2)%3])
	}
	return o
}

// SHA-crypt's rounds: 5000 unless the setting says, clamped to this range.
const (
	shaRoundsDefault = 5000
	shaRoundsMin     = 1000
	shaRoundsMax     = 999999999
)

// shaCrypt is Ulrich Drepper's SHA-crypt ($5$ with SHA-256, $6$ with SHA-512):
// the setting is magic, an optional "rounds=N$", and a salt of at most 16
// characters up to '$'. It returns "" for a setting glibc refuses.
func shaCrypt(password, setting, magic string, newHash func() hash.Hash, order []int) string {
	rest := setting[len(magic):]
	rounds, explicit := shaRoundsDefault, false
	if r, ok := strings.CutPrefix(rest, "rounds="); ok {
		i := strings.IndexByte(r, '$')
		if i < 0 {
			return ""
		}
		n, err := strconv.ParseUint(r[:i], 10, 64)
		if err != nil {
			return ""
		}
		rounds, explicit, rest = int(min(max(n, shaRoundsMin), shaRoundsMax)), true, r[i+1:]
	}
	salt := rest
	if i := strings.IndexByte(salt, '$'); i >= 0 {
		salt = salt[:i]
	}
	salt = salt[:min(len(salt), 16)]
	pw, s := []byte(password), []byte(salt)

	b := newHash()
	b.Write(pw)
	b.Write(s)
	b.Write(pw)
	sumB := b.Sum(nil)
	size := len(sumB)

	a := newHash()
	a.Write(pw)
	a.Write(s)
	n := len(pw)
	for ; n > size; n -= size {
		a.Write(sumB)
	}
	a.Write(sumB[:n])
	for n := len(pw); n > 0; n >>= 1 {
		if n&1 != 0 {
			a.Write(sumB)
		} else {
			a.Write(pw)
		}
	}
	sumA := a.Sum(nil)

	dp := newHash()
	for range len(pw) {
		dp.Write(pw)
	}
	p := repeatTo(dp.Sum(nil), len(pw))

	ds := newHash()
	for range 16 + int(sumA[0]) {
		ds.Write(s)
	}
	sb := repeatTo(ds.Sum(nil), len(s))

	c := sumA
	h := newHash()
	for i := range rounds {
		c = cryptRound(h, i, p, sb, c)
	}

	out := []byte(magic)
	if explicit {
		out = append(strconv.AppendInt(append(out, "rounds="...), int64(rounds), 10), '$')
	}
	out = append(append(out, salt...), '$')
	for i := 0; i+2 < len(order); i += 3 {
		out = to64(out, uint32(c[order[i]])<<16|uint32(c[order[i+1]])<<8|uint32(c[order[i+2]]), 4)
	}
	if size == 32 {
		out = to64(out, uint32(c[31])<<8|uint32(c[30]), 3)
	} else {
		out = to64(out, uint32(c[63]), 2)
	}
	return string(out)
}

// cryptRound is round i of the MD5-crypt and SHA-crypt loops: the previous
// digest and the password p in turn, the salt s unless i%3 is 0, p unless
// i%7 is 0, then the other of the first two; the digest replaces prev.
func cryptRound(h hash.Hash, i int, p, s, prev []byte) []byte {
	h.Reset()
	first, last := prev, p
	if i&1 != 0 {
		first, last = p, prev
	}
	h.Write(first)
	if i%3 != 0 {
		h.Write(s)
	}
	if i%7 != 0 {
		h.Write(p)
	}
	h.Write(last)
	return h.Sum(prev[:0])
}

// repeatTo is sum repeated to n bytes.
func repeatTo(sum []byte, n int) []byte {
	out := make([]byte, 0, n)
	for len(out) < n {
		out = append(out, sum[:min(len(sum), n-len(out))]...)
	}
	return out
}
