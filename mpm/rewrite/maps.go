package rewrite

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/internal/apuri"
	"github.com/httpd-mpm/httpd-mpm/internal/pipedlog"
)

// Map is one RewriteMap, looked up by ${NAME:key|default}: a text file
// (txt:, or a path with no type), a text file of values to pick from at
// random (rnd:), one of apache2's internal functions (int:toupper,
// tolower, escape, unescape) or an external program (prg:, which the host
// runs and children ask through a socket: see [ProgramSocket]). A text file is read by the process that looks
// a key up (a child, as its User, as apache2's children), again once its
// modification time changes. A Map is safe for concurrent use.
type Map struct {
	kind mapKind
	// file is the absolute path of a txt or rnd map.
	file string
	fn   func(string) string // int:
	// cache is the file's, shared by every map of it in the process (all
	// virtual hosts and directories), as apache2's per-process map cache.
	cache *fileCache
	// program is a prg map's program (its path, below the ServerRoot) and
	// prg its client, nil where the program was not started (the lookups
	// have no value, as apache2's when RewriteEngine is not on).
	program string
	prg     *prgClient
}

// fileCache is what a process knows of one text map file: its keys and
// values when it is small, else the keys looked up (as apache2's cache).
type fileCache struct {
	file  string
	mu    sync.Mutex
	read  bool
	stamp fileStamp // of the file the cache was read from
	// refused is the stamp of a file that is not a regular one, logged.
	refused fileStamp
	// index is the whole file's, nil for a file over indexMax (or one that
	// could not be read whole).
	index *textIndex
	// keys are the keys looked up in a file without index ("" for none).
	keys map[string]string
	// misses are the keys looked up that the file could not be opened for
	// (as apache2's cache, which keeps a failed lookup until the file
	// changes).
	misses map[string]bool
	// building is the index being read, nil for none.
	building *indexBuild
}

// indexBuild is one read of a small map file into its index, for the
// version of the file a lookup found (stamp): the lookups that miss on that
// version meanwhile wait for it rather than read the file themselves.
type indexBuild struct {
	stamp fileStamp
	done  chan struct{} // closed once index is set
	index *textIndex    // nil if the file could not be indexed
	// waiters are the lookups waiting for it (c.mu held), for tests.
	waiters int
}

// fileStamp tells a version of a map file: apache2 reads a map again when
// its modification time changes; a new size or file (a rename within one
// tick of the clock) also does here.
type fileStamp struct {
	mtime    int64
	size     int64
	ino, dev uint64
}

func stampOf(fi os.FileInfo) fileStamp {
	st := fileStamp{mtime: fi.ModTime().UnixNano(), size: fi.Size()}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.ino, st.dev = uint64(sys.Ino), uint64(sys.Dev)
	}
	return st
}

// errNotRegular refuses a map that is not a regular file nor a directory
// (a device, a FIFO), which apache2 reads without end or waits for.
var errNotRegular = errors.New("not a regular file")

// errDir is a map that is a directory: apache2 opens it, its first read
// fails (EISDIR) and it is a map without lines, nothing logged.
var errDir = errors.New("a directory")

// errTooLarge is a map over indexMax, not indexed.
var errTooLarge = errors.New("over the size indexed")

// fileCaches are the processes' fileCache by file.
var fileCaches sync.Map

// cacheOf is the process's cache of file.
func cacheOf(file string) *fileCache {
	if c, ok := fileCaches.Load(file); ok {
		return c.(*fileCache)
	}
	c, _ := fileCaches.LoadOrStore(file, &fileCache{file: file})
	return c.(*fileCache)
}

type mapKind uint8

const (
	mapTxt mapKind = iota
	mapRnd
	mapInt
	mapPrg
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
	path := func() string { // ap_server_root_relative: "." and ".." resolved, a final "/" kept
		p := filepath.Clean(rest)
		if !filepath.IsAbs(rest) && root != "" {
			p = filepath.Join(root, rest)
		}
		if strings.HasSuffix(rest, "/") && !strings.HasSuffix(p, "/") {
			p += "/"
		}
		return p
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
		return nil, errors.New("RewriteMap: dbm maps are not supported by this server (only txt, rnd, int and prg)")
	case lt == "prg":
		argv := pipedlog.SplitArgs(rest)
		if len(argv) == 0 || argv[0] == "" {
			return nil, fmt.Errorf("RewriteMap: bad path to prg map: %s", rest)
		}
		rest = argv[0]
		return &Map{kind: mapPrg, program: path()}, nil
	}
	rest = source // apache2 takes any other word for a path
	return &Map{kind: mapTxt, file: path()}, nil
}

