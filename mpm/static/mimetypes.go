package static

import (
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// MimeTypes is an Apache mime.types file (TypesConfig): lines of "type
// ext1 ext2 ...", '#' starting a comment; extensions match without regard
// to ASCII case, and a later line wins for an extension listed twice, as in
// apache2. (apache2 takes only a line that starts with '#' for a comment,
// and a word after a '#' elsewhere for an extension; Debian's file has no
// such line.)
//
// Every child process reads the file before its first response, so it is
// not turned into a table up front (Debian's is 74 KB and 1,500
// extensions: a third to half a millisecond and some 250 KiB of heap per
// child): Lookup searches the text for an extension the first time it is
// asked for it and remembers the answer, so a child pays only for the few
// extensions its files have. Lookup is safe for concurrent use; a nil *MimeTypes knows
// no type.
type MimeTypes struct {
	text  string
	once  sync.Once
	upper map[string]spelled // extensions the file spells with upper case, by their lowercase (see scan)
	known sync.Map           // lowercase extension -> type, "" for none
	count atomic.Int32       // entries in known
}

// spelled is an extension with upper case: its line's type and where in
// the text the line starts (which is all scan compares: a line has one
// type).
type spelled struct {
	typ string
	at  int
}

// maxKnown bounds the answers a MimeTypes remembers; past it, an extension
// not yet known is searched for at each lookup. Extensions come from the
// names of files served, not from arbitrary request paths.
const maxKnown = 4096

// ReadMimeTypes reads the mime.types file at path.
func ReadMimeTypes(path string) (*MimeTypes, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// No copy: nothing else holds data, and text is never written.
	return ParseMimeTypes(unsafe.String(unsafe.SliceData(data), len(data))), nil
}

// ParseMimeTypes is ReadMimeTypes on the file's text.
func ParseMimeTypes(text string) *MimeTypes { return &MimeTypes{text: text} }

// Lookup returns the type of the extension ext (no dot) and whether the
// file has one.
func (m *MimeTypes) Lookup(ext string) (string, bool) {
	if m == nil || ext == "" {
		return "", false
	}
	if t, ok := m.known.Load(ext); ok {
		return t.(string), t != ""
	}
	ext = lowerASCII(ext)
	if t, ok := m.known.Load(ext); ok {
		return t.(string), t != ""
	}
	t := m.scan(ext)
	if m.count.Load() < maxKnown {
		// A copy: ext may be part of a request's path.
		if _, loaded := m.known.LoadOrStore(strings.Clone(ext), t); !loaded {
			m.count.Add(1)
		}
	}
	return t, t != ""
}

// scan returns the type of the last line that lists ext (lowercase), or
// "". It looks for ext as a substring, from the end; the few extensions
// spelled with upper case (Debian's has "AMR", "teiCorpus"), found once,
// are compared by position.
func (m *MimeTypes) scan(ext string) string {
	if strings.ContainsAny(ext, "#\n\t\r\v\f ") {
		return "" // no field has these
	}
	m.once.Do(func() { m.upper = upperExtensions(m.text) })
	typ, at := "", -1
	for end := len(m.text); ; {
		i := strings.LastIndex(m.text[:end], ext)
		if i < 0 {
			break
		}
		if t, ok := lineType(m.text, i, len(ext)); ok {
			typ, at = t, i
			break
		}
		end = i + len(ext) - 1 // the next match starts before i
	}
	if u, ok := m.upper[ext]; ok && u.at > at {
		typ = u.typ
	}
	return typ
}

// upperExtensions returns the extensions of text, a mime.types file, that
// have an ASCII upper-case letter (types often do: "application/A2L"), by
// their lowercase, the last line winning.
func upperExtensions(text string) map[string]spelled {
	var found map[string]spelled
	for i := 0; i < len(text); i++ {
		if text[i]-'A' >= 26 { // not upper case
			continue
		}
		start := strings.LastIndexByte(text[:i], '\n') + 1
		end := len(text)
		if j := strings.IndexByte(text[i:], '\n'); j >= 0 {
			end = i + j
		}
		line := text[start:end]
		eachType(line, func(typ, ext string) {
			if low := lowerASCII(ext); low != ext {
				if found == nil {
					found = make(map[string]spelled)
				}
				found[low] = spelled{typ, start}
			}
		})
		i = end // the rest of this line is done
	}
	return found
}

// lineType reports whether text[i:i+n] is an extension of its line (a
// whole field after the type, before any '#') and returns the line's type.
func lineType(text string, i, n int) (string, bool) {
	if i == 0 || !isSpace(text[i-1]) {
		return "", false
	}
	if j := i + n; j < len(text) && !isSpace(text[j]) && text[j] != '\n' && text[j] != '#' {
		return "", false
	}
	line := text[strings.LastIndexByte(text[:i], '\n')+1 : i]
	if strings.IndexByte(line, '#') >= 0 {
		return "", false
	}
	typ, _ := nextField(line)
	return typ, typ != ""
}

// eachType calls f for every extension of text, a mime.types file, with its
// type, in the file's order. It is one pass without a copy per line or
// field: typ and ext are substrings of text.
func eachType(text string, f func(typ, ext string)) {
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		typ, line := nextField(line)
		if typ == "" {
			continue
		}
		for {
			var ext string
			if ext, line = nextField(line); ext == "" {
				break
			}
			f(typ, ext)
		}
	}
}

// nextField splits the first field off s, fields being separated by ASCII
// white space as apr_isspace has it; field is empty when s has none.
func nextField(s string) (field, rest string) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !isSpace(s[j]) {
		j++
	}
	return s[i:j], s[j:]
}

func isSpace(c byte) bool { return asciiSpace[c] }

// asciiSpace is a table rather than five comparisons per byte, which cost
// a third of a scan's time.
var asciiSpace = [256]bool{' ': true, '\t': true, '\r': true, '\v': true, '\f': true}

// lowerASCII lowers the ASCII letters of s (apr's tolower in the C locale),
// copying only when s has upper case.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
