package site

import "strings"

// ExtensionMaps reads AddCharset, AddLanguage, RemoveCharset and
// RemoveLanguage among server, in order, as mod_mime keeps them: extension
// (lowercase, without a leading dot) to value (lowercase), a later line
// replacing an earlier one's value and a Remove line dropping it. A map is
// nil when no line gives it an extension.
func ExtensionMaps(server []Directive) (charsets, languages map[string]string) {
	for _, d := range server {
		var m *map[string]string
		remove := false
		switch strings.ToLower(d.Name) {
		case "addcharset":
			m = &charsets
		case "addlanguage":
			m = &languages
		case "removecharset":
			m, remove = &charsets, true
		case "removelanguage":
			m, remove = &languages, true
		default:
			continue
		}
		exts := d.Args
		value := ""
		if !remove {
			if len(exts) < 2 {
				continue
			}
			value, exts = strings.ToLower(exts[0]), exts[1:]
		}
		for _, ext := range exts {
			ext = strings.ToLower(strings.TrimPrefix(ext, "."))
			switch {
			case remove:
				delete(*m, ext)
			case *m == nil:
				*m = map[string]string{ext: value}
			default:
				(*m)[ext] = value
			}
		}
	}
	return charsets, languages
}