// MapSource is source with its file made absolute below root, for a process
// that does not know root.
func MapSource(source, root string) string {
	m, err := ParseMap(source, root)
	if err != nil || m.kind == mapInt || m.kind == mapPrg {
		return source // a program's line is the host's to run
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
	if f := cmp.Or(m.file, m.program); f != "" {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("RewriteMap: file for map %s not found:%s", args[0], f)
		}
	}
	return nil
}

// lookup is lookup_map: the value for key, false for none (then the
// default applies). errs takes what apache2 logs.
func (m *Map) lookup(key string, errs *[]MapError) (string, bool) {
	switch m.kind {
	case mapInt:
		return m.fn(key), true
	case mapPrg:
		return m.prg.lookup(key)
	}
	v := m.text(key, errs)
	if m.kind == mapRnd && v != "" {
		v = pick(v)
	}
	return v, v != ""
}

// indexMax bounds the text maps a process indexes whole (their bytes and
// an offset per line) at their first lookup; a larger one is searched at
// each new key, as apache2 searches every map, the keys looked up kept.
const indexMax = 1 << 20

// text is a txt or rnd map's value for key ("" for none), the file read
// again when its stamp (time, size, inode) changed. The file is read with the
// cache unlocked (apache2 locks its cache only to get and set a value):
// lookups that find their key go on meanwhile. A small file is read once per
// version: the first lookup to miss on it indexes it, the others wait for
// that (apache2 has each read the file); a large one is searched per key.
func (m *Map) text(key string, errs *[]MapError) string {
	fi, err := os.Stat(m.file)
	if err != nil {
		*errs = append(*errs, MapError{Err: err, Msg: "AH00661: mod_rewrite: can't access text RewriteMap file " + m.file})
		return ""
	}
	c := m.cache
	if c == nil {
		c = cacheOf(m.file)
	}
	st := stampOf(fi)
	c.mu.Lock()
	if !fi.Mode().IsRegular() && !fi.IsDir() {
		logged := c.refused == st
		c.refused = st
		c.mu.Unlock()
		if !logged { // once per version of the file
			*errs = append(*errs, MapError{Err: errNotRegular, Msg: "AH00655: mod_rewrite: can't open text RewriteMap file " + c.file + " (" + errNotRegular.Error() + ")"})
		}
		return ""
	}
	if c.read && st == c.stamp {
		x := c.index
		v, hit := c.keys[key]
		hit = hit || c.misses[key]
		c.mu.Unlock()
		switch {
		case x != nil:
			return x.get(key)
		case hit:
			return v
		}
		return c.search(key, st, errs)
	}
	if fi.Size() > indexMax {
		c.mu.Unlock()
		return c.search(key, st, errs)
	}
	if b := c.building; b != nil && b.stamp == st {
		b.waiters++
		c.mu.Unlock()
		<-b.done
		if b.index != nil {
			return b.index.get(key)
		}
		return c.search(key, st, errs)
	}
	// A build of an older version under way is left to end unused.
	b := &indexBuild{stamp: st, done: make(chan struct{})}
	c.building = b
	c.mu.Unlock()
	x, xst, err := readIndex(c.file)
	c.mu.Lock()
	if err == nil {
		b.index = x
	}
	if c.building == b {
		c.building = nil
		if err == nil {
			c.read, c.stamp, c.index, c.keys, c.misses = true, xst, x, nil, nil
		}
	}
	c.mu.Unlock()
	close(b.done)
	if err != nil {
		// Searched per key (the waiters too), as apache2 reads the file at
		// each lookup (its mode may change, which its time does not show).
		return c.search(key, st, errs)
	}
	return x.get(key)
}

