package rewrite

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/httpd-mpm/httpd-mpm/internal/apuri"
)

// Map is one RewriteMap, looked up by ${NAME:key|default}: a text file
// (txt:, or a path with no type), a text file of values to pick from at
// random (rnd:) or one of apache2's internal functions (int:toupper,
// tolower, escape, unescape). A text file is read by the process that looks
// a key up (a child, as its User, as apache2's children), again once its
// modification time changes. A Map is safe for concurrent use.
type Map struct {
	kind mapKind
	// file is the absolute path of a txt or rnd map.
	file string
	fn   func(string) string // int:

	mu    sync.Mutex
	read  bool
	mtime time.Time // of the file index was read from
	// index holds the file's keys and values when whole, else the keys
	// looked up ("" for none).
	index map[string]string
	whole bool
	// misses are the keys looked up that the file could not be opened for
	// (as apache2's cache, which keeps a failed lookup until the file
	// changes).
	misses map[string]bool
}

type mapKind uint8

const (
	mapTxt mapKind = iota
	mapRnd
	mapInt
)

// MapError is a failure of a map lookup that apache2 writes to the error
// log (AH00661, AH00655); Err is the system error.
type MapError struct {
	Err error
	Msg string
}

// txtLine is apache2's REWRITE_MAX_TXT_MAP_LINE: a longer line of a text map
// is read as several.
const txtLine = 1024

var intMaps = map[string]func(string) string{
	"toupper":  asciiUpper,
	"tolower":  asciiLower,
	"escape":   func(s string) string { return apuri.EscapePath(s, true) },
	"unescape": unescape,
}

// ParseMap is RewriteMap's TYPE:SOURCE argument (apache2's cmd_rewritemap),
// a relative path taken below root (the ServerRoot). It does not look at the
// file: CheckMap does, where the configuration is read.
func ParseMap(source, root string) (*Map, error) {
	typ, rest, ok := strings.Cut(source, ":")
	if !ok {
		typ, rest = "", source
	}
	path := func() string { // ap_server_root_relative: "." and ".." resolved
		if filepath.IsAbs(rest) || root == "" {
			return filepath.Clean(rest)
		}
		return filepath.Join(root, rest)
	}
	switch lt := strings.ToLower(typ); {
	case lt == "txt":
		return &Map{kind: mapTxt, file: path()}, nil
	case lt == "rnd":
		return &Map{kind: mapRnd, file: path()}, nil
	case lt == "int":
		fn := intMaps[rest]
		if fn == nil {
			return nil, fmt.Errorf("RewriteMap: internal map not found:%s", rest)
		}
		return &Map{kind: mapInt, fn: fn}, nil
	case lt == "dbd" || lt == "fastdbd":
		return nil, errors.New("RewriteMap types dbd and fastdbd require mod_dbd!")
	case strings.HasPrefix(strings.ToLower(source), "dbm"):
		return nil, errors.New("RewriteMap: dbm maps are not supported by this server (only txt, rnd and int)")
	case lt == "prg":
		return nil, errors.New("RewriteMap: prg maps (external programs) are not supported by this server (only txt, rnd and int)")
	}
	rest = source // apache2 takes any other word for a path
	return &Map{kind: mapTxt, file: path()}, nil
}

// MapSource is source with its file made absolute below root, for a process
// that does not know root.
func MapSource(source, root string) string {
	m, err := ParseMap(source, root)
	if err != nil || m.kind == mapInt {
		return source
	}
	if m.kind == mapRnd {
		return "rnd:" + m.file
	}
	return "txt:" + m.file
}

// CheckMap is RewriteMap's check where the configuration is read: the
// arguments, and the file of a txt or rnd map must exist, in apache2's
// words.
func CheckMap(root string, args []string) error {
	m, err := ParseMap(args[1], root)
	if err != nil {
		return err
	}
	if m.file != "" {
		if _, err := os.Stat(m.file); err != nil {
			return fmt.Errorf("RewriteMap: file for map %s not found:%s", args[0], m.file)
		}
	}
	return nil
}

