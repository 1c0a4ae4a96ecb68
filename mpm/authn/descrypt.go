package authn

// Traditional DES-based crypt(3), as htpasswd -d writes it and libxcrypt
// checks it: 13 characters, a 2-character salt then 11 of the result. The
// first 8 bytes of the password, 7 bits each, are the DES key; a zero block
// is encrypted 25 times with a DES whose expansion E swaps its bits i and
// i+24 for each bit i of the 12-bit salt. The DES here is bit by bit (FIPS
// 46's tables): slow as DES goes, but a check is some 400 rounds.

// The FIPS 46 tables, their entries 1-based bit numbers.
var (
	desIP = [64]byte{
		58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
		62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
		57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
		61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7}
	desE = [48]byte{
		32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17,
		16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1}
	desP = [32]byte{
		16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
		2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25}
	desPC1 = [56]byte{
		57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18,
		10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
		63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22,
		14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4}
	desPC2 = [48]byte{
		14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
		41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32}
	desShifts = [16]byte{1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1}
	desS      = [8][64]byte{
		{14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7,
			0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
			4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0,
			15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13},
		{15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10,
			3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
			0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15,
			13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9},
		{10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8,
			13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
			13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7,
			1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12},
		{7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15,
			13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
			10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4,
			3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14},
		{2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9,
			14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
			4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14,
			11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3},
		{12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11,
			10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
			9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6,
			4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13},
		{4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1,
			13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
			1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2,
			6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12},
		{13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7,
			1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
			7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8,
			2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11},
	}
)

// bits is a DES block, key or half, one bit (0 or 1) a byte.
type bits = [64]byte

// desKeys are the 16 round keys of the 64-bit key.
func desKeys(key *bits) (ks [16][48]byte) {
	var cd [56]byte
	for i, p := range desPC1 {
		cd[i] = key[p-1]
	}
	for r, s := range desShifts {
		for range s {
			c0, d0 := cd[0], cd[28]
			copy(cd[0:27], cd[1:28])
			copy(cd[28:55], cd[29:56])
			cd[27], cd[55] = c0, d0
		}
		for i, p := range desPC2 {
			ks[r][i] = cd[p-1]
		}
	}
	return ks
}

// desEncrypt encrypts block in place with the round keys ks and the
// expansion e.
func desEncrypt(block *bits, ks *[16][48]byte, e *[48]byte) {
	var lr bits
	for i, p := range desIP {
		lr[i] = block[p-1]
	}
	l, r := lr[:32], lr[32:]
	var x [48]byte
	var f, out [32]byte
	for round := range 16 {
		for i, p := range e {
			x[i] = r[p-1] ^ ks[round][i]
		}
		for s := range 8 {
			b := x[6*s : 6*s+6]
			v := desS[s][(b[0]<<5|b[5]<<4)|(b[1]<<3|b[2]<<2|b[3]<<1|b[4])]
			f[4*s], f[4*s+1], f[4*s+2], f[4*s+3] = v>>3&1, v>>2&1, v>>1&1, v&1
		}
		for i, p := range desP {
			out[i] = l[i] ^ f[p-1]
		}
		copy(l, r)
		copy(r, out[:])
	}
	// The halves swapped, then IP's inverse.
	var pre bits
	copy(pre[:32], r)
	copy(pre[32:], l)
	for i, p := range desIP {
		block[p-1] = pre[i]
	}
}

// cryptValue is a character's value in crypt's base 64, -1 if it is none.
func cryptValue(c byte) int {
	switch {
	case c >= '.' && c <= '9':
		return int(c - '.')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 12
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 38
	}
	return -1
}

// desCrypt is the traditional crypt of password with the 2-character salt
// that setting starts with; "" when setting is not 13 characters of crypt's
// alphabet (libxcrypt refuses it).
func desCrypt(password, setting string) string {
	if len(setting) != 13 {
		return ""
	}
	for i := range len(setting) {
		if cryptValue(setting[i]) < 0 {
			return ""
		}
	}
	e := desE
	for i := range 2 {
		v := cryptValue(setting[i])
		for j := range 6 {
			if v>>j&1 != 0 {
				e[6*i+j], e[6*i+j+24] = e[6*i+j+24], e[6*i+j]
			}
		}
	}
	var key bits
	for i := 0; i < len(password) && i < 8; i++ {
		c := password[i]
		for j := range 7 {
			key[8*i+j] = c >> (6 - j) & 1
		}
	}
	ks := desKeys(&key)
	var block bits
	for range 25 {
		desEncrypt(&block, &ks, &e)
	}
	out := []byte(setting[:2])
	for i := range 11 {
		var v byte
		for j := range 6 {
			v <<= 1
			if k := 6*i + j; k < 64 {
				v |= block[k]
			}
		}
		out = append(out, itoa64[v])
	}
	return string(out)
}