// search is key's value read from the file (the cache unlocked), then kept
// for the file of stamp st.
func (c *fileCache) search(key string, st fileStamp, errs *[]MapError) string {
	v, err := searchTextMap(c.file, key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.read || st != c.stamp {
		c.read, c.stamp, c.index, c.keys, c.misses = true, st, nil, nil, nil
	}
	if err != nil {
		if c.misses == nil {
			c.misses = map[string]bool{}
		}
		c.misses[key] = true
		*errs = append(*errs, MapError{Err: err, Msg: "AH00655: mod_rewrite: can't open text RewriteMap file " + c.file})
		return ""
	}
	if c.keys == nil {
		c.keys = map[string]string{}
	}
	c.keys[key] = v
	return v
}

// openMap opens a map file to read it (a test's hook); without waiting for
// a writer, were it a FIFO now.
var openMap = func(file string) (*os.File, error) {
	return os.OpenFile(file, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// openRegular opens file, a regular file, and gives its stamp; errDir
// (with the stamp) for a directory.
func openRegular(file string) (*os.File, fileStamp, error) {
	f, err := openMap(file)
	if err != nil {
		return nil, fileStamp{}, err
	}
	fi, err := f.Stat()
	switch {
	case err != nil:
	case fi.IsDir():
		f.Close()
		return nil, stampOf(fi), errDir
	case !fi.Mode().IsRegular():
		err = fmt.Errorf("%s: %w", file, errNotRegular)
	}
	if err != nil {
		f.Close()
		return nil, fileStamp{}, err
	}
	return f, stampOf(fi), nil
}

// textIndex is a small text map in memory: its bytes once and the offsets
// of the lines that count, sorted by key, the first line of a key kept
// (about 1.2 times the file's size, where a Go map of its keys and values
// took 11).
type textIndex struct {
	data  []byte
	lines []uint32
}

// readIndex reads file whole into a textIndex, its lines as
// searchTextMap's; errTooLarge for a file over indexMax, however much it
// held when stat looked (a directory is one without lines).
func readIndex(file string) (*textIndex, fileStamp, error) {
	f, st, err := openRegular(file)
	if errors.Is(err, errDir) {
		return &textIndex{}, st, nil
	}
	if err != nil {
		return nil, st, err
	}
	defer f.Close()
	if st.size > indexMax {
		return nil, st, errTooLarge
	}
	r := io.LimitReader(f, indexMax+1)
	data := make([]byte, 0, st.size+1) // as os.ReadFile: one allocation if the size holds
	for {
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, st, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
	if len(data) > indexMax {
		return nil, st, errTooLarge
	}
	x := &textIndex{data: data}
	for off := 0; off < len(data); {
		line := chunkAt(data, off)
		if _, _, ok := parseLine(line); ok {
			x.lines = append(x.lines, uint32(off))
		}
		off += len(line)
	}
	slices.SortStableFunc(x.lines, func(a, b uint32) int { return bytes.Compare(x.key(a), x.key(b)) })
	x.lines = slices.CompactFunc(x.lines, func(a, b uint32) bool { return bytes.Equal(x.key(a), x.key(b)) })
	x.lines = slices.Clip(x.lines)
	return x, st, nil
}

// key is the key of the line at off.
func (x *textIndex) key(off uint32) []byte {
	line := chunkAt(x.data, int(off))
	return line[:wordEnd(line, 0)]
}

// get is key's value, "" for none.
func (x *textIndex) get(key string) string {
	i, found := slices.BinarySearchFunc(x.lines, key, func(off uint32, key string) int { return compareKey(x.key(off), key) })
	if !found {
		return ""
	}
	line := chunkAt(x.data, int(x.lines[i]))
	v, end, _ := parseLine(line)
	return string(line[v:end])
}

// compareKey is bytes.Compare of b and s, without converting s.
func compareKey(b []byte, s string) int {
	for i := 0; i < len(b) && i < len(s); i++ {
		if b[i] != s[i] {
			return int(b[i]) - int(s[i])
		}
	}
	return len(b) - len(s)
}

// chunkAt is the line readChunk reads at data[off:].
func chunkAt(data []byte, off int) []byte {
	line := data[off:min(len(data), off+txtLine)]
	if nl := bytes.IndexByte(line, '\n'); nl >= 0 {
		line = line[:nl+1]
	}
	return line
}

// parseLine is a map line's value, line[v:end], ok if the line counts:
// not a "#" comment nor starting with a space; the first word the key, the
// second its value (a line without one does not count, nor one whose key a
// NUL ends); a NUL ends the value.
func parseLine(line []byte) (v, end int, ok bool) {
	if len(line) == 0 || line[0] == '#' || isSpace(line[0]) {
		return 0, 0, false
	}
	k := wordEnd(line, 0)
	v = k
	for v < len(line) && isSpace(line[v]) {
		v++
	}
	end = wordEnd(line, v)
	return v, end, k < len(line) && isSpace(line[k]) && end > v
}

// searchTextMap is lookup_map_txtfile: key's value in the first of the
// file's lines (of at most txtLine bytes, as parseLine's) for it, "" for
// none.
func searchTextMap(file, key string) (string, error) {
	f, _, err := openRegular(file)
	if errors.Is(err, errDir) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	for {
		line, err := readChunk(r)
		if v, end, ok := parseLine(line); ok && string(line[:wordEnd(line, 0)]) == key {
			return string(line[v:end]), nil
		}
		if err != nil {
			return "", nil
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
