package apconf

// SameName says whether a and b name the same directive: equal but for
// the case of ASCII letters, as apache2 compares them (strcasecmp). Unlike
// strings.EqualFold it folds no other letter: "ſ" (U+017F) is not "s".
func SameName(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