// lookup is lookup_map: the value for key, false for none (then the
// default applies). errs takes what apache2 logs.
func (m *Map) lookup(key string, errs *[]MapError) (string, bool) {
	if m.kind == mapInt {
		return m.fn(key), true
	}
	v := m.text(key, errs)
	if m.kind == mapRnd && v != "" {
		v = pick(v)
	}
	return v, v != ""
}

// indexMax bounds the text maps a child reads whole into its memory at
// their first lookup; a larger one is searched at each new key, as apache2
// searches every map, the keys looked up kept.
const indexMax = 1 << 20

// text is a txt or rnd map's value for key ("" for none), the file read
// again when its modification time changed.
func (m *Map) text(key string, errs *[]MapError) string {
	fi, err := os.Stat(m.file)
	if err != nil {
		*errs = append(*errs, MapError{Err: err, Msg: "AH00661: mod_rewrite: can't access text RewriteMap file " + m.file})
		return ""
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.read || !fi.ModTime().Equal(m.mtime) {
		m.read, m.mtime, m.index, m.misses = true, fi.ModTime(), nil, nil
		m.whole = fi.Size() <= indexMax
		if m.whole {
			if m.index, err = readTextMap(m.file, nil); err != nil {
				m.whole = false // read at each new key, as apache2 does (its mode may change, which its time does not show)
			}
		}
	}
	if v, ok := m.index[key]; ok || m.whole {
		return v
	}
	if m.misses[key] {
		return ""
	}
	found, err := readTextMap(m.file, &key)
	if err != nil {
		if m.misses == nil {
			m.misses = map[string]bool{}
		}
		m.misses[key] = true
		*errs = append(*errs, MapError{Err: err, Msg: "AH00655: mod_rewrite: can't open text RewriteMap file " + m.file})
		return ""
	}
	if m.index == nil {
		m.index = map[string]string{}
	}
	m.index[key] = found[key]
	return found[key]
}

// readTextMap reads a text map as lookup_map_txtfile reads it: lines of at
// most txtLine bytes; "#" comments and lines starting with a space ignored;
// the first word the key, the second its value (a line without one does
// not count, nor one whose key a NUL ends); a NUL ends the value; the first
// line of a key wins. With only, it stops at the first line of that key.
func readTextMap(file string, only *string) (map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	idx := map[string]string{}
	r := bufio.NewReaderSize(f, 64<<10)
	for {
		line, err := readChunk(r)
		if len(line) > 0 && line[0] != '#' && !isSpace(line[0]) {
			k := wordEnd(line, 0)
			v := k
			for v < len(line) && isSpace(line[v]) {
				v++
			}
			end := wordEnd(line, v)
			if k < len(line) && isSpace(line[k]) && end > v && (only == nil || string(line[:k]) == *only) {
				key := string(line[:k])
				if _, dup := idx[key]; !dup {
					idx[key] = string(line[v:end])
				}
				if only != nil {
					return idx, nil
				}
			}
		}
		if err != nil {
			return idx, nil
		}
	}
}

// wordEnd is the end of the word at line[i:]: the first space or NUL (C's
// end of string: apache2 reads a map line as one, a NUL ends the line).
func wordEnd(line []byte, i int) int {
	for i < len(line) && line[i] != 0 && !isSpace(line[i]) {
		i++
	}
	return i
}

// readChunk is apr_file_gets with apache2's buffer: up to and including a
// newline, at most txtLine bytes.
func readChunk(r *bufio.Reader) ([]byte, error) {
	var out []byte
	for len(out) < txtLine {
		c, err := r.ReadByte()
		if err != nil {
			return out, err
		}
		out = append(out, c)
		if c == '\n' {
			return out, nil
		}
	}
	return out, nil
}

// isSpace is apr_isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c >= '\t' && c <= '\r'
}

// pick is select_random_value_part: one of the values a "|" separates.
func pick(v string) string {
	n := strings.Count(v, "|") + 1
	if n == 1 {
		return v
	}
	parts := strings.Split(v, "|")
	return parts[rand.IntN(n)]
}

func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}

// unescape is ap_unescape_url as the map uses it: every %XX decoded, a bad
// escape kept, the string cut at a decoded NUL (C's end of string).
func unescape(s string) string {
	s = apuri.Decode(s)
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return s
}
