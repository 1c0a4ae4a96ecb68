package negotiation

import (
	"errors"
	"strconv"
	"strings"
)

// ErrMapSyntax is a type map line without ':' or without a value (apache2
// answers 500, AH00681/AH00682).
var ErrMapSyntax = errors.New("syntax error in type map")

// ParseMap reads a type map (a .var file), as apache2's read_type_map: the
// variants it lists, each a group of header lines (URI, Content-Type with
// qs=, Content-Language, Content-Encoding, Content-Length, Description,
// Body) ended by a blank line; '#' lines are comments. A Body: variant is
// named name (the map's own file name) and its Body is the offset of its
// bytes in data, Size their count.
func ParseMap(data []byte, name string) ([]Variant, error) {
	var out []Variant
	r := &mapReader{data: data}
	v := newVariant()
	has := false
	for {
		line, st := r.header()
		if st == hdrSeen {
			key, val, ok := strings.Cut(line, ":")
			if !ok {
				return out, ErrMapSyntax
			}
			key = strings.ToLower(key)
			val = strings.TrimLeft(val, " \t\r\n\v\f")
			if val == "" {
				return out, ErrMapSyntax
			}
			val = stripComments(val)
			switch {
			case key == "uri":
				v.Name, _ = token(val, false)
			case key == "content-type":
				v.SetType(val)
				has = true
			case key == "content-length":
				n, _ := token(val, false)
				size, err := strconv.ParseInt(n, 10, 64)
				if err != nil || size < 0 || n == "" || n[0] == '+' {
					return out, nil // apache2 stops reading here (AH00684)
				}
				v.Size, has = size, true
			case key == "content-language":
				v.Languages, has = Languages(val), true
			case key == "content-encoding":
				v.Encoding, _ = token(val, false)
				has = true
			case key == "description":
				v.Description = strings.TrimSuffix(strings.ReplaceAll(val, "\n", " "), " ")
			case key == "body":
				tag := strings.TrimRight(val, " \t\r\n\v\f")
				off, n, ok := r.body(tag)
				if !ok {
					return out, nil // AH00685: no end tag
				}
				v.Body, v.Size, v.Name = off, n, name
			}
			continue
		}
		if v.Name != "" && has {
			out = append(out, v)
		}
		v, has = newVariant(), false
		if st == hdrEOF {
			return out, nil
		}
	}
}

func newVariant() Variant { return Variant{Size: -1, Body: -1} }

type hdrState int

const (
	hdrEOF hdrState = iota
	hdrSeen
	hdrSep
)

type mapReader struct {
	data []byte
	pos  int
}

// line is the next line with its newline, "" at the end.
func (r *mapReader) line() string {
	if r.pos >= len(r.data) {
		return ""
	}
	rest := r.data[r.pos:]
	n := len(rest)
	if i := indexByte(rest, '\n'); i >= 0 {
		n = i + 1
	}
	r.pos += n
	return string(rest[:n])
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// header is get_header_line: one header line with its continuations, or a
// blank line (hdrSep), or the end.
func (r *mapReader) header() (string, hdrState) {
	var l string
	for {
		l = r.line()
		if l == "" {
			return "", hdrEOF
		}
		if l[0] != '#' {
			break
		}
	}
	if strings.TrimLeft(l, " \t\r\n\v\f") == "" {
		return "", hdrSep
	}
	if len(l) >= 5 && strings.EqualFold(l[:5], "body:") {
		return l, hdrSeen
	}
	for r.pos < len(r.data) {
		c := r.data[r.pos]
		switch {
		case c == '#':
			r.line()
		case isSpace(c):
			i := r.pos
			for i < len(r.data) && r.data[i] != '\n' && isSpace(r.data[i]) {
				i++
			}
			r.pos = i
			if i >= len(r.data) || r.data[i] == '\n' {
				return l, hdrSeen // a blank line follows
			}
			l += strings.TrimSuffix(r.line(), "\n") + "\n"
		default:
			return l, hdrSeen
		}
	}
	return l, hdrSeen
}

// body is get_body: the bytes from here up to tag, and the reader moved past
// the end of tag's line.
func (r *mapReader) body(tag string) (off, n int64, ok bool) {
	rest := string(r.data[r.pos:])
	if len(rest) > 8190 {
		rest = rest[:8190] // apache2 looks in one MAX_STRING_LEN buffer
	}
	i := strings.Index(rest, tag)
	if i < 0 || tag == "" {
		return 0, 0, false
	}
	off, n = int64(r.pos), int64(i)
	end := i + len(tag)
	if j := strings.IndexByte(rest[end:], '\n'); j >= 0 {
		end += j + 1
	} else {
		end = len(rest)
	}
	r.pos += end
	return off, n, true
}

// stripComments is strip_paren_comments: (comments) become spaces, quoted
// strings kept.
func stripComments(s string) string {
	if strings.IndexByte(s, '(') < 0 {
		return s
	}
	b := []byte(s)
	for i := 0; i < len(b); {
		switch b[i] {
		case '"':
			j := indexByte(b[i+1:], '"')
			if j < 0 {
				return string(b)
			}
			i += j + 2
		case '(':
			for i < len(b) && b[i] != ')' {
				b[i] = ' '
				i++
			}
			if i < len(b) {
				b[i] = ' '
				i++
			}
		default:
			i++
		}
	}
	return string(b)
}
